"""The HTTP side: Slack's requests on POST /slack/events and a health check, served by waitress.

The address is public, so every request is treated as hostile until its signature checks
out: its size is capped before anything reads it, its signature is checked before anything
parses it, and junk gets a short 4xx without a traceback or a log line at the default level.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import io
import json
import logging
import resource
import sys
import threading
import time
from collections import deque
from urllib.parse import unquote_to_bytes

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine

from storage.db import ping

log = logging.getLogger("unmentor")

# Slack's largest real payloads (a modal's whole state, a big event) are tens of kilobytes.
MAX_BODY = 1_000_000
# Idle connections: enough headroom that a few hundred idle sockets can't crowd out Slack,
# and a short idle time so they don't stay long. A reverse proxy in front does the rest.
CONNECTION_LIMIT = 1000
IDLE_SECONDS = 10
# A well-formed slash command or click nests a few levels; JSON far deeper is junk.
MAX_NESTING = 64
# Slack's own rule: a request signed more than five minutes ago may be a replay.
SIGNATURE_MAX_AGE = 60 * 5


class Replays:
    """Signatures seen in the last five minutes. Slack signs every delivery afresh (a retried event
    too, with its own timestamp), so the same signature twice is someone replaying a request they
    caught: a click or a command would be acted on again. Past five minutes the signature check
    refuses it anyway. Kept in memory: one web process answers a workspace's requests."""

    def __init__(self, max_age: float = SIGNATURE_MAX_AGE):
        self.max_age = max_age
        self._seen: dict[str, float] = {}
        self._order: deque[tuple[float, str]] = deque()
        self._lock = threading.Lock()

    def first(self, signature: str, at: float) -> bool:
        with self._lock:
            while self._order and self._order[0][0] < at - self.max_age:
                self._seen.pop(self._order.popleft()[1], None)
            if signature in self._seen:
                return False
            self._seen[signature] = at
            self._order.append((at, signature))
            return True


