"""Shared by the consent tests (tests/cli/signer_consent*.sh): JSON requests to hallmark-signer
serve, and the checks that print "FAIL ..." lines. Imported, not run."""
import http.client
import json
import sys
import urllib.parse

failures = []


def post(url, path, body, token="acme-secret-token"):
    """POST body as JSON; (status, parsed JSON or None, headers dict)."""
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    c.request("POST", path, json.dumps(body), headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    return r.status, parsed, {k.lower(): v for k, v in r.getheaders()}


def message(to, category, channel="sms", sender="ACMEBANK", brand="acme-bank", body=None):
    return {"brand": brand, "channel": channel, "from": sender, "to": to,
            "body": body or ("Acme Bank: " + category + " message"), "category": category,
            "sender": {"kind": "automated"}}


def sign(url, to, category, **kw):
    """(status, error code or "signed", response)."""
    st, r, h = post(url, "/v1/sign", message(to, category, **kw))
    code = "signed" if st == 200 and r and "token" in r else (r or {}).get("error", {}).get("code")
    return st, code, r, h


def expect(label, got, want):
    if got != want:
        failures.append(f"{label}: got {got!r}, want {want!r}")


def done():
    for f in failures:
        print("FAIL " + f)
    sys.exit(1 if failures else 0)
