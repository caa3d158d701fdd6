"""Stopping the long-running processes as Heroku, Docker and systemd do (SIGTERM), and a port already taken.

The processes stopped are real ones. The `round deliver` run after each stop runs in this process:
it has only to find what the stopped one left (a real process of it, started after a kill, is in
test_rounds).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from scheduler import rounds
from storage.db import make_engine, session_scope
from storage.models import Group, Outbox
from tests.botprocess import UNMENTOR, BotServer, bot_env, run
from tests.personas import TEAM, seed_members


def open_round(url: str, fake, members: int) -> None:
    seed_members(url, fake, members)
    engine = make_engine(url)
    assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
    engine.dispose()


def intro_rows(url: str) -> list[Outbox]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = list(session.exec(select(Outbox).where(Outbox.kind == "intro").order_by(Outbox.id)))
    engine.dispose()
    return rows


def posted(n):
    return lambda fake: len(fake.calls_to("chat.postMessage")) >= n


def stop(process: subprocess.Popen) -> tuple[int, float]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    return code, time.monotonic() - started


def deliver_again(env: dict):
    """`unmentor round deliver --pace 0`, as the next process would run it after the stop."""
    return CliRunner().invoke(cli, ["round", "deliver", "--pace", "0"], env=env)


def each_group_has_one_intro(url: str, fake) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        for group in session.exec(select(Group)):
            assert [m["ts"] for m in fake.messages(group.channel_id)] == [group.intro_ts]
    engine.dispose()


def test_sigterm_to_serve_releases_the_send_in_hand_and_the_next_process_finishes_at_once(db_url, fake_slack,
                                                                                          tmp_path):
    open_round(db_url, fake_slack, 12)
    # Slack takes the first intro but holds its answer: the send is in hand when SIGTERM comes.
    fake_slack.stall_after("chat.postMessage", 30)
    env = bot_env(db_url, fake_slack.api_url)
    bot = BotServer(env, str(tmp_path))  # with the round clock, which starts delivering at once
    assert fake_slack.wait_for(posted(1), timeout=30)
    time.sleep(0.3)
    code, took = stop(bot.process)
    log = bot.log.read_text()
    assert code == 0 and took < 12, log  # not the 30 s Slack holds the answer
    assert "Traceback" not in log
    rows = intro_rows(db_url)
    # The held send is released (no lease to wait out), and still in doubt; nothing else started.
    assert [(r.state, r.claimed_at, r.claimed_by) for r in rows] == [("sending", None, None)] + [
        ("pending", None, None)] * 5

    again = deliver_again(env)
    assert again.exit_code == 0, again.output
    assert "5 sent, 1 found already sent" in again.output
    each_group_has_one_intro(db_url, fake_slack)


def test_sigterm_to_clock_finishes_the_send_in_hand_stops_sending_and_exits_0(db_url, fake_slack, tmp_path):
    open_round(db_url, fake_slack, 16)
    env = bot_env(db_url, fake_slack.api_url)
    log = (tmp_path / "clock.log").open("w")
    clock = subprocess.Popen([UNMENTOR, "clock"], env=env, cwd=str(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    assert fake_slack.wait_for(posted(2), timeout=30)
    # Between sends the clock waits 1.2 s (Slack's pace); a stop cuts that wait short.
    code, took = stop(clock)
    log.close()
    output = (tmp_path / "clock.log").read_text()
    assert code == 0 and took < 5, output  # a pass used to run on for up to 45 s
    assert "Traceback" not in output
    rows = intro_rows(db_url)
    sent = [r for r in rows if r.state == "sent"]
    assert len(sent) == len(fake_slack.calls_to("chat.postMessage")) >= 2
    assert {r.state for r in rows} == {"sent", "pending"}  # nothing left in doubt
    # And nothing sent after the stop. The process has exited: only a call already on its way could
    # still land, and the stand-in records one within milliseconds.
    fake_slack.wait_for(lambda f: len(f.calls_to("chat.postMessage")) > len(sent), timeout=0.5)
    assert len(fake_slack.calls_to("chat.postMessage")) == len(sent)

    again = deliver_again(env)
    assert again.exit_code == 0, again.output
    assert f"{8 - len(sent)} sent, 0 found already sent" in again.output
    each_group_has_one_intro(db_url, fake_slack)


def test_a_port_already_in_use_is_one_line_naming_port_and_the_option(sqlite_url, fake_slack, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args, extra, named in ((["--port", str(port)], {}, f"--port {port}"), ([], {"PORT": str(port)},
                                                                                  f"PORT={port}")):
            env = bot_env(sqlite_url, fake_slack.api_url, **extra)
            result = run(["serve", "--host", "127.0.0.1", "--no-scheduler", *args], env, str(tmp_path), timeout=60)
            assert result.returncode == 2
            assert "Traceback" not in result.stderr and result.stdout == ""
            (line,) = result.stderr.strip().splitlines()
            assert f"port {port} ({named}) is already in use" in line and "PORT or --port" in line


def test_sigterm_to_an_idle_serve_stops_its_clock_and_exits_0(sqlite_url, fake_slack, tmp_path):
    bot = BotServer(bot_env(sqlite_url, fake_slack.api_url), str(tmp_path))
    code, took = stop(bot.process)
    log = bot.log.read_text()
    assert code == 0 and took < 5, log
    assert "round clock stopped" in log and "Traceback" not in log
