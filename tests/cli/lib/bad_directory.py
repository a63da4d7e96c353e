#!/usr/bin/env python3
"""A token directory that misbehaves, for hallmark-verify --fetch (tests/cli/verify_fetch.sh).

Listens on 127.0.0.1 on an ephemeral port, prints the port, and answers GET <mode>/<key> by mode:
  huge       200 with a 2 MiB body           many    200 with 101 tokens
  error      500                             limited 429 with Retry-After: 7
  redirect   302 to /none                    slow    waits 5 s before answering
  garbage    200, not JSON                   numbers 200 {"tokens": [1, 2]}
  extra      200 {"tokens": [], "x": 1}      none    404
  chunked    200 with a 2 MiB chunked body (no Content-Length)
Every request is appended to the file given as the first argument (path and headers), so that the
test can check what the client sent. Stops by itself after 120 seconds.
"""
import http.server
import sys
import threading
import time

LOG = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(f"GET {self.path}\n{self.headers}\n")
        mode = self.path.split("/")[1]
        if mode == "huge":
            self.reply(200, b'{"tokens":["' + b"A" * (2 << 20) + b'"]}')
        elif mode == "chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"A" * 65536
            try:
                for _ in range(32):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif mode == "many":
            body = '{"tokens":[' + ",".join(['"a.b.c"'] * 101) + "]}"
            self.reply(200, body.encode())
        elif mode == "error":
            self.reply(500, b"{}")
        elif mode == "limited":
            self.reply(429, b"{}", [("Retry-After", "7")])
        elif mode == "redirect":
            self.reply(302, b"", [("Location", "/none/x")])
        elif mode == "slow":
            time.sleep(5)
            self.reply(404, b"")
        elif mode == "garbage":
            self.reply(200, b"<html>not json</html>")
        elif mode == "numbers":
            self.reply(200, b'{"tokens":[1,2]}')
        elif mode == "extra":
            self.reply(200, b'{"tokens":[],"x":1}')
        else:
            self.reply(404, b"")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the client hung up on a long answer: that is what the test wants


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
