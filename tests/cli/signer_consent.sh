#!/usr/bin/env bash
# Issue 15: customers in control, on one node with the default SQLite store (spec §5.11, §9.7).
#   - hallmark-keys publishes a brand's caps and marketing opt-in in its credential;
#   - pipe mode: a cap of 3 marketing messages a week refuses the 4th with its reset time, a
#     refused line counts nothing, one-time codes are not capped, marketing without a required
#     opt-in is refused;
#   - the service: the carrier keyword table on POST /v1/inbound (every word, any case, spaces
#     trimmed; "stop please" is no keyword), a STOP refuses the next message (409), allows one
#     service confirmation, START lifts it; the operator API sets and exports; 429 with reset and
#     Retry-After; kill -9 right after an acknowledged opt-out: it holds after the restart; the
#     ledger holds no phone number in clear.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
# The keystore is made three days ago, so that a token of two days ago is genuine and expired.
export HALLMARK_NOW=$(($(date +%s) - 3 * 86400))
make_keystore
unset HALLMARK_NOW
write_clients
check() { # LABEL COMMAND...: one assertion
    local label=$1
    shift
    if "$@"; then ok; else bad "$label"; fi
}
py() { PYTHONPATH=tests/cli/lib python3 - "$@"; }

# ---- hallmark-keys: the policy, checked and published -------------------------------------------
expect_fail "a cap on no category" 2 "--cap promotions:3/7d" brand update acme-bank --cap promotions:3/7d
expect_fail "a cap period in minutes" 2 "PERIOD is a whole number and h, d or w" brand update acme-bank --cap marketing:3/30m
expect_fail "a cap of 0" 2 "N is a whole number from 1 to 1000" brand update acme-bank --cap marketing:0/7d
expect_fail "a period over a year" 2 "from 1h to 365d" brand update acme-bank --cap marketing:3/366d
expect_fail "marketing capped twice" 2 "marketing is capped twice" brand update acme-bank --cap marketing:3/7d --cap marketing:5/1d
expect_fail "opt-in maybe" 2 "--marketing-opt-in is yes or no" brand update globex --marketing-opt-in maybe
expect_ok "acme caps marketing" brand update acme-bank --cap service:10/1d --cap marketing:3/1w
expect_ok "globex needs an opt-in" brand update globex --marketing-opt-in yes
check "the audit entry names the policy" grep -q '"policy":{"caps":\[\],"marketing_opt_in":"yes"}' "$HALLMARK_KEYSTORE/audit.log"
expect_ok "publish" publish
expect_ok "show acme" brand show acme-bank
check "brand show prints the caps" grep -q "at most 3 marketing per 1w" "$work/out"
py "$HALLMARK_KEYSTORE/published/bundle.jws" <<'PY' && ok || bad "the credential carries the policy"
import base64, json, sys
def part(jws, i):
    p = jws.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
bundle = part(open(sys.argv[1]).read().strip(), 1)
creds = {part(b["credential"], 1)["sub"]: part(b["credential"], 1) for b in bundle["brands"]}
assert creds["acme-bank"]["policy"] == {"caps": [{"category": "marketing", "max": 3, "period": 604800},
                                                  {"category": "service", "max": 10, "period": 86400}]}, creds["acme-bank"]
assert creds["globex"]["policy"] == {"marketing_opt_in": True}, creds["globex"]
PY
expect_ok "remove the service cap" brand update acme-bank --cap marketing:3/7d
expect_fail "a consent URL over http" 2 "--consent-url http://consent.hallmark.example/v1/consent: a plain https URL" \
    publish --consent-url http://consent.hallmark.example/v1/consent
expect_fail "a consent URL with a query" 2 "no query or fragment" publish --consent-url "https://consent.hallmark.example/v1/consent?x=1"
expect_ok "publish with the consent endpoint" publish --consent-url https://consent.hallmark.example/v1/consent
check "the audit entry names the consent URL" sh -c "tail -n 1 '$HALLMARK_KEYSTORE/audit.log' | grep -q '\"consent_url\":\"https://consent.hallmark.example/v1/consent\"'"
expect_ok "publish again: the consent URL stays" publish
check "the bundle carries it" sh -c "cut -d. -f2 '$HALLMARK_KEYSTORE/published/bundle.jws' | basenc -d --base64url 2>/dev/null | grep -q '\"consent_url\":\"https://consent.hallmark.example/v1/consent\"'"

