#!/usr/bin/env bash
# hallmark-signer sign (pipe mode): one NDJSON result per input line, in order; a bad line never
# stops the stream; tokens verify with hallmark-verify; the exit status says whether any line
# failed; the signature log chains; the start-up probe refuses a keystore whose bundle is not
# published or whose key file is damaged.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
make_keystore

good='{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Acme Bank: code 1234","category":"otp","sender":{"kind":"automated"}}'
{
    echo "$good"
    echo '{"brand":"acme-bank","channel":"email","from":"ACME.example","to":"Customer@Example.com","body":"Statement ready","category":"transactional","sender":{"kind":"human","name":"Sam"},"conv":"c-1","actions":[{"kind":"link","label":"View","url":"https://acme.example/s"}],"ttl":604800}'
    echo 'this is not json'
    echo '{"brand":"acme-bank","channel":"sms","from":"GLOBEX","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated"}}'
    echo ''
    echo '{"brand":"globex","channel":"sms","from":"GLOBEX","to":"+447700900123","body":"Globex here","category":"alert","sender":{"kind":"ai"}}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated","name":"Bot"}}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated"},"ttl":604801}'
} >"$work/in.ndjson"
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" <"$work/in.ndjson" \
    >"$work/out.ndjson" 2>"$work/err"
st=$?
set -e
[ "$st" -eq 1 ] && ok || bad "exit $st, want 1 (some lines refused)"
[ "$(wc -l <"$work/out.ndjson")" -eq 8 ] && ok || bad "want 8 output lines, got $(wc -l <"$work/out.ndjson")"
if python3 - "$work/out.ndjson" <<'PY'; then ok; else bad "pipe results: $(cat "$work/out.ndjson")"; fi
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert "token" in out[0] and out[0]["body"] == "Acme Bank: code 1234", out[0]
assert "token" in out[1] and out[1]["conv"] == "c-1"
# The longest lifetime, 7 days, is signed; a second more is refused ([HM-TOKEN-60], line 8).
import base64
p = json.loads(base64.urlsafe_b64decode(out[1]["token"].split(".")[1] + "=="))
assert p["exp"] - p["iat"] == 604800, p
expect = {2: ("bad_request", None), 3: ("sender_not_authorized", "from"), 4: ("bad_request", None),
          6: ("bad_request", "sender"), 7: ("bad_request", "ttl")}
for i, (code, field) in expect.items():
    e = out[i]["error"]
    assert out[i]["line"] == i + 1 and e["code"] == code and e.get("field") == field, out[i]
assert "token" in out[5]
PY
grep -q "3 signed, 5 refused" "$work/err" && ok || bad "summary: $(cat "$work/err")"
# Every token verifies; the e-mail one against the canonical ids the app passes.
python3 - "$work/out.ndjson" "$work" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
for n, i in ((0, 0), (1, 1), (2, 5)):
    m = out[i]
    json.dump({k: m[k] for k in ("channel", "from", "to", "body", "token")}, open(f"{sys.argv[2]}/m{n}.json", "w"))
PY
for n in 0 1 2; do
    r=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$work/m$n.json" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
    # Token 2 is Globex's, a brand at level basic: "signed by" its domain only (issue 22).
    want=HALLMARK_VERIFIED
    [ "$n" -eq 2 ] && want=HALLMARK_VERIFIED_DOMAIN
    [ "$r" = "$want" ] && ok || bad "pipe token $n: $r, want $want"
done
[ "$(wc -l <"$work/sig.log")" -eq 3 ] && ok || bad "signature log: $(wc -l <"$work/sig.log") lines"
# All good lines: exit 0; the log keeps chaining across runs.
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" >/dev/null 2>&1 && ok || bad "all-good run"
python3 - "$work/sig.log" <<'PY' && ok || bad "signature log chain across runs"
import base64, hashlib, json, sys
prev = base64.urlsafe_b64encode(hashlib.sha256(b"hallmark-audit-v1").digest()).rstrip(b"=").decode()
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
assert len(lines) == 4
for n, line in enumerate(lines, 1):
    e = json.loads(line)
    assert e["seq"] == n and e["prev"] == prev and e["client"] == "pipe"
    prev = base64.urlsafe_b64encode(hashlib.sha256(line).digest()).rstrip(b"=").decode()
