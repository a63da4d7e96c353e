"""Slow clients against hallmark-signer serve (tests/cli/signer_slow.sh).

usage: slow_clients.py HOST PORT COUNT MODE SECONDS
  MODE headers: send a request line, then one header byte every 0.5 s (slowloris)
  MODE body:    send whole headers with Content-Length: 200, then one body byte every 0.5 s
  MODE silent:  connect and send nothing (a TLS handshake that never starts, on a TLS port)
  MODE flood:   one connection with a tiny receive buffer: 2000 pipelined GET /v1/bundle that
                it never reads the answers of, then junk as fast as the server takes it; prints
                "sent N" (bytes)
Opens COUNT connections, keeps trickling for at most SECONDS, and prints one line per connection:
"closed AFTER" (seconds from connect until the server closed it) or "open" if it outlived SECONDS.
Bounded: every socket has a timeout, and the whole run ends after SECONDS.
"""
import socket
import sys
import time


def flood(host, port, limit):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(2)
    s.connect((host, port))
    s.setblocking(False)
    data = b"GET /v1/bundle HTTP/1.1\r\nHost: x\r\n\r\n" * 2000
    junk = b"j" * 65536
    sent, deadline = 0, time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            n = s.send(data if data else junk)
            sent += n
            data = data[n:]
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    print("sent %d" % sent)
    s.close()


def main():
    host, port, count, mode, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
    if mode == "flood":
        flood(host, port, limit)
        return
    conns = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=2)
        s.setblocking(False)
        conns.append({"sock": s, "start": time.monotonic(), "closed": None, "sent": 0})
    if mode == "headers":
        prefix = b"POST /v1/sign HTTP/1.1\r\nHost: x\r\n"
        trickle = b"X-Slow: " + b"a" * 200
    elif mode == "body":
        prefix = (b"POST /v1/sign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 200\r\n\r\n")
        trickle = b" " * 199
    else:
        prefix, trickle = b"", b""
    for c in conns:
        if prefix:
            c["sock"].sendall(prefix)
    deadline = time.monotonic() + limit
    step = 0
    while time.monotonic() < deadline and any(c["closed"] is None for c in conns):
        for c in conns:
            if c["closed"] is not None:
                continue
            try:
                data = c["sock"].recv(4096)
                if data == b"":
                    c["closed"] = time.monotonic() - c["start"]
                    continue
            except BlockingIOError:
                pass
            except OSError:
                c["closed"] = time.monotonic() - c["start"]
                continue
            if trickle and step % 5 == 0 and c["sent"] < len(trickle):
                try:
                    c["sock"].send(trickle[c["sent"]:c["sent"] + 1])
                    c["sent"] += 1
                except OSError:
                    c["closed"] = time.monotonic() - c["start"]
        step += 1
        time.sleep(0.1)
    for c in conns:
        print("open" if c["closed"] is None else "closed %.2f" % c["closed"])
        c["sock"].close()


if __name__ == "__main__":
    main()