# ---- pipe mode ------------------------------------------------------------------------------------
line() { # TO CATEGORY [BRAND SENDER]
    printf '{"brand":"%s","channel":"sms","from":"%s","to":"%s","body":"Hello from us","category":"%s","sender":{"kind":"automated"}}\n' \
        "${3:-acme-bank}" "${4:-ACMEBANK}" "$1" "$2"
}
{
    for i in 1 2 3 4 5; do line +447700900201 marketing; done
    line +447700900201 otp
    line +447700900201 transactional
    line +447700900202 marketing
    line +447700900203 marketing globex GLOBEX
    line +447700900203 transactional globex GLOBEX
} >"$work/pipe.in"
t0=$(date +%s)
set +e
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/pipe.log" <"$work/pipe.in" >"$work/pipe.out" 2>"$work/pipe.err"
st=$?
set -e
check "pipe: some lines refused: exit 1" [ "$st" -eq 1 ]
py "$work/pipe.out" "$t0" <<'PY' && ok || bad "pipe results: $(cat "$work/pipe.out" | cut -c1-200)"
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
t0 = int(sys.argv[2])
codes = ["signed" if "token" in o else o["error"]["code"] for o in out]
assert codes == ["signed"] * 3 + ["volume_cap"] * 2 + ["signed", "signed", "signed", "opt_in_required", "signed"], codes
for o in out[3:5]:
    e = o["error"]
    assert e["field"] == "to" and t0 + 604800 <= e["reset"] <= t0 + 604800 + 5, e
PY
check "pipe: the summary counts the refusals" grep -q "7 signed, 3 refused" "$work/pipe.err"
check "pipe: refused lines are not in the signature log" [ "$(wc -l <"$work/pipe.log")" -eq 7 ]
check "pipe: a consent secret was made beside the log, 32 bytes, 0600" \
    [ "$(stat -c '%s %a' "$work/consent.key")" = "32 600" ]
# A second run: the count persists (the window still holds 3), a refused line still counts nothing.
line +447700900201 marketing | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/pipe.log" >"$work/pipe2.out" 2>/dev/null || true
check "pipe: the cap holds across runs" grep -q '"code":"volume_cap"' "$work/pipe2.out"
chmod 644 "$work/consent.key"
set +e
line +447700900201 otp | "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/pipe.log" >/dev/null 2>"$work/pipe3.err"
st=$?
set -e
check "pipe: a consent secret others may read is refused" [ "$st" -eq 2 ]
check "pipe: ... saying why" grep -q "only its owner may read (chmod 600)" "$work/pipe3.err"
chmod 600 "$work/consent.key"

# ---- the service ----------------------------------------------------------------------------------
start_signer "$work/serve.err" --audit "$work/pipe.log"
py "$url" <<'PY' && ok || bad "keyword table"
import sys
from consent import post, expect, done
url = sys.argv[1]
def inbound(text, frm="+447700900301", to="ACMEBANK", token="acme-secret-token"):
    return post(url, "/v1/inbound", {"channel": "sms", "from": frm, "to": to, "text": text}, token)
table = {"opted_out": ["STOP", "stop", " Stop ", "STOPALL", "stopall", "UNSUBSCRIBE", "Unsubscribe", "CANCEL",
                       "cancel", "END", "end\n", "QUIT", "\tquit", "REVOKE", "revoke", "OPTOUT", "OptOut"],
         "opted_in": ["START", "start", "YES", " yes ", "UNSTOP", "unstop"],
         "help": ["HELP", "help", "INFO", " info\r\n"],
         "none": ["stop please", "S T O P", "STOP!", "STOPP", "", "   ", "please stop", "OPT OUT", "st\u00f6p",
                  "STOP STOP", "yes please", "\u0053TOP\u200b"]}
for action, words in table.items():
    for w in words:
        st, r, _ = inbound(w)
        expect(f"{w!r}: status", st, 200)
        expect(f"{w!r}: action", (r or {}).get("action"), action)
        expect(f"{w!r}: brand", (r or {}).get("brand"), "acme-bank")
