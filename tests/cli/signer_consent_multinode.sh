#!/usr/bin/env bash
# Issue 15: caps and opt-outs are exact across nodes (spec §9.7, HM-CARRY-50, HM-CARRY-52). Two
# signing nodes on one PostgreSQL this test starts, sharing one consent secret:
#   - eight concurrent clients on each node, 200 marketing messages to one recipient under a cap
#     of 3 per 7 days: exactly 3 signed and 197 refused with 429 volume_cap, on each of three
#     runs (a new recipient each);
#   - an opt-out taken on node a refuses the next message on node b;
#   - PostgreSQL stopped: marketing is refused (503, saying consent cannot be checked); a
#     one-time code by e-mail is signed unchecked and counted; one by SMS is refused, because its
#     token cannot reach the directory; both nodes recover when the server is back.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
. tests/cli/lib/postgres.sh

. tests/cli/lib/nodes.sh
trap 'stop_nodes; pg_stop; rm -rf "$work"' EXIT
py() { PYTHONPATH=tests/cli/lib python3 - "$@"; }

make_keystore
write_clients
expect_ok "cap marketing at 3 a week" brand update acme-bank --cap marketing:3/7d
expect_ok "publish" publish
head -c 32 /dev/urandom >"$work/consent.key"
chmod 600 "$work/consent.key"
if ! pg_start; then
    bad "PostgreSQL did not start (make deps installs postgresql-15)"
    echo "signer-consent-multinode: $passed passed, $failed failed"
    exit 1
fi
conninfo=$(pg_createdb hallmark)
start_node a serve --consent-secret "$work/consent.key"
start_node b serve --consent-secret "$work/consent.key"

for run in 1 2 3; do
    py "${node_url[a]}" "${node_url[b]}" "+4477009004$run" <<'PY' && ok || bad "exactness, run $run"
import sys, threading
from consent import sign, expect, done
urls, rcpt = sys.argv[1:3], sys.argv[3]
results, lock = [], threading.Lock()
def client(url, count):
    for _ in range(count):
        st, code, _, h = sign(url, rcpt, "marketing")
        with lock:
            results.append((st, code, "retry-after" in h))
threads = []
for node in range(2):
    for c in range(8):  # 16 clients, 200 messages: 12 or 13 each
        threads.append(threading.Thread(target=client, args=(urls[node], 13 if node * 8 + c < 8 else 12)))
for t in threads:
    t.start()
for t in threads:
    t.join()
expect("messages sent", len(results), 200)
expect("signed", sum(1 for r in results if r[1] == "signed"), 3)
expect("429 volume_cap with Retry-After", sum(1 for r in results if r[:3] == (429, "volume_cap", True)), 197)
done()
PY
done
check() { if "${@:2}"; then ok; else bad "$1"; fi; }
check "the count is in the shared store: 9 signing times" \
    [ "$(pg_sql hallmark "SELECT count(*) FROM hallmark_sends WHERE category = 'marketing'")" = 9 ]

py "${node_url[a]}" "${node_url[b]}" <<'PY' && ok || bad "an opt-out on node a refuses on node b"
import sys
from consent import post, sign, expect, done
a, b = sys.argv[1:3]
c = "+447700900450"
expect("node b signs before", sign(b, c, "transactional")[1], "signed")
st, r, _ = post(a, "/v1/inbound", {"channel": "sms", "from": c, "to": "ACMEBANK", "text": "STOP"})
expect("STOP on node a", (st, r["action"]), (200, "opted_out"))
expect("node b refuses the next", sign(b, c, "transactional")[:2], (409, "recipient_opted_out"))
st, r, _ = post(b, "/v1/inbound", {"channel": "sms", "from": c, "to": "ACMEBANK", "text": "start"})
expect("START on node b", (st, r["action"]), (200, "opted_in"))
expect("node a signs again", sign(a, c, "transactional")[1], "signed")
done()
PY

pg_halt
py "${node_url[a]}" "${node_url[b]}" <<'PY' && ok || bad "PostgreSQL down: fail closed, otp documented"
import sys
from consent import sign, post, expect, done
a, b = sys.argv[1:3]
st, code, r, _ = sign(a, "+447700900460", "marketing")
expect("marketing", (st, code), (503, "unavailable"))
expect("says why", "consent cannot be checked" in r["error"]["message"], True)
expect("transactional on node b", sign(b, "+447700900460", "transactional")[:2], (503, "unavailable"))
st, code, r, _ = sign(a, "customer@example.com", "otp", channel="email", sender="acme.example")
expect("an e-mail one-time code is signed unchecked", (st, code), (200, "signed"))
expect("an SMS one-time code: its token cannot reach the directory", sign(b, "+447700900460", "otp")[:2], (503, "unavailable"))
st, r, _ = post(a, "/v1/inbound", {"channel": "sms", "from": "+447700900460", "to": "ACMEBANK", "text": "STOP"})
expect("a STOP is not acknowledged", (st, r["error"]["code"]), (503, "unavailable"))
done()
PY
check "the unchecked code is counted in /metrics" sh -c "curl -s '${node_url[a]}/metrics' | grep -q '^hallmark_consent_unchecked_total 1$'"
pg_resume
py "${node_url[a]}" "${node_url[b]}" <<'PY' && ok || bad "both nodes recover"
import sys, time
from consent import sign, expect, done
for url in sys.argv[1:3]:
    for _ in range(50):
        st, code, _, _ = sign(url, "+447700900461", "transactional")
        if st == 200:
            break
        time.sleep(0.2)
    expect(url, code, "signed")
done()
PY
stop_node a
stop_node b
echo "signer-consent-multinode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
