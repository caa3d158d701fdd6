"""When rounds open: first Monday at 10:00 workspace time, never on a public holiday, cadence as organisers set."""

from datetime import date, datetime, timezone

import pytest

from scheduler.schedule import Schedule, ScheduleError, round_times
from tests.personas import latest_opening, next_opening

UTC = timezone.utc


def test_monthly_rounds_open_on_the_first_monday_at_ten_london_time():
    upcoming = next_opening(Schedule(), datetime(2026, 11, 22, tzinfo=UTC))
    assert upcoming.period == "2026-12"
    assert upcoming.opens_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # GMT in winter
    summer = next_opening(Schedule(), datetime(2026, 6, 15, tzinfo=UTC))
    assert summer.opens_at == datetime(2026, 7, 6, 9, 0, tzinfo=UTC)  # 10:00 BST


def test_phases_follow_the_opening_by_10_21_and_28_days_and_the_heads_up_comes_3_days_before():
    times = next_opening(Schedule(), datetime(2026, 11, 22, tzinfo=UTC))
    assert (times.opens_at - times.announce_at).days == 3
    assert [(t - times.opens_at).days for t in (times.nudge_at, times.follow_up_at, times.closes_at)] == [10, 21, 28]


def test_no_intros_on_a_public_holiday_they_move_to_the_next_working_day():
    # The first Monday of May 2026 is the Early May bank holiday in England.
    may = next_opening(Schedule(), datetime(2026, 4, 20, tzinfo=UTC))
    assert may.opens_at.date() == date(2026, 5, 5)
    # In a country without that holiday the round opens on the Monday.
    french = next_opening(Schedule(country="FR", timezone="Europe/Paris"), datetime(2026, 4, 20, tzinfo=UTC))
    assert french.opens_at.date() == date(2026, 5, 4)
    # Boxing Day 2022 fell on a Monday with the bank holiday the day after: skip both.
    boxing = Schedule(cadence="weekly", weekday=0, nudge_days=3, follow_up_days=5, close_days=7)
    times = next_opening(boxing, datetime(2022, 12, 20, tzinfo=UTC))
    assert times.opens_at.date() == date(2022, 12, 28)


def test_weekly_and_fortnightly_cadences():
    weekly = Schedule().with_cadence("weekly")
    a = next_opening(weekly, datetime(2026, 11, 22, tzinfo=UTC))
    b = next_opening(weekly, a.opens_at)
    assert (b.opens_at - a.opens_at).days == 7 and a.period != b.period
    fortnightly = Schedule(weekday=2, hour=14, minute=30).with_cadence("fortnightly")
    c = next_opening(fortnightly, datetime(2026, 11, 22, tzinfo=UTC))
    d = next_opening(fortnightly, c.opens_at)
    assert (d.opens_at - c.opens_at).days == 14
    assert c.opens_at.weekday() == 2 and (c.opens_at.hour, c.opens_at.minute) == (14, 30)
    assert (fortnightly.nudge_days, fortnightly.close_days) == (5, 14)


def test_the_current_round_is_the_latest_opening_so_far():
    at = datetime(2026, 12, 20, tzinfo=UTC)
    current, upcoming = latest_opening(Schedule(), at), next_opening(Schedule(), at)
    assert current.period == "2026-12" and upcoming.period == "2027-01"


@pytest.mark.parametrize(
    "schedule, says",
    [
        (Schedule(cadence="daily"), "Cadence"),
        (Schedule(hour=25), "24-hour"),
        (Schedule(timezone="Mars/Olympus"), "time zone"),
        (Schedule(country="XX"), "country"),
        (Schedule(nudge_days=12, follow_up_days=10), "in order"),
        (Schedule(cadence="weekly"), "in order"),  # 28-day phases don't fit a week
        (Schedule(odd="coin_toss"), "trio"),
    ],
)
def test_schedules_that_cannot_work_are_refused_with_a_reason(schedule, says):
    with pytest.raises(ScheduleError) as error:
        schedule.validate()
    assert says in str(error.value)


def test_round_times_keep_the_wall_clock_across_a_clock_change():
    # October 2026: opens on 5 Oct (BST); the close 28 days later is after the clocks go back.
    times = round_times(Schedule(), 2026 * 12 + 9)
    assert times.opens_at.hour == 9 and times.closes_at.hour == 10  # both 10:00 London
