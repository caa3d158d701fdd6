"""Requests from anyone: the real `unmentor serve` on a real socket, sent what an attacker would send.

Every test here talks to the running process over loopback and reads its real log, at the
level an operator runs it (INFO), or with -v where it says so.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request
import uuid

import pytest

from playground.slack import payloads as sr
from tests.botprocess import BotServer, bot_env
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

SECRET_TEXT = "my-confidential-answer-7f3a"
SECRET_USER = "U0WHISTLE9"


@pytest.fixture(scope="module")
def server(module_fake_slack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    env = bot_env(f"sqlite:///{folder / 'unmentor.db'}", module_fake_slack.api_url)
    bot = BotServer(env, str(folder), "--no-scheduler", host=None)  # where an operator who didn't say listens
    yield bot
    bot.stop()


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _raw(port: int, head: bytes, body_chunks=(), timeout: float = 10) -> bytes:
    """Send a request by hand (to lie about sizes, or trickle), and read whatever comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped listening to the junk, as it should
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return answer


def _post(server, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(server.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_100_mb_unsigned_post_is_refused_without_reading_it(server):
    before_rss, before_log = _rss_kib(server.process.pid), server.log.stat().st_size
    head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode()
    junk = b"A" * (1024 * 1024)
    started = time.monotonic()
    answer = _raw(server.port, head, (junk for _ in range(100)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 10
    assert _rss_kib(server.process.pid) - before_rss < 30 * 1024  # not 100 MB (it grew 625 MB before)
    assert server.log.stat().st_size - before_log < 2000


def test_a_large_chunked_post_is_refused_too(server):
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"A" * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 40 + [b"0\r\n\r\n"]  # 2.5 MB
    answer = _raw(server.port, head, chunks)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_body_just_over_a_megabyte_is_refused_and_a_real_one_is_not(server, module_fake_slack):
    big = sr.slash_command_body("help " + "x" * 1_000_100)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(big)),
               **sr.signed_headers(big, SIGNING_SECRET)}
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    # The server may answer and close before the body is all sent; read its answer either way.
    assert _raw(server.port, head, [big]).startswith(b"HTTP/1.1 413")
    name = "help-" + uuid.uuid4().hex[:6]
    small = sr.slash_command_body("help", response_url=module_fake_slack.response_url(name))
    assert sr.post(server.url, small, SIGNING_SECRET)[0] == 200
    assert module_fake_slack.wait_for(lambda f: any(r["_name"] == name for r in f.responses), timeout=10)


def _confidential_follow_up():
    values = {"learned": {"learned": SECRET_TEXT}}
    return sr.view_submission_body("follow_up", values, SECRET_USER)


def test_a_stale_or_forged_request_leaves_no_body_in_the_log(server):
    body = _confidential_follow_up()
    # Correctly signed, but 400 s late (Slack allows 5 minutes); then signed with a wrong secret.
    assert sr.post(server.url, body, SIGNING_SECRET, timestamp=time.time() - 400)[0] == 401
    assert sr.post(server.url, body, "0" * 32)[0] == 401
    slash = sr.slash_command_body(f"join {SECRET_TEXT}", user_id=SECRET_USER)
    assert sr.post(server.url, slash, SIGNING_SECRET, timestamp=time.time() - 400)[0] == 401
    time.sleep(0.5)
    log = server.log.read_text()
    assert SECRET_TEXT not in log and SECRET_USER not in log
    assert "verification_token" not in log


@pytest.mark.parametrize("body, content_type", [
    (b"payload=not-json-at-all", "application/x-www-form-urlencoded"),
    (b"payload=" + b"%5B" * 100_000, "application/x-www-form-urlencoded"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b"\xff\xfe\x00junk", "application/json"),
])
def test_malformed_signed_requests_get_400_quietly(server, body, content_type):
    before = server.log.stat().st_size
    status, _ = _post(server, body, {"Content-Type": content_type, **sr.signed_headers(body, SIGNING_SECRET)})
    assert status == 400
    time.sleep(0.2)
    assert "Traceback" not in server.log.read_text()[before:]


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=abc"},
    {"X-Slack-Request-Timestamp": "1" * 40, "X-Slack-Signature": "v0=abc"},
    {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=abc"},
    {},
])
def test_unsigned_junk_gets_401_quietly(server, headers):
    before = server.log.stat().st_size
    body = b"payload=" + b"%5B" * 10_000
    status, _ = _post(server, body, {"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert status == 401
    time.sleep(0.2)
    assert server.log.read_text()[before:] == ""


def test_a_few_hundred_idle_sockets_dont_block_the_health_check(server):
    idle = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")  # half a request, then nothing
            idle.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        with urllib.request.urlopen(server.health_url, timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 2
    finally:
        for sock in idle:
            sock.close()


def test_tokens_and_secrets_stay_out_of_the_log_even_with_v(module_fake_slack, tmp_path):
    env = bot_env(f"sqlite:///{tmp_path / 'unmentor.db'}", module_fake_slack.api_url)
    bot = BotServer(env, str(tmp_path), "--no-scheduler", verbose=True)
    try:
        name = "v-" + uuid.uuid4().hex[:6]
        body = sr.slash_command_body("join Acme", response_url=module_fake_slack.response_url(name))
        assert sr.post(bot.url, body, SIGNING_SECRET)[0] == 200
        assert sr.post(bot.url, body, SIGNING_SECRET, timestamp=time.time() - 400)[0] == 401
        module_fake_slack.wait_for(lambda f: any(r["_name"] == name for r in f.responses), timeout=10)
        time.sleep(0.5)
    finally:
        bot.stop()
    log = bot.log.read_text()
    assert "DEBUG" in log  # -v really was on
    assert BOT_TOKEN not in log and BOT_TOKEN.split("-", 1)[1] not in log
    assert SIGNING_SECRET not in log
    assert "verification_token" not in log


def test_an_idle_connection_is_closed_after_the_idle_time(sqlite_engine, fake_slack):
    engine = sqlite_engine
    from bot.app import create_app, make_client
    from bot.config import Settings
    from bot.server import create_http_server

    settings = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.api_url)
    server = create_http_server(create_app(settings, engine, make_client(settings)), engine,
                                "127.0.0.1", 0, threads=2, idle_seconds=1)
    import threading

    threading.Thread(target=server.run, daemon=True).start()
    try:
        sock = socket.create_connection(("127.0.0.1", server.effective_port), timeout=10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 5
        sock.close()
    finally:
        server.close()


def test_healthz_still_answers_json(server):
    with urllib.request.urlopen(server.health_url, timeout=5) as response:
        assert json.loads(response.read()) == {"ok": True}


def test_a_failing_slack_call_logs_no_member_id_or_words(server, module_fake_slack):
    module_fake_slack.fail_next("users.info", error="user_not_visible", status=200, times=3)
    before = server.log.stat().st_size
    name = "fail-" + uuid.uuid4().hex[:6]
    body = sr.slash_command_body(f"join {SECRET_TEXT}", user_id=SECRET_USER,
                                 response_url=module_fake_slack.response_url(name))
    assert sr.post(server.url, body, SIGNING_SECRET)[0] == 200
    assert module_fake_slack.wait_for(lambda f: any(r["_name"] == name for r in f.responses), timeout=10)
    time.sleep(0.5)
    log = server.log.read_text()[before:]
    assert "users.info failed" in log  # the failure is still told
    assert SECRET_USER not in log and SECRET_TEXT not in log


@pytest.mark.parametrize("text", [
    "join " + "<@" * 50_000,
    "join " + "<http:" * 16_000,
    "organisers add " + "<@" * 50_000,
    "stats " + "<@" * 50_000,
    "<@" * 50_000,
])
def test_a_100_000_character_command_is_answered_at_once(server, module_fake_slack, text):
    name = "long-" + uuid.uuid4().hex[:6]
    body = sr.slash_command_body(text, user_id="U0LONG", response_url=module_fake_slack.response_url(name))
    started = time.monotonic()
    assert sr.post(server.url, body, SIGNING_SECRET)[0] == 200
    assert module_fake_slack.wait_for(lambda f: any(r["_name"] == name for r in f.responses), timeout=10)
    assert time.monotonic() - started < 2.5  # it held every thread for 4.4 s before


def _listening_addresses(port: int) -> set[str]:
    """Where this machine listens on `port`, from the kernel's own tables (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_serve_listens_on_the_loopback_address_unless_told_otherwise(server, module_fake_slack, tmp_path):
    # 1,050 sockets dripping a byte every 4 s kept Slack out of a bot listening on every address.
    # Unless told otherwise (the module's server was started without --host) it now listens only
    # where a reverse proxy on the same machine reaches it.
    assert _listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, and nowhere else
    assert "listening beyond this machine" not in server.log.read_text()
    env = bot_env(f"sqlite:///{tmp_path / 'unmentor.db'}", module_fake_slack.api_url)
    public = BotServer(env, str(tmp_path), "--no-scheduler", host="0.0.0.0")
    try:
        assert _listening_addresses(public.port) == {"00000000"}
    finally:
        public.stop()
    assert "put a reverse proxy in front that holds slow clients" in public.log.read_text()