PY
# A broken signature log: refuse to start rather than sign unrecorded.
sed -i '2s/"client":"pipe"/"client":"evil"/' "$work/sig.log"
set +e
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" >/dev/null 2>"$work/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "hash chain is broken" "$work/err" && ok || bad "broken log: exit $st $(cat "$work/err")"
# Start-up checks: a damaged active key file, then no published bundle.
key=$HALLMARK_KEYSTORE/secret/$acme_k1.key
cp "$key" "$work/key.bak"
python3 - "$key" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["nonce"] = ("A" if d["nonce"][0] != "A" else "B") + d["nonce"][1:]
open(sys.argv[1], "w").write(json.dumps(d))
PY
set +e
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" >/dev/null 2>"$work/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "key file was altered" "$work/err" && ok || bad "damaged key: exit $st $(cat "$work/err")"
cp "$work/key.bak" "$key"
mv "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/bundle.bak"
set +e
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" >/dev/null 2>"$work/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "no published bundle" "$work/err" && ok || bad "no bundle: exit $st $(cat "$work/err")"
mv "$work/bundle.bak" "$HALLMARK_KEYSTORE/published/bundle.jws"
set +e
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" >/dev/null 2>"$work/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "sign needs --audit FILE" "$work/err" && ok || bad "no --audit: exit $st $(cat "$work/err")"
# One writer per signature log.
exec 9>>"$work/sig2.log"
flock 9
set +e
echo "$good" | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig2.log" >/dev/null 2>"$work/err"
st=$?
set -e
exec 9>&-
[ "$st" -eq 2 ] && grep -q "another process is writing this signature log" "$work/err" && ok || bad "second writer: exit $st $(cat "$work/err")"
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --bogus </dev/null >/dev/null 2>"$work/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "unknown option --bogus" "$work/err" && ok || bad "usage: $st $(cat "$work/err")"
# Framing: an overlong line is answered and skipped, CRLF and a last line without its newline are
# read, and the stream goes on.
python3 - "$good" >"$work/framing.ndjson" <<'PY'
import sys
good = sys.argv[1]
sys.stdout.write(good + "\r\n")
sys.stdout.write('{"brand":"acme-bank","body":"' + "x" * (1024 * 1024 + 10) + '"}\n')
sys.stdout.write(good.replace("code 1234", "code 5678") + "\n")
sys.stdout.write("y" * (3 * 1024 * 1024) + "\n")
sys.stdout.write(good.replace("code 1234", "last line"))
PY
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/framing.log" <"$work/framing.ndjson" \
    >"$work/framing.out" 2>"$work/err"
st=$?
set -e
if [ "$st" = 1 ] && python3 - "$work/framing.out" <<'PY'; then ok; else bad "framing: exit $st $(head -c 600 "$work/framing.out")"; fi
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert len(out) == 5, len(out)
assert "token" in out[0] and out[0]["body"] == "Acme Bank: code 1234"
assert out[1] == {"line": 2, "error": {"code": "too_large", "message": "line longer than 1 MiB"}}, out[1]
assert "token" in out[2] and out[2]["body"] == "Acme Bank: code 5678"
assert out[3]["line"] == 4 and out[3]["error"]["code"] == "too_large"
assert "token" in out[4] and out[4]["body"] == "Acme Bank: last line"
PY
[ "$(wc -l <"$work/framing.log")" = 3 ] && ok || bad "framing: want 3 records, got $(wc -l <"$work/framing.log")"

