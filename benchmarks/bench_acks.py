"""How quickly Slack hears back: `python -m benchmarks.bench_acks [--requests 200] [--slow 2]`.

Starts the real `unmentor serve` (SQLite, no clock) against the Slack stand-in on 127.0.0.1 and
sends it `--requests` signed requests at once, half `/unmentor status`, half App Home clicks
(pause and resume), from as many different people, timing each until its HTTP answer: the
acknowledgement Slack waits three seconds for. Three rounds in the same run:

- reference: as many `GET /healthz` at once (the server and the database, no Bolt, no Slack);
- healthy: the stand-in answers every call at once;
- slow: the stand-in takes `--slow` seconds over every call (users.info, views.publish, response URLs).

Target: p99 under 500 ms in both Slack rounds. Exits 1 if either misses it. Loopback only, and
bounded: three rounds of `--requests` requests, each waiting at most 10 s.
"""

from __future__ import annotations

import argparse
import selectors
import socket
import statistics
import sys
import tempfile
import time
import uuid

from bot import ids
from playground.slack import FakeSlack
from playground.slack import payloads as sr
from tests.botprocess import BotServer, bot_env
from tests.conftest import SIGNING_SECRET

TARGET_P99 = 0.5
TEAM = "T111"  # the stand-in's own workspace


def _percentiles(took: list[float]) -> dict[str, float]:
    ordered = sorted(took)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1], "mean": statistics.mean(ordered)}


def _all_at_once(port: int, requests: list[bytes]) -> tuple[list[float], list[int]]:
    """Open a connection per request, then send them all together from one thread (so the client's
    own Python doesn't queue them), timing each from its last byte sent to its whole answer."""
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in requests]
    took, statuses = [10.0] * len(requests), [-1] * len(requests)
    selector = selectors.DefaultSelector()
    sent_at, answers = {}, {}
    try:
        for i, (sock, request) in enumerate(zip(conns, requests)):
            sock.sendall(request)
            sent_at[i] = time.monotonic()
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, i)
            answers[i] = b""
        deadline = time.monotonic() + 10
        while sent_at and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                i = key.data
                chunk = key.fileobj.recv(65536)
                answers[i] += chunk
                head, _, body = answers[i].partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                if not chunk or (length is not None and len(body) >= length):
                    took[i] = time.monotonic() - sent_at.pop(i)
                    statuses[i] = int(answers[i].split(b" ")[1]) if answers[i].startswith(b"HTTP/") else -1
                    selector.unregister(key.fileobj)
    finally:
        for sock in conns:
            sock.close()
    return took, statuses


def _http(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _signed(body: bytes) -> bytes:
    return _http("POST", "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                  **sr.signed_headers(body, SIGNING_SECRET)})


def _slack_requests(fake: FakeSlack, people: list[str]) -> list[bytes]:
    requests = []
    for n, user in enumerate(people):
        if n % 2:
            action = ids.PAUSE if n % 4 == 1 else ids.RESUME
            body = sr.block_actions_body(action, "x", user, team_id=TEAM,
                                         view={"id": "VHOME", "type": "home", "blocks": []})
        else:
            body = sr.slash_command_body("status", user_id=user, team_id=TEAM,
                                         response_url=fake.response_url("bench-" + uuid.uuid4().hex[:8]))
        requests.append(_signed(body))
    return requests


def _line(name: str, took: list[float], statuses: list[int], reference: float | None) -> str:
    p = _percentiles(took)
    refused = sum(1 for s in statuses if s != 200)
    ratio = f"  p99 {p['p99'] / reference:5.1f}x reference" if reference else ""
    return (f"{name:<10} p50 {p['p50'] * 1000:6.0f} ms  p95 {p['p95'] * 1000:6.0f} ms  p99 {p['p99'] * 1000:6.0f} ms  "
            f"max {p['max'] * 1000:6.0f} ms  not 200: {refused}{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds Slack takes over each call in the slow round")
    args = parser.parse_args()
    people = [f"U0BENCH{n:04d}" for n in range(args.requests)]
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as folder:
        for user in people:
            fake.add_user(user, real_name=f"Person {user[-4:]}")
        bot = BotServer(bot_env(f"sqlite:///{folder}/unmentor.db", fake.api_url), folder, "--no-scheduler")
        try:
            # One warm-up request: the bot asks Slack who it is once, at its first request.
            _all_at_once(bot.port, _slack_requests(fake, people[:1]))
            time.sleep(1)
            ref_took, ref_statuses = _all_at_once(bot.port, [_http("GET", "/healthz") for _ in people])
            reference = _percentiles(ref_took)["p99"]
            time.sleep(1)
            healthy_took, healthy_statuses = _all_at_once(bot.port, _slack_requests(fake, people))
            # Let the healthy round's work finish, so the slow round starts from a quiet bot.
            time.sleep(3)
            fake.answer_all_slowly(args.slow)
            slow_took, slow_statuses = _all_at_once(bot.port, _slack_requests(fake, people))
            fake.answer_all_slowly(0)
        finally:
            bot.stop()
    print(f"{args.requests} requests at once; Slack slow = {args.slow:g} s a call; target p99 < "
          f"{TARGET_P99 * 1000:.0f} ms")
    print(_line("reference", ref_took, ref_statuses, None) + "  (GET /healthz)")
    print(_line("healthy", healthy_took, healthy_statuses, reference))
    print(_line("slow", slow_took, slow_statuses, reference))
    healthy_p99, slow_p99 = _percentiles(healthy_took)["p99"], _percentiles(slow_took)["p99"]
    print(f"slow p99 / healthy p99: {slow_p99 / healthy_p99:.2f}x")
    met = healthy_p99 < TARGET_P99 and slow_p99 < TARGET_P99 and set(healthy_statuses + slow_statuses) == {200}
    print("target met" if met else "target MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
