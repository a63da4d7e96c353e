"""Bounded load against hallmark-signer: THREADS keep-alive HTTP/1.1 clients (http.client) send
POST /v1/sign for SECONDS or until COUNT requests each, and write every answer as a message line
(channel, from, to, body, token) for hm-verify-batch. Prints "load: N ok, M failed, K kids".
usage: load_client.py URL TOKEN SECONDS COUNT THREADS OUT.ndjson"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

url, token, seconds, count, threads, out = sys.argv[1:7]
seconds, count, threads = float(seconds), int(count), int(threads)
parts = urllib.parse.urlsplit(url)
lock = threading.Lock()
results, failures, kids = [], [], set()


def run(n):
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and i < count:
        body = f"Acme Bank: load message {n}-{i}"
        req = {"brand": "acme-bank", "channel": "sms", "from": "ACMEBANK", "to": "+447700900123",
               "body": body, "category": "transactional", "sender": {"kind": "automated"}}
        try:
            conn.request("POST", "/v1/sign", json.dumps(req),
                         {"Content-Type": "application/json", "Authorization": "Bearer " + token})
            resp = conn.getresponse()
            data = json.loads(resp.read())
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}: {data}")
            with lock:
                kids.add(data["kid"])
                results.append({"channel": "sms", "from": "ACMEBANK", "to": "+447700900123",
                                "body": body, "token": data["token"]})
        except Exception as e:  # every failure is counted and shown
            with lock:
                failures.append(repr(e))
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        i += 1
    conn.close()


ts = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(out, "w") as f:
    for r in results:
        f.write(json.dumps(r) + "\n")
for e in failures[:5]:
    print("FAIL", e)
print(f"load: {len(results)} ok, {len(failures)} failed, {len(kids)} kids")
sys.exit(0 if not failures else 1)
