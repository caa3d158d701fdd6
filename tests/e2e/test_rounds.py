"""Rounds from the command line: two schedulers racing for one round, a delivery killed halfway, phases by hand."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from storage.db import make_engine, session_scope
from storage.models import Group, Outbox, Round
from tests.botprocess import UNMENTOR, bot_env, run
from tests.personas import OPENS, TEAM, seed_members


def test_two_scheduler_processes_never_open_the_same_round(db_url, fake_slack, tmp_path):
    seed_members(db_url, fake_slack, 20)
    go = tmp_path / "go"
    racers = [
        subprocess.Popen([sys.executable, "-m", "tests.race_open", db_url, TEAM, OPENS.isoformat(), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    # Both connected and waiting (each says so): a fixed wait was too short under load, too long when quiet.
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline and \
            all(racer.poll() is None for racer in racers):
        time.sleep(0.02)
    go.touch()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted("open" in r for r in results) == [False, True]
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert len(session.exec(select(Round)).all()) == 1
        assert len(session.exec(select(Group)).all()) == 10
        intros = session.exec(select(Outbox).where(Outbox.kind == "intro")).all()
        assert len(intros) == 10
    engine.dispose()


@pytest.mark.parametrize("restart", [["round", "deliver"], ["round", "open"]], ids=["deliver", "open-again"])
def test_a_delivery_killed_halfway_sends_every_missing_intro_exactly_once_on_restart(db_url, fake_slack, tmp_path,
                                                                                      restart):
    seed_members(db_url, fake_slack, 16)
    env = bot_env(db_url, fake_slack.api_url)
    # Slack answers the first two intros at once, and takes the third but holds its answer: the
    # bot is killed meanwhile. (Set before the start, so no pace between intros is needed to
    # catch the third: the intros go one after another, in one lane.)
    fake_slack.stall_after("chat.postMessage", 0, times=2)
    fake_slack.stall_after("chat.postMessage", 20)
    first = subprocess.Popen([UNMENTOR, "round", "open", "--pace", "0"], env=env, cwd=str(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    posted = lambda n: lambda f: len(f.calls_to("chat.postMessage")) >= n  # noqa: E731
    assert fake_slack.wait_for(posted(3), timeout=30)
    time.sleep(0.3)
    first.kill()
    first.wait()

    engine = make_engine(db_url)
    with session_scope(engine) as session:
        states = sorted(r.state for r in session.exec(select(Outbox).where(Outbox.kind == "intro")))
    assert states.count("sent") == 2 and states.count("sending") == 1  # one send in doubt

    # Running `round open` again is what an operator does: it finishes the delivery, and
    # nothing it says suggests closing a round whose intros haven't all gone.
    again = run([*restart, "--pace", "0"], env, str(tmp_path))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 found already sent" in again.stdout and "5 sent" in again.stdout
    assert "close" not in (again.stdout + again.stderr).lower()

    with session_scope(engine) as session:
        made = session.exec(select(Group)).all()
        assert len(made) == 8
        for group in made:
            intros = [m for m in fake_slack.messages(group.channel_id) if m["ts"] == group.intro_ts]
            assert len(fake_slack.messages(group.channel_id)) == 1 and len(intros) == 1
        assert {r.state for r in session.exec(select(Outbox).where(Outbox.kind == "intro"))} == {"sent"}
    assert fake_slack.calls_to("conversations.history")
    engine.dispose()


def test_each_phase_runs_by_hand_from_the_command_line_once(db_url, fake_slack, tmp_path):
    seed_members(db_url, fake_slack, 6)
    env = bot_env(db_url, fake_slack.api_url)

    def unmentor(*args):
        # In this process through click's runner: the same command line, without a second or two
        # of interpreter start-up for each of its fifteen commands (the other tests here run real processes).
        result = CliRunner().invoke(cli, [*args, "--pace", "0"], env=env)
        assert result.exit_code in (0, 2), result.output
        return result.exit_code, result.output

    code, out = unmentor("round", "nudge")
    assert "no round is running" in out
    code, out = unmentor("round", "open", "--dry-run")
    assert code == 0 and "3 groups, 0 unmatched (nothing sent)" in out and out.count(" + ") == 3
    assert fake_slack.calls == [] or not fake_slack.calls_to("chat.postMessage")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.exec(select(Round)).all() == []
    code, out = unmentor("round", "open")
    assert code == 0 and "round 1 opened: 3 groups" in out and "3 sent" in out
    code, out = unmentor("round", "open")
    assert code == 2 and "round 1 is still running" in out
    for phase, sent in (("nudge", "3 sent"), ("follow-up", "6 sent"), ("close", "3 sent")):
        code, out = unmentor("round", phase)
        assert code == 0 and f"{phase}: done" in out and sent in out and "skipped" not in out, out
        code, out = unmentor("round", phase)
        assert ("no round is running" if phase == "close" else "already been done") in out
    with session_scope(engine) as session:
        assert session.exec(select(Round)).one().state == "closed"

    engine.dispose()