def make_wsgi_app(app: App, engine: Engine, signing_secret: str | None = None):
    slack = SlackRequestHandler(app, path="/slack/events")
    secret = (signing_secret or app._signing_secret).encode()
    replays = Replays()

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(engine, start_response)
        if environ.get("PATH_INFO") != "/slack/events" or environ.get("REQUEST_METHOD") != "POST":
            return _plain(start_response, "404 Not Found", "not found")
        body = _read_capped(environ)
        if body is None:
            return _plain(start_response, "413 Payload Too Large", "request too large")
        if not _signed_by_slack(secret, environ, body):
            log.debug("refused a request without a valid Slack signature")
            return _plain(start_response, "401 Unauthorized", "invalid request")
        if not replays.first(environ.get("HTTP_X_SLACK_SIGNATURE", ""), time.monotonic()):
            log.info("ignored a request already answered (the same signature again)")
            return _plain(start_response, "200 OK", "")
        if _too_deep(body):
            return _plain(start_response, "400 Bad Request", "malformed request")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return _bolt(slack, environ, start_response)
        except (ValueError, RecursionError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
            # Signed by Slack but not a shape Bolt can parse: say so briefly, keep the body out of the log.
            log.warning("refused a signed request Bolt could not parse (%s)", sys.exc_info()[0].__name__)
            return _plain(start_response, "400 Bad Request", "malformed request")

    return wsgi


def _bolt(slack, environ, start_response):
    """Bolt's answer, except that a signed request no listener takes (an event or command we don't use,
    a button from a retired message) gets 200 rather than Bolt's 404: Slack only hears a 404 as a
    failure, and retries it."""
    answered = []
    body = slack(environ, lambda status, headers, exc_info=None: answered.append((status, headers)))
    status, headers = answered[0]
    if status.startswith("404"):
        log.info("ignored a signed request nothing here handles")
        return _plain(start_response, "200 OK", "")
    start_response(status, headers)
    return body


def _read_capped(environ) -> bytes | None:
    """The body, read at most MAX_BODY (+1) bytes at a time; None when it is bigger than that."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if declared > MAX_BODY or declared < 0:
        return None  # refused before reading a byte
    stream = environ.get("wsgi.input")
    if stream is None or declared == 0:
        return b""
    body = stream.read(declared)
    return body if len(body) <= MAX_BODY else None


def _signed_by_slack(secret: bytes, environ, body: bytes) -> bool:
    """Slack's v0 signature over the raw bytes, within Slack's five minutes.

    Done here, before Bolt, because Bolt parses the body first, and because slack_sdk's own
    check raises (500) on a timestamp like 'abc' or a body that isn't UTF-8.
    """
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12 or not signature.isascii():
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _too_deep(body: bytes) -> bool:
    """True for JSON (or payload=JSON) nested past MAX_NESTING, found in one linear pass.

    Counting brackets over-counts ones inside strings, which only makes us stricter about
    bodies no Slack payload resembles.
    """
    # Fast path for every real payload: too few brackets in all to nest that deep.
    opening = body.count(b"[") + body.count(b"{") + sum(body.count(code) for code in (b"%5B", b"%5b", b"%7B", b"%7b"))
    if opening <= MAX_NESTING:
        return False
    depth = 0
    for byte in unquote_to_bytes(body):
        if byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _plain(start_response, status: str, text: str):
    payload = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(payload)))])
    return [payload]


def _health(engine: Engine, start_response):
    try:
        ping(engine)
        status, body = "200 OK", {"ok": True}
    except Exception as error:  # a health check reports; it never raises
        log.warning("health check: database unreachable: %s", error.__class__.__name__)
        status, body = "503 Service Unavailable", {"ok": False, "error": "database unreachable"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def _room_for_connections(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (plus files and the database); what fits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + 100
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(50, min(wanted, soft - 100))


def create_http_server(app: App, engine: Engine, host: str, port: int, threads: int = 8,
                       idle_seconds: int = IDLE_SECONDS, signing_secret: str | None = None):
    """A waitress server with limits safe on a public address (its defaults are not)."""
    from waitress import create_server

    return create_server(
        make_wsgi_app(app, engine, signing_secret), host=host, port=port, threads=threads, ident="unmentor",
        # waitress would otherwise buffer up to 1 GiB per request.
        max_request_body_size=MAX_BODY,
        max_request_header_size=64 * 1024,
        # Past this a request's body waits in a temporary file, not in memory: a thousand
        # connections each sending a near-1 MB body hold 64 MB of memory, not 1 GB.
        inbuf_overflow=64 * 1024,
        connection_limit=_room_for_connections(CONNECTION_LIMIT),
        channel_timeout=idle_seconds,
        cleanup_interval=max(1, min(idle_seconds // 2, 5)),
        # select() can't watch more than 1,024 sockets; poll() can.
        asyncore_use_poll=True,
        expose_tracebacks=False,
    )


def _warm_up_and_freeze(engine: Engine) -> None:
    """The warm-up, then everything start-up made (modules, the app, the holiday calendars) is left out
    of the garbage collector's scans from now on (gc.freeze): it lives as long as the process anyway,
    and a full collection walking it held every thread for 110 ms in the middle of a burst of
    acknowledgements (benchmarks/bench_acks.py)."""
    from bot.app import warm_up

    warm_up(engine)
    gc.freeze()


def serve_http(app: App, engine: Engine, host: str, port: int, threads: int = 8) -> None:
    """Serve until stopped, several requests at once (Bolt's own server handles one at a time)."""
    # Bound before saying so: a port in use raises here, and nothing claims to be listening.
    server = create_http_server(app, engine, host, port, threads)
    log.info("unmentor listening on http://%s:%d/slack/events", host, port)
    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("listening beyond this machine (%s): put a reverse proxy in front that holds slow clients, "
                    "as docs/operating.md's 'Deploying on a public address' shows", host)
    threading.Thread(target=_warm_up_and_freeze, args=(engine,), name="unmentor-warm-up", daemon=True).start()
    # Returns on SIGTERM or Ctrl-C (waitress catches SystemExit and KeyboardInterrupt and closes).
    server.run()