# Every keyword was recorded, nothing else: the export lists exactly the opt-outs and opt-ins.
st, r, _ = post(url, "/v1/consent/export", {"brand": "acme-bank", "channel": "sms", "recipient": "+447700900301"})
expect("export status", st, 200)
changes = (r or {}).get("changes", [])
expect("export: one change per keyword", len(changes), len(table["opted_out"]) + len(table["opted_in"]))
expect("export: sources", {c["source"] for c in changes}, {"keyword"})
expect("export: first evidence", changes[0]["evidence"] if changes else None, "STOP to ACMEBANK via acme-pipeline")
expect("export: scope and channel", {(c["scope"], c["channel"]) for c in changes}, {("all", "sms")})
# Errors: a sender no brand holds, a client of another brand, a body with other members.
st, r, _ = inbound("STOP", to="NOBODY")
expect("unknown sender", (st, (r or {}).get("error", {}).get("code")), (404, "unknown_brand"))
st, r, _ = inbound("STOP", token="globex-secret-token")
expect("another brand's client", (st, (r or {}).get("error", {}).get("code")), (403, "forbidden"))
st, r, _ = post(url, "/v1/inbound", {"channel": "sms", "from": "+447700900301", "to": "ACMEBANK", "text": "STOP", "x": 1})
expect("unknown member", (st, (r or {}).get("error", {}).get("code")), (400, "bad_request"))
st, r, _ = inbound("STOP", token=None)
expect("no client", st, 401)
done()
PY
py "$url" <<'PY' && ok || bad "STOP, the confirmation, START"
import sys
from consent import post, sign, expect, done
url = sys.argv[1]
c = "+447700900302"
expect("marketing before", sign(url, c, "marketing")[1], "signed")
st, r, _ = post(url, "/v1/inbound", {"channel": "sms", "from": "07700 900302", "to": "ACMEBANK", "text": "stop"})
expect("STOP from a number that is not E.164", (st, r["error"]["code"], r["error"]["field"]), (400, "bad_request", "from"))
expect("... changes nothing", sign(url, c, "marketing")[1], "signed")
st, r, _ = post(url, "/v1/inbound", {"channel": "sms", "from": c, "to": "ACMEBANK", "text": "stop"})
expect("STOP", (st, r["action"]), (200, "opted_out"))
st, code, r, _ = sign(url, c, "marketing")
expect("marketing after STOP", (st, code, r["error"].get("field")), (409, "recipient_opted_out", "to"))
expect("otp after STOP", sign(url, c, "otp")[:2], (409, "recipient_opted_out"))
expect("the service confirmation", sign(url, c, "service")[:2], (200, "signed"))
expect("a second service message", sign(url, c, "service")[:2], (409, "recipient_opted_out"))
post(url, "/v1/inbound", {"channel": "sms", "from": c, "to": "ACMEBANK", "text": "START"})
expect("marketing after START", sign(url, c, "marketing")[:2], (200, "signed"))
# The operator API: marketing out on every channel; transactional still goes.
st, r, _ = post(url, "/v1/consent/set", {"brand": "acme-bank", "channel": "sms", "recipient": c, "scope": "marketing",
                                         "applies_to": "all", "choice": "out", "evidence": "preference centre"})
expect("operator set", (st, r.get("recorded", {}).get("choice")), (200, "out"))
expect("marketing after the operator's opt-out", sign(url, c, "marketing")[1], "recipient_opted_out")
expect("transactional after it", sign(url, c, "transactional")[1], "signed")
st, r, _ = post(url, "/v1/consent/export", {"brand": "acme-bank", "channel": "sms", "recipient": c})
ev = [(x["source"], x["choice"], x["scope"], x["channel"], x["evidence"]) for x in r["changes"]]
expect("export", ev, [("keyword", "out", "all", "sms", "STOP to ACMEBANK via acme-pipeline"),
                      ("keyword", "in", "all", "sms", "START to ACMEBANK via acme-pipeline"),
                      ("operator", "out", "marketing", "all", "operator acme-pipeline: preference centre")])
