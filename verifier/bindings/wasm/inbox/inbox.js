// The customer's inbox: every message is verified here, in the page, by the Hallmark verifier in
// WebAssembly (hallmark-wasm), from the platform's trust bundle, the pinned root key and the
// messages as they arrived (data/inbox.json, data/bundle.jws). Nothing is precomputed: the page
// decides checkmark, domain, warning or neutral from the verdict's UI class alone.
import { loadHallmark } from "./hallmark-wasm/hallmark.js";

// What the customer reads for a verdict that is not a pass: plain words, no codes.
const REASONS = {
  HALLMARK_UNSIGNED: "This message is not signed. Treat it like any message from an unknown sender.",
  HALLMARK_BODY_MODIFIED: "The text was changed after the sender signed it, so it cannot be shown as verified.",
  HALLMARK_SENDER_MISMATCH: "The signature belongs to a different sender name than the one shown here. It may be an imitation.",
  HALLMARK_SENDER_NOT_AUTHORIZED: "This sender name is not one the brand registered.",
  HALLMARK_SENDER_ALWAYS_SIGNED: "This sender signs every message, and this one has no valid signature. Do not trust it: it may not come from the brand.",
  HALLMARK_BAD_SIGNATURE: "The signature does not match. The message may be forged.",
  HALLMARK_RECIPIENT_MISMATCH: "This message was signed for someone else.",
  HALLMARK_TOKEN_EXPIRED: "The signature has expired.",
  HALLMARK_DELIVERY_TOO_LATE: "This message arrived too late after it was signed to be shown as verified.",
  HALLMARK_KEY_REVOKED: "The brand's signing key was withdrawn. Treat this message with care.",
  HALLMARK_ACTION_NOT_AUTHORIZED: "A button in this message points outside the brand's own web sites.",
  HALLMARK_MALFORMED: "The signature is damaged.",
  HALLMARK_UNKNOWN_KEY: "The signature was made with a key this app does not know.",
  HALLMARK_UNSUPPORTED_ALG: "The signature uses a method this app cannot check.",
  HALLMARK_NO_BUNDLE: "The app could not load the list of verified brands, so it cannot tell right now.",
  HALLMARK_BUNDLE_EXPIRED: "The app's list of verified brands is out of date, so it cannot tell right now.",
};
const KIND = { human: "a person", automated: "automated", ai: "AI", unknown: "sender unknown" };

const status = document.getElementById("status");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "href" ||
             k === "id" || k === "alt" || k === "src" || k === "title" || k === "rel") node.setAttribute(k, v);
    else if (k === "class") node.className = v;
    else node.style.setProperty(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

async function fetchOk(url, as) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return as === "json" ? r.json() : as === "bytes" ? new Uint8Array(await r.arrayBuffer()) : r.text();
}

// The trust state persists per platform and root set, as an app keeps it (spec §6.8).
function stateKey(trust) {
  return `hallmark-state:${trust.platform}:${trust.roots.join(",")}`;
}

async function main() {
  const hm = await loadHallmark();
  const [inbox, bundle] = await Promise.all([fetchOk("data/inbox.json", "json"),
    fetchOk("data/bundle.jws", "text")]);
  const now = Math.floor(Date.now() / 1000);
  const verifier = hm.createVerifier(inbox.trust);
  const saved = localStorage.getItem(stateKey(inbox.trust));
  let load = verifier.loadBundle(bundle, { state: saved, now });
  if (load.result === "HALLMARK_OK") {
    localStorage.setItem(stateKey(inbox.trust), new TextDecoder().decode(load.state));
  } else {
    console.warn(`trust bundle not loaded: ${load.result} (${load.message})`);
  }
  // Logos are fetched when the bundle loads, checked against its digests, and kept by digest:
  // never fetched when a message is shown (spec HM-CRED-78).
  const logos = new Map();
  if (load.result === "HALLMARK_OK") {
    for (const ref of verifier.logos()) {
      try {
        const png = await fetchOk(`data/logos/${ref.sha256}.png`, "bytes");
        if (hm.logoCheck(ref.sha256, png) === "HALLMARK_OK") {
          logos.set(ref.sha256, URL.createObjectURL(new Blob([png], { type: "image/png" })));
        }
      } catch {
        // no logo: the placeholder
      }
    }
  }
  const list = document.getElementById("messages");
  const threads = document.getElementById("threads");
  let verified = 0;
  for (const item of inbox.messages) {
    const verdict = verifier.verify(item.message, { receivedAt: item.received_at, now,
      tokens: item.tokens ?? null });
    if (verdict.ui === "checkmark") verified++;
    const card = render(item, verdict, logos);
    list.append(card);
    threads.append(el("li", {}, el("a", { href: `#${card.id}` }, avatar(item, verdict, logos),
      el("span", {}, el("span", { class: "who", text: who(item, verdict) }),
        el("br"), el("span", { class: "sub", text: item.title })))));
  }
  verifier.free();
  status.textContent = `${inbox.messages.length} messages checked in this page: ${verified} verified.`;
  document.body.dataset.verified = "done";
}

