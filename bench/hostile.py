#!/usr/bin/env python3
"""Two hostile clients against a running hub, as reproductions with figures (standard library
only; prints one JSON object):

  huge-frame   opens /ws/desk, sends a text-frame header declaring 1 TiB, then streams bytes
               for --seconds (or until the hub refuses): bytes the hub took, how it answered
               (close code, reset), and the hub's peak resident memory.
  idle-http    opens --connections keep-alive HTTP connections that each make one request and
               then idle: the hub's memory per connection with no socket behind it, which is
               what the HTTP dispatcher alone keeps (its read and write buffers).
  unread-desk  escalates a session, takes it with a desk whose receive buffer is tiny and that
               never reads, and keeps the session busy: whether and when the hub lets the desk
               go, and when the session is back with the bot.

  bench/hostile.py huge-frame  --url http://127.0.0.1:8000 --hub-pid PID [--seconds 6]
  bench/hostile.py unread-desk --url http://127.0.0.1:8000 [--seconds 30]
  bench/hostile.py idle-http   --url http://127.0.0.1:8000 --hub-pid PID [--connections 5000]
"""

import argparse
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def frame(opcode, payload, last=True):
    """A masked client frame (an all-zero mask, so the payload goes as it is)."""
    head = bytes([(0x80 if last else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


def upgrade(host, port, path, rcvbuf=None):
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect((host, port))
    sock.sendall(
        (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise RuntimeError("upgrade refused")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.decode(errors="replace"))
    return sock


def close_code(sock):
    """The code of the first close frame the hub sent, if any arrives within a second."""
    sock.settimeout(1)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    while len(data) >= 2:
        opcode, length, start = data[0] & 0x0F, data[1] & 0x7F, 2
        if length == 126:
            length, start = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, start = int.from_bytes(data[2:10], "big"), 10
        if opcode == 0x8 and length >= 2:
            return int.from_bytes(data[start:start + 2], "big")
        data = data[start + length:]
    return None


def huge_frame(args, host, port):
    peak = [rss_mb(args.hub_pid)]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(args.hub_pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    before = rss_mb(args.hub_pid)
    sock = upgrade(host, port, "/ws/desk")
    sock.sendall(bytes([0x81, 0xFF]) + (1 << 40).to_bytes(8, "big") + b"\0\0\0\0")
    chunk, sent, outcome = b"x" * (1 << 20), 0, "took everything sent"
    deadline = time.monotonic() + args.seconds
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            sent += sock.send(chunk)
        except socket.timeout:
            continue
        except OSError as error:
            outcome = f"refused: {error.strerror or error}"
            break
    code = close_code(sock)
    sock.close()
    time.sleep(0.5)
    stop.set()
    sampler.join()
    return {"scenario": "huge-frame", "declared_bytes": 1 << 40, "bytes_sent": sent,
            "outcome": outcome, "close_code": code, "rss_before_mb": round(before, 1),
            "rss_peak_mb": round(peak[0], 1), "rss_after_mb": round(rss_mb(args.hub_pid), 1)}


def http(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def unread_desk(args, host, port):
    base, name = args.url.rstrip("/"), f"unread-{int(time.time() * 1000)}"
    http(f"{base}/api/chat", {"session_name": name, "message": "hello"})
    http(f"{base}/api/manual/escalate", {"session_name": name, "reason": "user_request"})
    desk = upgrade(host, port, "/ws/desk", rcvbuf=4096)
    available = {"type": "available", "agent_id": "agent_deaf", "agent_name": "Deaf",
                 "capacity": 1}
    desk.sendall(frame(0x1, json.dumps(available).encode()))
    start = time.monotonic()
    while http(f"{base}/api/sessions/{name}?limit=1")[1]["status"] != "manual_live":
        time.sleep(0.05)
    line = {"session_name": name, "role": "user", "content": "w" * 2000}
    open_after, cut_at, bot_at, sent = None, None, None, 0
    deadline = start + args.seconds
    while time.monotonic() < deadline and bot_at is None:
        status, _ = http(f"{base}/api/manual/messages", line)
        sent += status == 200
        health = http(f"{base}/api/health")[1]
        if cut_at is None and health["connections_open"] == 0:
            cut_at = time.monotonic() - start
        if http(f"{base}/api/sessions/{name}?limit=1")[1]["status"] == "bot_active":
            bot_at = time.monotonic() - start
        open_after = health["connections_open"]
    desk.close()
    return {"scenario": "unread-desk", "observed_s": round(time.monotonic() - start, 1),
            "lines_sent": sent, "desk_let_go_after_s": cut_at and round(cut_at, 2),
            "back_to_bot_after_s": bot_at and round(bot_at, 2),
            "sockets_open_at_end": open_after}


def idle_http(args, host, port):
    import asyncio

    request = f"GET /api/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

    async def one(gate):
        async with gate:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await reader.read(65536)
            return writer

    async def run():
        gate = asyncio.Semaphore(256)
        started = time.monotonic()
        held = await asyncio.gather(*(one(gate) for _ in range(args.connections)))
        after, took = rss_mb(args.hub_pid), time.monotonic() - started
        for writer in held:
            writer.close()
        return after, took

    before = rss_mb(args.hub_pid)
    after, took = asyncio.run(run())
    return {"scenario": "idle-http", "connections": args.connections,
            "opened_in_s": round(took, 2),
            "kb_per_connection": round((after - before) * 1024 * 1.024 / args.connections, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["huge-frame", "unread-desk", "idle-http"])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--hub-pid", type=int)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--connections", type=int, default=5000)
    args = parser.parse_args()
    url = urlparse(args.url)
    run = {"huge-frame": huge_frame, "unread-desk": unread_desk, "idle-http": idle_http}
    run = run[args.scenario]
    print(json.dumps(run(args, url.hostname, url.port or 80)))


if __name__ == "__main__":
    main()