st, r, _ = post(url, "/v1/consent/set", {"brand": "acme-bank", "channel": "sms", "recipient": c, "scope": "promotions", "choice": "out"})
expect("operator set: a scope that is no category", (st, r["error"]["code"]), (400, "bad_request"))
st, r, _ = post(url, "/v1/consent/set", {"brand": "globex", "channel": "sms", "recipient": c, "scope": "all", "choice": "out"})
expect("operator set: another brand", (st, r["error"]["code"]), (403, "forbidden"))
st, r, _ = post(url, "/v1/consent/set", {"brand": "acme-bank", "channel": "sms", "recipient": "not a number", "scope": "all", "choice": "out"})
expect("operator set: not a recipient", (st, r["error"]["field"]), (400, "recipient"))
done()
PY
py "$url" <<'PY' && ok || bad "429 with reset and Retry-After; a batch"
import sys, time
from consent import post, sign, message, expect, done
url = sys.argv[1]
c = "+447700900303"
t0 = int(time.time())
for i in range(3):
    expect(f"marketing {i + 1}", sign(url, c, "marketing")[1], "signed")
st, code, r, h = sign(url, c, "marketing")
expect("the 4th", (st, code), (429, "volume_cap"))
reset = r["error"].get("reset", 0)
expect("reset is a week after the first", t0 + 604800 <= reset <= int(time.time()) + 604800, True)
expect("Retry-After", 604790 <= int(h.get("retry-after", "0")) <= 604800, True)
st, r, _ = post(url, "/v1/sign/batch", {"messages": [message("+447700900304", "marketing") for _ in range(5)]})
codes = ["signed" if "token" in x else x["error"]["code"] for x in r["results"]]
expect("a batch of 5 to one recipient", codes, ["signed"] * 3 + ["volume_cap"] * 2)
done()
PY
# One tap in the app (HM-TOKEN-68): marketing carries the unsubscribe action to the consent URL;
# the app sends the message it verified; forged, replayed, expired, other-recipient, other-brand and
# other-platform requests are refused and change nothing.
"$test_sign" "$HALLMARK_KEYSTORE" acme-bank "$acme_k1" $(($(date +%s) - 2 * 86400)) "An old message" >"$work/expired.json"
(
    set -e
    export HALLMARK_KEYSTORE=$work/other
    "$keys_cli" init --platform "Another Platform" --kdf minimum
    "$keys_cli" brand add acme-bank --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" \
        --sender sms:ACMEBANK@+44 --link-domain acme.example --level organization
    k=$("$keys_cli" key add acme-bank)
    "$keys_cli" publish
    "$keys_cli" key promote "$k" --force --reason "first key"
    "$keys_cli" publish
    "$test_sign" "$work/other" acme-bank "$k" "$(date +%s)" "Acme Bank: 20% off this week" >"$work/other.json"
) >"$work/other.log" 2>&1 && ok || bad "another platform's keystore: $(tail -3 "$work/other.log")"
py "$url" "$work/expired.json" "$work/other.json" <<'PY' && ok || bad "one tap"
import json, sys
from consent import post, sign, message, expect, done
url = sys.argv[1]
r1, r2 = "+447700900310", "+447700900311"
body = "Acme Bank: 20% off this week"
st, code, signed, _ = sign(url, r1, "marketing", body=body)
expect("marketing signed", code, "signed")
def tap(token, to=r1, frm="ACMEBANK", text=body, choice="out", **extra):
    req = {"channel": "sms", "from": frm, "to": to, "body": text, "token": token, "choice": choice}
    req.update(extra)
    return post(url, "/v1/consent", req, token=None)
token = signed["token"]
forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
cases = [("forged", tap(forged), "HALLMARK_BAD_SIGNATURE"),
         ("another recipient", tap(token, to=r2), "HALLMARK_RECIPIENT_MISMATCH"),
         ("another body", tap(token, text=body + "!"), "HALLMARK_BODY_MODIFIED"),
         ("another sender", tap(token, frm="GLOBEX"), "HALLMARK_SENDER_MISMATCH")]
for label, (st, r, _), verdict in cases:
    expect(label, (st, r["error"]["code"], r["error"].get("verdict")), (403, "forbidden", verdict))
