// The customer's inbox page (make demo) in Debian's chromium, headless, driven by puppeteer-core
// (no browser download): served from a loopback server on an ephemeral port that this script
// starts and stops, it must verify every message in the page and show, per message, the UI class,
// brand name and result name expected; a console error, a page error or a failed request fails.
// Saves a screenshot. usage: node browser.mjs INBOX_DIR SCREENSHOT.png
// With --bench TOKENS.json it instead measures verifies per second in the page (bench/wasm.sh).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import puppeteer from "puppeteer-core";

const [root, screenshot] = process.argv.slice(2);
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm",
  ".png": "image/png", ".jws": "text/plain" };

// [ui, brand name shown, result] per message of tools/demo.sh.
const EXPECT = {
  otp: ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  statement: ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  chat: ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  push: ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  alerts: ["domain", "", "HALLMARK_VERIFIED_DOMAIN"],
  "sms-directory": ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  deal: ["checkmark", "Acme Bank", "HALLMARK_VERIFIED"],
  tampered: ["neutral", "", "HALLMARK_BODY_MODIFIED"],
  lookalike: ["warning", "", "HALLMARK_SENDER_MISMATCH"],
  stripped: ["warning", "", "HALLMARK_SENDER_ALWAYS_SIGNED"],
  unknown: ["neutral", "", "HALLMARK_UNSIGNED"],
};

let passed = 0, failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++; else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path.includes("..")) { res.writeHead(400).end(); return; }
  try {
    const body = await readFile(join(root, path.endsWith("/") ? `${path}index.html` : path));
    res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "text/html; charset=utf-8",
      "Cache-Control": "no-store" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const watchdog = setTimeout(() => { console.log("FAIL the browser test took over 90 s"); process.exit(1); }, 90000);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const problems = [];
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 1400 });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.body.dataset.verified !== undefined, { timeout: 30000 });
  console.log(`browser: ${await browser.version()}, inbox verified in ${Date.now() - started} ms`);
  check("the page finished verifying", await page.evaluate(() => document.body.dataset.verified) === "done");
  const cards = await page.$$eval("[data-testid=message]", (nodes) => nodes.map((n) => ({
    id: n.dataset.id, ui: n.dataset.ui, result: n.dataset.result,
    shown: n.querySelector(".brand-name")?.textContent ?? "",
    check: n.querySelector(".check") ? n.querySelector(".check").getAttribute("aria-label") : null,
    logo: n.querySelector(".avatar img") !== null,
    actions: n.querySelectorAll(".actions a").length,
    reason: n.querySelector(".reason")?.textContent ?? "",
  })));
  check("every message shown once", cards.length === Object.keys(EXPECT).length, `${cards.length}`);
  for (const card of cards) {
    const want = EXPECT[card.id];
    if (want === undefined) { check(`message ${card.id}`, false, "not expected"); continue; }
    const [ui, brand, result] = want;
    check(`${card.id}: ${ui}`, card.ui === ui, `got ${card.ui}`);
    check(`${card.id}: ${result}`, card.result === result, `got ${card.result}`);
    if (ui === "checkmark") {
      check(`${card.id}: brand name ${brand}`, card.shown === brand, `got ${card.shown}`);
      check(`${card.id}: the checkmark has a text alternative`, card.check === "verified brand");
      check(`${card.id}: the logo, checked against the bundle`, card.logo);
    } else {
      check(`${card.id}: no checkmark, no brand logo`, card.check === null && !card.logo);
      check(`${card.id}: no brand name`, !card.shown.includes("Acme Bank"), card.shown);
      check(`${card.id}: no action buttons`, card.actions === 0);
      if (ui !== "domain") check(`${card.id}: a plain-language reason`, card.reason.length > 20);
    }
  }
  // Keyboard: Tab reaches the signed "Pay now" button of the statement.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.textContent === "Pay now");
  }
  check("Tab reaches the signed Pay now button", reached);
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await page.screenshot({ path: screenshot, fullPage: true });
  check("no console error, page error or failed request", problems.length === 0, problems.join("; "));
} finally {
  await browser.close();
  server.close();
  clearTimeout(watchdog);
}
console.log(`wasm-browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