function who(item, verdict) {
  if (verdict.ui === "checkmark") return verdict.brand.name;
  if (verdict.ui === "domain") return `Signed by ${verdict.brand.domain}`;
  return item.message.from;
}

function avatar(item, verdict, logos) {
  if (verdict.ui === "checkmark") {
    const src = logos.get(verdict.brand.logo.sha256);
    if (src) return el("span", { class: "avatar" }, el("img", { src, alt: "" }));
    return el("span", { class: "avatar", "aria-hidden": "true", background: verdict.brand.colors.background,
      color: verdict.brand.colors.primary, text: verdict.brand.name.slice(0, 1) });
  }
  return el("span", { class: "avatar", "aria-hidden": "true", text: "?" });
}

function render(item, verdict, logos) {
  const id = `m-${item.id}`;
  const card = el("li", { class: `message ${verdict.ui}`, id, "data-testid": "message",
    "data-id": item.id, "data-ui": verdict.ui, "data-result": verdict.result,
    "data-brand": verdict.ui === "checkmark" ? verdict.brand.name : "", "aria-labelledby": `${id}-who` });
  const head = el("div", { class: "head" }, avatar(item, verdict, logos));
  const name = el("div", {});
  if (verdict.ui === "checkmark") {
    const b = verdict.brand;
    name.append(el("span", { class: "brand-name", id: `${id}-who`, color: b.colors.primary, text: b.name }),
      el("span", { class: "check", role: "img", "aria-label": "verified brand", title: "Verified by Hallmark",
        background: b.colors.primary, color: "#ffffff", text: "✔" }));
    const kind = b.sender.kind === "human" && b.sender.name ? `${KIND.human} (${b.sender.name})`
      : KIND[b.sender.kind] ?? b.sender.kind;
    name.append(el("div", { class: "labels" }, el("span", { class: "label", text: b.category }),
      el("span", { class: "label", text: kind }), el("span", { class: "label", text: item.message.channel })));
  } else if (verdict.ui === "domain") {
    name.append(el("span", { class: "brand-name", id: `${id}-who`, text: `Signed by ${verdict.brand.domain}` }),
      el("div", { class: "labels" }, el("span", { class: "label", text: item.message.from }),
        el("span", { class: "label", text: "domain only: no brand name or logo" })));
  } else {
    name.append(el("span", { class: "brand-name", id: `${id}-who`, text: item.message.from }),
      el("div", { class: "labels" }, el("span", { class: "label", text: item.message.channel }),
        el("span", { class: "label", text: verdict.ui === "warning" ? "warning" : "not verified" })));
  }
  head.append(name);
  card.append(head);
  const text = typeof item.message.body === "string" ? item.message.body : "";
  if (item.message.subject) card.append(el("p", { class: "meta", text: `Subject: ${item.message.subject}` }));
  card.append(el("p", { class: "body", text }));
  if (verdict.ui === "checkmark" && verdict.brand.actions.length > 0) {
    const actions = el("div", { class: "actions", role: "group", "aria-label": `Actions from ${verdict.brand.name}` });
    for (const a of verdict.brand.actions) {
      actions.append(el("a", { href: a.url, rel: "noopener noreferrer", color: verdict.brand.colors.primary,
        title: a.url, text: a.label }));
    }
    card.append(actions);
  }
  if (verdict.ui !== "checkmark" && verdict.ui !== "domain") {
    card.append(el("p", { class: "reason", role: "note",
      text: REASONS[verdict.result] ?? "This message could not be verified." }));
  }
  card.append(el("p", { class: "meta", text: `${item.title} · Hallmark result ${verdict.result}` }));
  return card;
}

main().catch((e) => {
  status.textContent = `The inbox could not be checked: ${e.message}`;
  document.body.dataset.verified = "failed";
  console.error(e);
});