old = json.load(open(sys.argv[2]))
st, r, _ = tap(old["token"], to=old["to"], frm=old["from"], text=old["body"])
expect("an expired token", (st, r["error"].get("verdict")), (403, "HALLMARK_TOKEN_EXPIRED"))
other = json.load(open(sys.argv[3]))
st, r, _ = tap(other["token"], to=other["to"], frm=other["from"], text=other["body"])
expect("another platform's token", (st, r["error"]["code"]), (403, "forbidden"))
st, r, _ = tap(token, choice="maybe")
expect("a choice that is neither", st, 400)
st, r, _ = tap(token, scope="otp")
expect("a scope of another category", (st, r["error"].get("field")), (400, "scope"))
# Nothing changed: marketing to r1 and r2 still signed (r1 then has 2 of its 3 a week).
expect("r1 unchanged", sign(url, r1, "marketing")[1], "signed")
expect("r2 unchanged", sign(url, r2, "marketing")[1], "signed")
st, r, _ = post(url, "/v1/consent/export", {"brand": "acme-bank", "channel": "sms", "recipient": r1})
expect("r1's ledger is empty", r["changes"], [])
# The genuine tap: recorded for marketing on sms; the next marketing refused, a code still goes.
st, r, _ = tap(token)
expect("one tap", (st, r.get("recorded", {}).get("scope"), r.get("recorded", {}).get("source")), (200, "marketing", "app"))
expect("marketing after the tap", sign(url, r1, "marketing")[:2], (409, "recipient_opted_out"))
expect("a one-time code after the tap", sign(url, r1, "otp")[1], "signed")
st, r, _ = tap(token, choice="in")
expect("the same token again", (st, r["error"]["code"]), (409, "token_used"))
expect("still opted out", sign(url, r1, "marketing")[1], "recipient_opted_out")
st, r, _ = post(url, "/v1/consent/export", {"brand": "acme-bank", "channel": "sms", "recipient": r1})
ev = [(x["source"], x["choice"], x["scope"], x["channel"], x["evidence"]) for x in r["changes"]]
expect("the ledger", ev, [("app", "out", "marketing", "sms", "jti " + signed["jti"])])
done()
PY
py "$url" <<'PY' && ok || bad "the signed unsubscribe action"
import sys
from consent import sign, expect, done
url = sys.argv[1]
st, code, r, _ = sign(url, "+447700900312", "marketing")
import base64, json
claims = json.loads(base64.urlsafe_b64decode(r["token"].split(".")[1] + "=="))
expect("marketing carries it", claims.get("actions"),
       [{"kind": "unsubscribe", "label": "Unsubscribe", "url": "https://consent.hallmark.example/v1/consent"}])
st, code, r, _ = sign(url, "+447700900312", "transactional")
claims = json.loads(base64.urlsafe_b64decode(r["token"].split(".")[1] + "=="))
expect("transactional does not", claims.get("actions"), None)
done()
PY
# kill -9 right after an acknowledged opt-out: it holds after the restart.
py "$url" <<'PY' && ok || bad "opt-out acknowledged"
import sys
from consent import post, expect, done
st, r, _ = post(sys.argv[1], "/v1/inbound", {"channel": "sms", "from": "+447700900305", "to": "ACMEBANK", "text": "QUIT"})
expect("QUIT", (st, r["action"]), (200, "opted_out"))
done()
PY
{ kill -9 "$signer_pid" && wait "$signer_pid"; } 2>/dev/null || true
kill "$watchdog_pid" 2>/dev/null || true
signer_pid= watchdog_pid=
start_signer "$work/serve2.err" --audit "$work/pipe.log"
py "$url" <<'PY' && ok || bad "the opt-out holds after kill -9"
import sys
from consent import sign, expect, done
expect("after the restart", sign(sys.argv[1], "+447700900305", "transactional")[:2], (409, "recipient_opted_out"))
done()
PY
stop_signer
check "no phone number in the store in clear" [ "$(grep -c -a '7700900' "$work/tokens.db" "$work"/tokens.db-wal 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')" -eq 0 ]
echo "signer-consent: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
