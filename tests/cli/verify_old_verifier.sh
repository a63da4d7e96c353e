#!/usr/bin/env bash
# Tokens from today's hallmark-signer verify with the hallmark-verify of commit 49be0ef (main
# before issue 16 rewrote how the signer writes its claims and token ids): the old verifier is
# built from that commit into a temporary folder, and signs nothing. The tokens cover an Ed25519
# and an ES256 brand key, the sms, whatsapp and email channels, non-ASCII text in every claim
# that carries text (sender name, action labels), quotes and backslashes, a GSM-7 rendering
# (alt_body), a subject, a Reply-To, conv and four actions; each verdict is checked exactly, with
# the old verifier and with today's, and a changed body or subject is refused by both.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

old_commit=49be0ef
old=$work/old
if ! git -C . cat-file -e "$old_commit^{commit}" 2>/dev/null; then
    bad "commit $old_commit (main before issue 16) is not in this repository's history: this" \
        "suite needs a clone with history (git fetch --unshallow) to build the old verifier"
    echo "verify-old-verifier: $passed passed, $failed failed"
    exit 1
fi
mkdir -p "$old"
git -C . archive "$old_commit" | tar -x -C "$old"
if make -C "$old" -s -j2 BUILD=build build/bin/hallmark-verify >"$work/old-build.log" 2>&1; then
    ok
else
    bad "the verifier of $old_commit does not build: $(tail -c 600 "$work/old-build.log")"
    echo "verify-old-verifier: $passed passed, $failed failed"
    exit 1
fi
old_verify=$old/build/bin/hallmark-verify

make_two_alg_keystore "Hallmark Old Verifier"

# One request a line; the verdict both verifiers must give follows in the python below.
cat >"$work/requests.ndjson" <<'EOF'
{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Acme Bank: code 4401","category":"otp","sender":{"kind":"automated"}}
{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Café «Zoë» — 5 € ✓ \"quoted\" back\\slash\nnew line\ttab 🙂 日本語","category":"transactional","sender":{"kind":"automated"},"ttl":604800}
{"brand":"acme-bank","channel":"email","from":"acme.example","to":"Jane@Example.org","body":"Dear Zoë,\r\n\r\nyour statement — €1,234.56 — is ready.\u0007\u001f \"ok\" \\ /path","category":"transactional","sender":{"kind":"human","name":"Zoë Ørsted-Łukasz"},"conv":"c-9/\"x\"\\y~","subject":"Relevé «mars» — prêt ✓","reply_to":"Help@ACME.example","actions":[{"kind":"link","label":"Öffnen ✓","url":"https://acme.example/s/1?a=\"b\"&c=\\d"},{"kind":"reply","label":"Répondre «ici»","url":"https://acme.example/r"},{"kind":"link","label":"日本語で見る","url":"https://acme.example/ja/%E6%97%A5"},{"kind":"link","label":"\"Quoted\" \\ label","url":"https://acme.example/q"}]}
{"brand":"acme-bank","channel":"whatsapp","from":"+447700900555","to":"+447700900123","body":"WhatsApp: 🙂 ünïcödé","category":"service","sender":{"kind":"ai"},"conv":"wa-1"}
{"brand":"initech","channel":"sms","from":"INITECH","to":"+447700900123","body":"Initech: réunion à 15h — «salle 2»","category":"alert","sender":{"kind":"automated"}}
{"brand":"initech","channel":"email","from":"initech.example","to":"bob@example.com","body":"TPS report due","category":"service","sender":{"kind":"human","name":"Peter Gibbons"},"subject":"TPS — «urgent»","reply_to":"hr@initech.example","actions":[{"kind":"link","label":"Ouvrir","url":"https://initech.example/tps"}]}
EOF
sign_all "$work/requests.ndjson" "$work/signed.ndjson"

# The messages as the app receives them (the displayed subject and Reply-To beside the body),
# each also with its body changed and, for those with a subject, its subject changed.
python3 - "$work/requests.ndjson" "$work/signed.ndjson" "$work" <<'PY'
import base64, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
outs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
work = sys.argv[3]
def claims(t):
    p = t.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
for i, (r, o) in enumerate(zip(reqs, outs)):
    assert "token" in o, (i, o)
    m = {k: r[k] for k in ("channel", "from", "to", "body")}
    m["token"] = o["token"]
    for k in ("subject", "reply_to"):
        if k in r:
            m[k] = r[k]
    json.dump(m, open(f"{work}/m{i}.json", "w"))
    json.dump(dict(m, body=m["body"] + "!"), open(f"{work}/m{i}-body.json", "w"))
    if "subject" in m:
        json.dump(dict(m, subject=m["subject"] + "!"), open(f"{work}/m{i}-subject.json", "w"))
# The claims carry every optional member the requests asked for, their text as given.
c = claims(outs[2]["token"])
assert c["sender"] == {"kind": "human", "name": "Zoë Ørsted-Łukasz"}, c
assert [a["label"] for a in c["actions"]] == ["Öffnen ✓", "Répondre «ici»", "日本語で見る", "\"Quoted\" \\ label"], c
assert c["conv"] == "c-9/\"x\"\\y~" and c["reply_to"] == "Help@acme.example" and "subject" in c, c
assert "alt_body" in claims(outs[1]["token"]) and "alt_body" not in claims(outs[0]["token"])
assert [claims(o["token"])["channel"] for o in outs] == ["sms", "sms", "email", "whatsapp", "sms", "email"]
PY
[ -f "$work/m5.json" ] && ok || bad "the signed messages were not written"

# verdict_of CLI MESSAGE: the result name the verifier gives the message.
verdict_of() {
    "$1" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$2" --json 2>>"$work/verify.err" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' || true
}

for cli in "$old_verify" "$verify_cli"; do
    which=new
    [ "$cli" = "$old_verify" ] && which="$old_commit"
    for i in 0 1 2 3 4 5; do
        # Initech is a brand at level basic: "signed by" its domain only (issue 22).
        want=HALLMARK_VERIFIED
        [ "$i" -ge 4 ] && want=HALLMARK_VERIFIED_DOMAIN
        r=$(verdict_of "$cli" "$work/m$i.json")
        [ "$r" = "$want" ] && ok || bad "verifier $which, token $i: $r, want $want"
        r=$(verdict_of "$cli" "$work/m$i-body.json")
        [ "$r" = HALLMARK_BODY_MODIFIED ] && ok ||
            bad "verifier $which, token $i with its body changed: $r, want HALLMARK_BODY_MODIFIED"
        if [ -f "$work/m$i-subject.json" ]; then
            r=$(verdict_of "$cli" "$work/m$i-subject.json")
            [ "$r" = HALLMARK_SUBJECT_MODIFIED ] && ok ||
                bad "verifier $which, token $i with its subject changed: $r, want HALLMARK_SUBJECT_MODIFIED"
        fi
    done
done

echo "verify-old-verifier: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