# A producer that waits for each answer before it writes the next line gets it: results are
# delivered before the signer waits for more input.
if python3 - "$signer_cli" "$HALLMARK_KEYSTORE" "$work/interactive.log" "$good" <<'PY'; then ok; else bad "interactive producer: no answer before the next line"; fi
import json, select, subprocess, sys
p = subprocess.Popen([sys.argv[1], "sign", "--keystore", sys.argv[2], "--audit", sys.argv[3]],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
for i in range(3):
    p.stdin.write((sys.argv[4] + "\n").encode())
    p.stdin.flush()
    ready, _, _ = select.select([p.stdout], [], [], 10)
    assert ready, "no answer within 10 s"
    assert "token" in json.loads(p.stdout.readline())
p.stdin.close()
assert p.wait(timeout=10) == 0
PY

# Action labels follow the display-name character rule ([HM-TOKEN-28]): the signer refuses what
# the verifier would refuse, and still signs labels in other scripts.
python3 - "$good" >"$work/labels.ndjson" <<'PY'
import json, sys
good = json.loads(sys.argv[1])
for label in ["Pay\u202ewon", "Pay \u2066now\u2069", "Pay now\u200f", "Pay\u061c now",
              "Pay\u200bnow", "\ufeffPay now", "Pay\u00adnow", "Pay now ", "Payer 10 \u20ac"]:
    m = dict(good, actions=[{"kind": "link", "label": label, "url": "https://acme.example/pay"}])
    print(json.dumps(m))
PY
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/labels.log" <"$work/labels.ndjson" \
    >"$work/labels.out" 2>"$work/err"
st=$?
set -e
if [ "$st" = 1 ] && python3 - "$work/labels.out" <<'PY'; then ok; else bad "action label with a bidi control or invisible character: exit $st $(cat "$work/labels.out")"; fi
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert len(out) == 9, len(out)
for o in out[:8]:
    assert o["error"]["code"] == "bad_request" and o["error"]["field"] == "actions", o
    assert "no control, bidi-control or invisible characters" in o["error"]["message"], o
assert "token" in out[8], out[8]
PY

# A reader that goes away: an error and a non-zero exit, not death by SIGPIPE, and the log still
# gets its checkpoint for every record written.
set +e
for _ in $(seq 3000); do echo "$good"; done |
    "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/epipe.log" 2>"$work/err" | head -c 10 >/dev/null
st=${PIPESTATUS[1]}
set -e
entries=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"])' "$work/epipe.log.head")
[ "$st" = 1 ] && grep -q "writing the results: Broken pipe" "$work/err" &&
    [ "$entries" = "$(wc -l <"$work/epipe.log")" ] && ok ||
    bad "reader gone: exit $st, checkpoint $entries for $(wc -l <"$work/epipe.log") records, $(cat "$work/err")"

# Issue 22 (spec HM-TOKEN-40, HM-TOKEN-41, HM-CRED-45, HM-CRED-46): what the body may hold, and
# call actions that dial the brand's own numbers.
expect_ok "phones" brand update acme-bank --phone +442079460000
expect_ok "publish the phones" publish
python3 - >"$work/body.ndjson" <<'PY'
import json
def req(body, actions=()):
    print(json.dumps({"brand": "acme-bank", "channel": "sms", "from": "ACMEBANK",
                      "to": "+447700900123", "body": body, "category": "alert",
                      "sender": {"kind": "automated"}, "actions": list(actions)}))
req("Your account is locked: https://acme-secure-login.example/verify")
req("Verify at acme-secure-login.example/verify today")
req("Visit www.evil.example for your refund")
req("Pay at http://acme.example/pay")
req("Pay \u202enow")
req("Pay at https://pay.acme.example/inv/1 or see acme.example/help; statement.pdf attached")
req("Call us", [{"kind": "call", "label": "Call Acme", "url": "tel:+442079460000"}])
req("Call us", [{"kind": "call", "label": "Call Acme", "url": "tel:+442079460999"}])
req("Call us", [{"kind": "link", "label": "Call Acme", "url": "tel:+442079460000"}])
PY
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/body.log" <"$work/body.ndjson" \
    >"$work/body.out" 2>"$work/err"
set -e
if python3 - "$work/body.out" "$work" <<'PY'; then ok; else bad "body links: $(cat "$work/body.out")"; fi
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
want = {0: ("action_not_authorized", "body"), 1: ("action_not_authorized", "body"),
        2: ("action_not_authorized", "body"), 3: ("action_not_authorized", "body"),
        4: ("bad_request", "body"), 7: ("action_not_authorized", "actions"),
        8: ("action_not_authorized", "actions")}
for i, (code, field) in want.items():
    e = out[i].get("error", {})
    assert e.get("code") == code and e.get("field") == field, (i, out[i])
for i in (5, 6):
    assert "token" in out[i], (i, out[i])
m = {k: out[6][k] for k in ("channel", "from", "to", "body", "token")}
json.dump(m, open(sys.argv[2] + "/call.json", "w"))
PY
r=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$work/call.json" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["result"], d["brand"]["actions"][0]["url"])')
[ "$r" = "HALLMARK_VERIFIED tel:+442079460000" ] && ok || bad "a call action to a listed number: $r"
set +e
echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"see evil.com","category":"otp","sender":{"kind":"automated"}}' |
    HALLMARK_PUBLIC_SUFFIX_LIST=$work/no-such-list "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" \
        --audit "$work/body2.log" >"$work/body2.out" 2>/dev/null
