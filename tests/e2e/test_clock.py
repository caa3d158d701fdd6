"""The round clock runs inside `unmentor serve` and alone as `unmentor clock`, and opens a due round by itself."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from scheduler.schedule import Schedule
from scheduler.workspace_schedule import save_schedule
from storage.db import make_engine, session_scope
from storage.models import Round
from tests import said
from tests.botprocess import UNMENTOR, BotServer, bot_env
from tests.personas import TEAM, heads_up_went, latest_opening, seed_members


def schedule_a_round_due_minutes_ago(url: str) -> None:
    due = datetime.now(timezone.utc) - timedelta(minutes=5)
    engine = make_engine(url)
    schedule = Schedule(weekday=due.weekday(), hour=due.hour, minute=due.minute, timezone="UTC",
                        country=None).with_cadence("weekly")
    with session_scope(engine) as session:
        save_schedule(session, TEAM, schedule)
    # Its heads-up went three days ago, as it would have with the bot running then.
    heads_up_went(engine, [latest_opening(schedule, due + timedelta(minutes=1)).period])
    engine.dispose()


@pytest.mark.parametrize("how", ["serve", "clock"])
def test_the_clock_opens_a_due_round_and_delivers_its_intros(how, db_url, fake_slack, tmp_path):
    seed_members(db_url, fake_slack, 4)
    schedule_a_round_due_minutes_ago(db_url)
    env = bot_env(db_url, fake_slack.api_url)
    if how == "serve":
        process = BotServer(env, str(tmp_path))
        stop, log = process.stop, process.log
    else:
        log = tmp_path / "clock.log"
        with open(log, "w") as out:
            proc = subprocess.Popen([UNMENTOR, "clock"], env=env, cwd=str(tmp_path), stdout=out, stderr=out)

        def stop():
            proc.terminate()
            proc.wait(timeout=10)
    try:
        intros = lambda f: len(said.sends(f, "intro")) >= 2  # noqa: E731
        assert fake_slack.wait_for(intros, timeout=30)
        delivered = lambda: "delivered: 2 sent" in log.read_text()  # noqa: E731
        deadline = time.monotonic() + 10
        while not delivered() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop()
    # Quiet by default: the operator reads one line per phase and per delivery, and none of the
    # libraries' routine lines (alembic's migrations, APScheduler's jobs, Bolt's token warning).
    lines = log.read_text().splitlines()
    assert any(line.endswith(f"{TEAM}: ran open") for line in lines), lines
    assert any(f"{TEAM}: delivered: 2 sent, 0 found already sent, 0 failed" in line for line in lines), lines
    assert [line for line in lines if " INFO unmentor" not in line] == []
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        (round_,) = session.exec(select(Round)).all()
    assert round_.number == 1 and round_.state == "open"
    engine.dispose()


def test_serve_starts_and_answers_health_checks_while_slack_is_unreachable(sqlite_url, tmp_path):
    from tests.botprocess import free_port

    closed = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    server = BotServer(bot_env(sqlite_url, closed), str(tmp_path))  # raises if it dies or never answers
    try:
        time.sleep(1)
        assert server.process.poll() is None
    finally:
        server.stop()


def test_a_clock_moved_a_month_ahead_still_runs_its_jobs_at_once(sqlite_engine, fake_slack):
    # storage.clock can run ahead (a rehearsal); the scheduler's wake-ups must stay in real time,
    # or the first tick and every delivery would wait a month.
    from bot.config import Settings
    from bot.round_clock import build_scheduler
    from scheduler.sending import Sending
    from storage import clock
    from tests.conftest import BOT_TOKEN, SIGNING_SECRET

    settings = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.api_url)
    clock.move_to(datetime.now(timezone.utc) + timedelta(days=30))
    try:
        scheduler = build_scheduler(settings, sqlite_engine, Sending())
        scheduler.start(paused=True)
        soon = datetime.now(timezone.utc) + timedelta(seconds=5)
        due_soon = {job.id: job.next_run_time <= soon for job in scheduler.get_jobs()}
        assert due_soon == {"delivery": True, "rounds": True, "open_ahead": True}
        scheduler.shutdown(wait=False)
    finally:
        clock.reset()


def test_the_clocks_jobs_open_conversations_ahead_and_open_the_round_the_moment_its_time_comes(
        sqlite_engine, fake_slack):
    from freezegun import freeze_time

    from bot import round_clock
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from scheduler import opening_window
    from tests.conftest import BOT_TOKEN
    from tests.scheduler.test_rounds import OPENS, intro_posts, join

    for i in range(4):
        join(sqlite_engine, fake_slack, f"U{i}", f"Org{i}")
    with session_scope(sqlite_engine) as session:
        window = opening_window.window(session, TEAM)
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url),
                                       wait_out_rate_limits=False))
    with freeze_time(OPENS - window, tick=True):
        round_clock.tick(sqlite_engine)  # the rounds job: matched ahead
        round_clock.open_ahead_all(sqlite_engine, gateway)  # the opening-ahead job
        round_clock.deliver_all(sqlite_engine, gateway)  # the delivery job: nothing to say yet
    assert len(fake_slack.calls_to("conversations.open")) == 2
    assert fake_slack.calls_to("chat.postMessage") == []
    with freeze_time(OPENS + timedelta(seconds=5), tick=True):
        round_clock.deliver_all(sqlite_engine, gateway)  # before the rounds job's next minute comes round
    assert len(intro_posts(fake_slack)) == 2
    assert len(fake_slack.calls_to("conversations.open")) == 2  # at the time, only posting
