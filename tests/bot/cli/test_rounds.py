"""`unmentor round`: phases by hand, as an operator reads them."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import cli
from tests.botprocess import bot_env
from tests.personas import add_workspace


def test_a_preview_of_an_empty_workspace_says_how_people_join(sqlite_url):
    add_workspace(sqlite_url, "T1")
    result = CliRunner().invoke(cli, ["round", "open", "--dry-run"], env=bot_env(sqlite_url, "http://127.0.0.1:9/api/"))
    assert result.exit_code == 0, result.output
    assert "nobody has joined yet" in result.output and "/unmentor join" in result.output


def test_phases_by_hand_run_in_any_order_and_opening_by_hand_again_always_opens_one(db_url, fake_slack):
    from sqlmodel import select

    from storage.db import make_engine, session_scope
    from storage.models import Round
    from tests.personas import seed_members

    seed_members(db_url, fake_slack, 6)
    env = bot_env(db_url, fake_slack.api_url)

    def unmentor(*args):
        result = CliRunner().invoke(cli, [*args, "--pace", "0"], env=env)
        return result.exit_code, result.output

    # Straight after opening, a later phase asked for by hand runs; the ones passed over are named.
    code, out = unmentor("round", "open")
    assert code == 0 and "round 1 opened: 3 groups" in out
    # Every intro has gone, so closing early is a real choice; the close date reads in the workspace's zone.
    code, out = unmentor("round", "open")
    assert code == 2 and "round 1 is still running, with nothing left to send; it closes " in out
    assert "(Europe/London), or end it sooner with `unmentor round close`" in out
    code, out = unmentor("round", "follow-up")
    assert code == 0 and "follow-up: done for round 1 (skipped: the nudge)" in out and "6 sent" in out, out
    code, out = unmentor("round", "nudge")
    assert code == 2 and "went past its nudge" in out
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        first = session.exec(select(Round)).one()
        # The empty stamp is the record that the nudge was skipped.
        assert (first.state, first.nudged_at, first.followed_up_at is not None) == ("following_up", None, True)
    code, out = unmentor("round", "close")
    assert code == 0 and "close: done for round 1" in out and "skipped" not in out
    # Opened, closed and opened again by hand the same day: each time a round opens.
    for number in (2, 3):
        code, out = unmentor("round", "open")
        assert code == 0 and f"round {number} opened" in out and "already open" not in out, out
        code, out = unmentor("round", "close")
        assert code == 0 and f"close: done for round {number} (skipped: the nudge and the follow-up)" in out
    code, out = unmentor("round", "nudge")
    assert code == 2 and "no round is running" in out and "unmentor round open" in out
    with session_scope(engine) as session:
        periods = [r.period for r in session.exec(select(Round).order_by(Round.number))]
    assert len(set(periods)) == 3
    engine.dispose()


def test_a_round_matched_ahead_of_its_opening_can_be_opened_by_hand_but_not_nudged(db_url, fake_slack):

    from freezegun import freeze_time

    from scheduler import opening_window, rounds
    from storage.db import make_engine, session_scope
    from tests.personas import TEAM, seed_members
    from tests.scheduler.test_rounds import OPENS

    seed_members(db_url, fake_slack, 4)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        window = opening_window.window(session, TEAM)
    env = bot_env(db_url, fake_slack.api_url)
    with freeze_time(OPENS - window, tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
        # Nothing goes yet, and the command says why rather than a bare "0 sent".
        result = CliRunner().invoke(cli, ["round", "deliver", "--pace", "0"], env=env)
        assert result.exit_code == 0 and "0 sent" in result.output
        assert "round 1 is matched ahead of its opening: its intros go " in result.output
        result = CliRunner().invoke(cli, ["round", "nudge", "--pace", "0"], env=env)
        assert result.exit_code == 2
        assert "round 1 is matched but doesn't open until " in result.output
        assert "`unmentor round open` opens it now" in result.output
        result = CliRunner().invoke(cli, ["round", "open", "--pace", "0"], env=env)
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "round 1 was matched ahead of its opening time: opening it now" in result.output
    assert "2 sent" in result.output
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_round_deliver_with_slack_not_answering_says_so_and_leaves_the_rest_to_the_clock(sqlite_url, fake_slack):
    import time

    from scheduler import rounds
    from storage.db import make_engine
    from tests.e2e.test_rounds import TEAM, seed_members

    seed_members(sqlite_url, fake_slack, 2)
    engine = make_engine(sqlite_url)
    assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
    engine.dispose()
    started = time.monotonic()
    # Slack is there, but every send meets a server error (a command finding Slack unreachable
    # altogether stops before it starts: see below).
    fake_slack.fail_next("conversations.open", status=503, times=20)
    result = CliRunner().invoke(cli, ["round", "deliver", "--team", TEAM, "--pace", "0"],
                                env=bot_env(sqlite_url, fake_slack.api_url))
    assert result.exit_code == 1, result.output  # nothing that should have gone went
    assert "the rest are to be tried again in 1 min" in result.output and "rate limit" not in result.output
    assert "the clock sends them then" in result.output
    assert time.monotonic() - started < 30  # not an hour of back-offs sat out at the prompt


def test_with_slack_unreachable_a_phase_says_so_in_one_line_fails_and_runs_on_a_rerun(tmp_path, sqlite_url, fake_slack):
    import time

    from tests.botprocess import run
    from tests.e2e.test_rounds import TEAM, seed_members

    seed_members(sqlite_url, fake_slack, 4)
    opened = CliRunner().invoke(cli, ["round", "open", "--pace", "0"], env=bot_env(sqlite_url, fake_slack.api_url))
    assert opened.exit_code == 0, opened.output
    # Nothing listens on port 9: Slack can't be reached.
    offline = bot_env(sqlite_url, "http://127.0.0.1:9/api/")
    for phase in ("nudge", "close"):
        started = time.monotonic()
        done = run(["round", phase, "--team", TEAM, "--pace", "0"], offline, str(tmp_path), timeout=120)
        assert time.monotonic() - started < 60  # no minute of retries (starting is slow under load)
        assert done.returncode == 1
        assert done.stderr.strip().splitlines() == [
            "unmentor: Slack can't be reached at http://127.0.0.1:9/api/ ([Errno 111] Connection refused): nothing "
            "was run or sent. Check the network (and SLACK_API_URL), then run this again."]
        assert "ERROR" not in done.stdout + done.stderr
    # Nothing was claimed while Slack was away: once it answers, the nudge runs and goes.
    back = CliRunner().invoke(cli, ["round", "nudge", "--pace", "0"], env=bot_env(sqlite_url, fake_slack.api_url))
    assert back.exit_code == 0 and "nudge: done for round 1" in back.output and "2 sent" in back.output, back.output


def test_a_delivery_that_sends_nothing_exits_non_zero(sqlite_url, fake_slack):
    from scheduler import rounds
    from storage.db import make_engine
    from tests.e2e.test_rounds import TEAM, seed_members

    seed_members(sqlite_url, fake_slack, 2)
    engine = make_engine(sqlite_url)
    assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
    engine.dispose()
    # Slack answers, but asks the intro's send to wait longer than anyone should sit at a prompt.
    fake_slack.fail_next("conversations.open", retry_after=120, times=5)
    result = CliRunner().invoke(cli, ["round", "deliver", "--pace", "0"], env=bot_env(sqlite_url, fake_slack.api_url))
    assert result.exit_code == 1, result.output
    assert "delivered: 0 sent, 0 found already sent, 0 failed, 1 to try again" in result.stdout
    assert result.stderr.startswith("unmentor: nothing could be sent yet")


def test_a_token_missing_a_scope_is_said_plainly_loses_nothing_and_round_deliver_sends_it_all_once_mended(
        db_url, fake_slack):
    from sqlmodel import select

    from storage.db import make_engine, session_scope
    from storage.models import Group, Member, Outbox
    from tests.personas import seed_members

    seed_members(db_url, fake_slack, 6)
    env = bot_env(db_url, fake_slack.api_url)
    fake_slack.refuse_token("missing_scope")  # auth.test answers, as Slack's does; every send is refused
    opened = CliRunner().invoke(cli, ["round", "open", "--pace", "0"], env=env)
    assert opened.exit_code == 1, opened.output
    assert "round 1 opened: 3 groups" in opened.output
    assert "Slack refused the bot's token (missing_scope): nothing was sent, and nothing is lost" in opened.output
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        # (the heads-ups went before the token broke)
        assert {r.state for r in session.exec(select(Outbox)) if r.kind == "intro"} == {"pending"}
        assert {g.status for g in session.exec(select(Group))} != {"ended"}
        assert {(m.status, m.priority) for m in session.exec(select(Member))} == {("active", False)}

    fake_slack.accept_token()
    again = CliRunner().invoke(cli, ["round", "deliver", "--pace", "0"], env=env)  # at once, not in 5 minutes
    assert again.exit_code == 0 and "3 sent" in again.output, again.output
    with session_scope(engine) as session:
        for group in session.exec(select(Group)):
            assert len(fake_slack.messages(group.channel_id)) == 1
    engine.dispose()