set -e
grep -q '"code":"unavailable"' "$work/body2.out" && grep -q '"field":"body"' "$work/body2.out" && ok ||
    bad "no Public Suffix List must refuse, not sign: $(cat "$work/body2.out")"

# Issue 22, item 8 (spec HM-CRED-75..77, HM-TOKEN-53): the signer signs only the categories the
# brand's credential lists, and the app warns on a token of another category.
expect_ok "categories" brand update acme-bank --categories transactional,otp
expect_ok "publish the categories" publish
{
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Your code is 1234","category":"otp","sender":{"kind":"automated"}}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Spring sale","category":"marketing","sender":{"kind":"automated"}}'
} >"$work/cat.ndjson"
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/cat.log" <"$work/cat.ndjson" \
    >"$work/cat.out" 2>"$work/cat.err"
st=$?
set -e
if [ "$st" = 1 ] && python3 - "$work/cat.out" <<'PY'; then ok; else bad "categories at signing (exit $st): $(cat "$work/cat.out" "$work/cat.err")"; fi
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert "token" in out[0], out[0]
e = out[1]["error"]
assert e["code"] == "category_not_authorized" and e["field"] == "category", out[1]
PY
python3 - "$work/cat.out" "$work/cat.json" <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).readline())
json.dump({k: o[k] for k in ("channel", "from", "to", "body", "token")}, open(sys.argv[2], "w"))
PY
r=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$work/cat.json" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["result"], d["ui"])')
[ "$r" = "HALLMARK_VERIFIED checkmark" ] && ok || bad "an otp token of a brand vetted for otp: $r"
# Issue 22 items 6 and 7: the signer signs the displayed subject and Reply-To and an SMS's GSM-7
# rendering (HM-TOKEN-47, -48, -50, -51); the verifier checks what the app displays.
email='{"brand":"acme-bank","channel":"email","from":"acme.example","to":"ann@example.org","body":"Statement ready","category":"transactional","sender":{"kind":"automated"}'
{
    echo "$email"',"subject":"Your statement is ready","reply_to":"Help@ACME.example"}'
    echo "$email"',"reply_to":"help@acme-support.example"}'
    echo "$email"',"reply_to":"not an address"}'
    echo "$email"',"renderings":["gsm7"]}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated"},"reply_to":"help@acme.example"}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"It’s due – pay by 1 Dec…","category":"otp","sender":{"kind":"automated"}}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"It’s due – pay by 1 Dec…","category":"otp","sender":{"kind":"automated"},"renderings":[]}'
    echo '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Acme Bank: code 1234","category":"otp","sender":{"kind":"automated"}}'
    echo "$email"',"subject":"'"$(printf 'x%.0s' $(seq 999))"'"}'
    echo "$email"',"subject":"Verify at acme-secure-login.example"}'
    echo "$email"',"subject":"Pay \u202enow"}'
} >"$work/shown.in"
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/shown.log" <"$work/shown.in" \
    >"$work/shown.out" 2>/dev/null
set -e
if python3 - "$work/shown.out" "$work" <<'PY'; then ok; else bad "displayed fields at signing: $(cat "$work/shown.out")"; fi
import base64, hashlib, json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
def claims(i):
    return json.loads(base64.urlsafe_b64decode(out[i]["token"].split(".")[1] + "=="))
def digest(text):
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
want = {1: ("sender_not_authorized", "reply_to"), 2: ("bad_request", "reply_to"),
        3: ("bad_request", "renderings"), 4: ("bad_request", "reply_to"),
        8: ("bad_request", "subject"), 9: ("action_not_authorized", "subject"),
        10: ("bad_request", "subject")}
for i, (code, field) in want.items():
    e = out[i].get("error", {})
    assert e.get("code") == code and e.get("field") == field, (i, out[i])
c = claims(0)
assert c["subject"] == digest("Your statement is ready") and c["reply_to"] == "Help@acme.example", c
assert "alt_body" not in c, c
assert claims(5)["alt_body"] == [digest("It's due - pay by 1 Dec...")], claims(5)
assert "alt_body" not in claims(6) and "alt_body" not in claims(7), (claims(6), claims(7))
for n, i in (("email", 0), ("sms", 5)):
    json.dump({k: out[i][k] for k in ("channel", "from", "to", "body", "token")},
              open(f"{sys.argv[2]}/shown-{n}.json", "w"))
