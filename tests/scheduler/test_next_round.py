"""One answer to "when is the next round?": the clock, the heads-up, Home, the previews and the
playground all name the same round, at every awkward moment.

The rule (scheduler.workspace_schedule.next_round): a round never opens without the heads-up it
promises, and periods never go backwards. Each moment below is frozen with freezegun, so the
suite gives the same answers whatever day it runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from playground import phases
from scheduler import delivery, rounds
from scheduler.workspace_schedule import change_schedule, next_round_at
from storage import outbox
from storage.db import session_scope
from storage.models import Round
from tests import said
from tests.conftest import BOT_TOKEN
from tests.personas import MEMBERS, TEAM, join

UTC = timezone.utc
DECEMBER = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday: heads-up Fri 4 Dec 10:00
JANUARY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # Monday: heads-up Fri 1 Jan 10:00
FEBRUARY = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def gateway(fake_slack):
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


def tick(engine, gateway, at: datetime) -> list[str]:
    """The round clock at `at`: whatever is due runs, and what it queued goes to Slack."""
    with freeze_time(at):
        done = rounds.run_due(engine, TEAM, at)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    return done


def heads_ups(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if said.kind_of(c.args) == "announce"]


def intros(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if said.kind_of(c.args) == "intro"]


def rounds_made(engine) -> list[Round]:
    from sqlmodel import select

    with session_scope(engine) as session:
        return list(session.exec(select(Round).where(Round.team_id == TEAM).order_by(Round.number)))


def named_everywhere(engine, at: datetime) -> set:
    """What each surface says the next round is, at `at`: Home and the welcome (its opening), the
    organisers' preview (its period, as "preview for 2027-01"), and the playground's Next phase."""
    with freeze_time(at), session_scope(engine) as session:
        home = next_round_at(session, TEAM)
    preview_period = rounds.preview(engine, TEAM, at).plan.period
    phase = phases.next_phase(engine, TEAM, at)
    if phase.name == "heads-up":  # then the opening it announces (asked once it has gone, it comes next)
        assert phase.at <= phase.opens_at
        phase = phases.Phase("open", phase.opens_at, phase.round_number)
    assert phase.name == "open"
    return {home, phase.at, f"{home.astimezone(UTC):%Y-%m}" == preview_period}


def test_installed_on_an_opening_day_after_the_hour_the_first_round_is_next_months(engine, fake_slack, gateway):
    installed = DECEMBER + timedelta(hours=4)  # Monday 7 December, 14:00
    with freeze_time(installed):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    assert "open" not in tick(engine, gateway, installed)
    assert not intros(fake_slack), "nobody was told a round was coming, so none opens today"
    assert named_everywhere(engine, installed) == {JANUARY, True}
    assert rounds.preview(engine, TEAM, installed).plan.period == "2027-01"

    # The heads-up goes on Friday 1 January, and the round opens, as round 1, on Monday 4 January.
    assert "announce" in tick(engine, gateway, JANUARY - timedelta(days=3))
    assert len(heads_ups(fake_slack)) == len(MEMBERS)
    assert "open" in tick(engine, gateway, JANUARY + timedelta(seconds=30))
    assert [(r.number, r.period) for r in rounds_made(engine)] == [(1, "2027-01")]
    assert len(intros(fake_slack)) == len(MEMBERS) // 2


def test_installed_on_an_opening_day_before_the_hour_the_round_opens_that_morning_after_a_heads_up(
        engine, fake_slack, gateway):
    installed = DECEMBER - timedelta(hours=2)
    with freeze_time(installed):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    assert named_everywhere(engine, installed) == {DECEMBER, True}
    assert "announce" in tick(engine, gateway, installed)  # late, but before the opening
    assert len(heads_ups(fake_slack)) == len(MEMBERS)
    assert "open" in tick(engine, gateway, DECEMBER + timedelta(seconds=30))
    assert [r.period for r in rounds_made(engine)] == ["2026-12"]


def test_a_bot_down_through_the_opening_opens_late_only_within_two_days_and_only_after_its_heads_up(
        engine, fake_slack, gateway):
    with freeze_time(DECEMBER - timedelta(days=5)):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    tick(engine, gateway, DECEMBER - timedelta(days=3))  # the heads-up, on Friday
    assert len(heads_ups(fake_slack)) == len(MEMBERS)
    back = DECEMBER + timedelta(days=1, hours=2)  # down from Friday until Tuesday noon
    assert named_everywhere(engine, back - timedelta(seconds=1)) == {DECEMBER, True}
    assert "open" in tick(engine, gateway, back)
    assert len(intros(fake_slack)) == len(MEMBERS) // 2


def test_a_bot_back_more_than_two_days_late_waits_for_the_next_round(engine, fake_slack, gateway):
    with freeze_time(DECEMBER - timedelta(days=5)):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    tick(engine, gateway, DECEMBER - timedelta(days=3))
    back = DECEMBER + timedelta(days=2, minutes=1)
    assert "open" not in tick(engine, gateway, back)
    assert named_everywhere(engine, back) == {JANUARY, True}


def test_a_heads_up_that_never_reached_anyone_holds_the_round_back_and_is_never_sent_late(
        engine, fake_slack, gateway):
    with freeze_time(DECEMBER - timedelta(days=5)):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    with freeze_time(DECEMBER - timedelta(days=3)):
        assert rounds.announce(engine, TEAM) == len(MEMBERS)  # queued, but Slack never took them
    after = DECEMBER + timedelta(minutes=5)
    assert "open" not in tick(engine, gateway, after)
    assert not heads_ups(fake_slack), "a heads-up for a round whose time has passed would say something untrue"
    assert named_everywhere(engine, after) == {JANUARY, True}


def test_periods_never_go_backwards_after_the_clock_ran_ahead_and_came_back(engine, fake_slack, gateway):
    with freeze_time(DECEMBER - timedelta(days=40)):
        join(engine, MEMBERS, fake_slack, heads_up=False)
    # The bot's clock ran ahead into January: round 1 took 2027-01 and closed.
    tick(engine, gateway, JANUARY - timedelta(days=3))
    assert "open" in tick(engine, gateway, JANUARY + timedelta(seconds=30))
    with freeze_time(JANUARY + timedelta(days=5)):
        assert rounds.run_phase(engine, TEAM, "close", by_hand=True).result == "done"
    # Back at real time, on December's opening day, with December's heads-up even sent.
    tick(engine, gateway, DECEMBER - timedelta(days=3))
    assert "open" not in tick(engine, gateway, DECEMBER + timedelta(hours=4))
    assert named_everywhere(engine, DECEMBER + timedelta(hours=4)) == {FEBRUARY, True}
    assert [r.period for r in rounds_made(engine)] == ["2027-01"]


def test_joining_after_the_heads_up_day_but_before_the_opening_brings_a_late_heads_up_and_that_round(
        engine, fake_slack, gateway):
    # Saturday 30 January, noon: Friday's heads-up time has passed with nobody to send it to.
    joined = FEBRUARY - timedelta(days=1, hours=22)
    with freeze_time(joined):
        join(engine, MEMBERS, fake_slack, heads_up=False)
        with session_scope(engine) as session:
            assert next_round_at(session, TEAM) == FEBRUARY, "the welcome names Monday's round"
    # The playground's Next phase stops where the clock does: the heads-up, late, now; not the opening.
    phase = phases.next_phase(engine, TEAM, joined)
    assert (phase.name, phase.at, phase.round_number) == ("heads-up", joined, 1)
    assert "announce" in tick(engine, gateway, joined + phases.PAST_DUE)
    assert len(heads_ups(fake_slack)) == len(MEMBERS)
    phase = phases.next_phase(engine, TEAM, joined + phases.PAST_DUE)
    assert (phase.name, phase.at, phase.round_number) == ("open", FEBRUARY, 1)
    # So Monday's round opens for them, as the welcome said.
    assert "open" in tick(engine, gateway, FEBRUARY + phases.PAST_DUE)
    assert [(r.number, r.period) for r in rounds_made(engine)] == [(1, "2027-02")]
    assert len(intros(fake_slack)) == len(MEMBERS) // 2


def test_next_phase_says_a_round_didnt_open_when_its_opening_passed_without_one(engine, fake_slack, gateway):
    # Nobody joined before Monday 1 February's opening, so nobody had its heads-up: no round opens.
    at = FEBRUARY - timedelta(days=1, hours=22)
    phase = phases.next_phase(engine, TEAM, at)
    assert (phase.name, phase.at, phase.round_number) == ("open", FEBRUARY, 1)
    with session_scope(engine) as session:
        mark = outbox.last_id(session, TEAM)
    assert "open" not in tick(engine, gateway, FEBRUARY + phases.PAST_DUE)
    with freeze_time(FEBRUARY + phases.PAST_DUE):
        pressed = phases.wait_for_sends(engine, TEAM, phase, mark, at, timeout=0)
    assert pressed.said() == "Round 1 didn't open: nothing to send."


# Awkward moments, each with the round every surface must name (London; the default schedule).
AWKWARD = [
    pytest.param(DECEMBER + timedelta(hours=4), JANUARY, id="opening-day-after-the-hour"),
    pytest.param(DECEMBER - timedelta(minutes=1), DECEMBER, id="opening-day-a-minute-before"),
    pytest.param(DECEMBER - timedelta(days=3), DECEMBER, id="heads-up-day"),
    pytest.param(datetime(2026, 12, 31, 23, 59, tzinfo=UTC), JANUARY, id="year-end"),
    pytest.param(datetime(2027, 4, 30, 23, 59, tzinfo=UTC),
                 datetime(2027, 5, 4, 9, 0, tzinfo=UTC), id="month-end-before-a-bank-holiday-monday"),
    pytest.param(datetime(2027, 12, 20, 12, 0, tzinfo=UTC),
                 datetime(2028, 1, 4, 10, 0, tzinfo=UTC), id="new-year-substitute-holiday"),
    pytest.param(datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
                 datetime(2027, 4, 5, 9, 0, tzinfo=UTC), id="clocks-go-forward"),
    pytest.param(datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
                 datetime(2027, 11, 1, 10, 0, tzinfo=UTC), id="clocks-go-back"),
]


@pytest.mark.parametrize(("at", "opens"), AWKWARD)
def test_every_surface_names_the_same_next_round_at_awkward_moments(sqlite_engine, fake_slack, gateway, at, opens):
    with freeze_time(at):
        join(sqlite_engine, MEMBERS, fake_slack, heads_up=False)
    assert named_everywhere(sqlite_engine, at) == {opens, True}
    # And the clock agrees: nothing opens before that round's heads-up has gone and its time come.
    assert "open" not in tick(sqlite_engine, gateway, at)
    assert "open" not in tick(sqlite_engine, gateway, opens - timedelta(seconds=1))
    assert "open" in tick(sqlite_engine, gateway, opens + timedelta(seconds=1))
    assert [r.opens_at for r in rounds_made(sqlite_engine)] == [opens]
    assert len(heads_ups(fake_slack)) == len(MEMBERS), "everyone had the heads-up before the round opened"


def test_a_weekly_round_installed_after_its_hour_starts_next_week(sqlite_engine, fake_slack, gateway):
    installed = DECEMBER + timedelta(hours=1)
    with freeze_time(installed):
        join(sqlite_engine, MEMBERS, fake_slack, heads_up=False)
        with session_scope(sqlite_engine) as session:
            change_schedule(session, TEAM, cadence="weekly")
    assert named_everywhere(sqlite_engine, installed) == {DECEMBER + timedelta(days=7), False}
    assert "open" not in tick(sqlite_engine, gateway, installed)