PY
shown() { # MESSAGE [OPTIONS]: result, ui and signed marks of hallmark-verify --json
    local m=$1
    shift
    "$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$m" --json "$@" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["result"], d["ui"], ",".join(d.get("brand", {}).get("signed", [])))'
}
r=$(shown "$work/shown-email.json" --subject "Your statement is ready" --reply-to Help@acme.EXAMPLE || true)
[ "$r" = "HALLMARK_VERIFIED checkmark subject,reply_to" ] && ok || bad "signed subject and Reply-To: $r"
r=$(shown "$work/shown-email.json" --subject "[list] Your statement is ready" || true)
[ "$r" = "HALLMARK_SUBJECT_MODIFIED neutral " ] && ok || bad "subject changed on e-mail: $r"
r=$(shown "$work/shown-email.json" --reply-to attacker@evil.example || true)
[ "$r" = "HALLMARK_REPLY_TO_MISMATCH neutral " ] && ok || bad "Reply-To changed: $r"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["body"]="It'"'"'s due - pay by 1 Dec..."; json.dump(m, open(sys.argv[1],"w"))' "$work/shown-sms.json"
r=$(shown "$work/shown-sms.json" || true)
[ "$r" = "HALLMARK_VERIFIED checkmark body_rendering" ] && ok || bad "an SMS in its GSM-7 rendering: $r"

# --threads: a chunk's lines are signed on several threads; results, log records and their
# order are those of one thread. 3,000 lines (about 1 MB: several chunks), every 7th not JSON and
# every 11th with a lifetime over the limit, each good one with a body of its own; fed at once
# from a file and in pieces through a pipe.
python3 - "$work/many.ndjson" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 3001):
        if i % 7 == 0:
            f.write("not json %d\n" % i)
            continue
        m = {"brand": "acme-bank", "channel": "sms", "from": "ACMEBANK", "to": "+447700900123",
             "body": "message %d %s" % (i, "x" * 300), "category": "otp", "sender": {"kind": "automated"}}
        if i % 11 == 0:
            m["ttl"] = 604801
        f.write(json.dumps(m) + "\n")
PY
for threads in 1 4 4p; do
    rm -f "$work/many.log" "$work/many.log.head"
    set +e
    if [ "$threads" = 4p ]; then
        python3 -c 'import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 70000):
    sys.stdout.buffer.write(data[i:i + 70000]); sys.stdout.buffer.flush(); time.sleep(0.01)' "$work/many.ndjson" |
            "$signer_cli" sign --threads 4 --keystore "$HALLMARK_KEYSTORE" --audit "$work/many.log" \
                >"$work/many-$threads.out" 2>"$work/err"
    else
        "$signer_cli" sign --threads "$threads" --keystore "$HALLMARK_KEYSTORE" \
            --audit "$work/many.log" <"$work/many.ndjson" >"$work/many-$threads.out" 2>"$work/err"
    fi
    st=$?
    set -e
    [ "$st" -eq 1 ] && grep -q "2338 signed, 662 refused" "$work/err" && ok ||
        bad "--threads $threads: exit $st, $(cat "$work/err")"
    python3 - "$work/many-$threads.out" "$work/many.log" <<'PY' && ok || bad "--threads $threads: order"
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert len(out) == 3000, len(out)
jtis = []
for i, m in enumerate(out, 1):
    if i % 7 == 0 or i % 11 == 0:
        assert m["line"] == i and m["error"]["code"] == "bad_request", (i, m)
    else:
        assert m["body"].startswith("message %d " % i) and "token" in m, (i, m)
        jtis.append(m["jti"])
log = [json.loads(l) for l in open(sys.argv[2])]
assert [r["jti"] for r in log] == jtis, "log records out of the output's order"
assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
PY
done
"$signer_cli" audit verify "$work/many.log" >/dev/null 2>&1 && ok || bad "--threads 4: the log's chain"
r=$("$signer_cli" sign --threads 0 --keystore "$HALLMARK_KEYSTORE" --audit "$work/many.log" </dev/null 2>&1 || true)
case $r in *"--threads: 1 to 64"*) ok ;; *) bad "--threads 0: $r" ;; esac

echo "signer-pipe: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
