"""Suggested times: every one inside every member's hours, on a day they work that isn't a public
holiday, inside the round; checked over time zones, holidays, clock changes and preferences."""

from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.suggested_times import Availability, Part, UsuallyFree, suggest

UTC = timezone.utc
# Zones with half- and quarter-hour offsets, both hemispheres' clock changes, a Friday–Saturday
# weekend and the date line, besides every zone hypothesis knows.
ZONES = st.one_of(
    st.sampled_from(["Europe/London", "Asia/Singapore", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
                     "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Riyadh", "Pacific/Apia", "America/Santiago",
                     "Europe/Dublin", "Africa/Casablanca", None, "Not/A_Zone"]),
    st.timezone_keys(),
)
COUNTRIES = st.sampled_from([None, "GB", "US", "SG", "IN", "IL", "DE", "NZ", "BR"])
PREFERENCES = st.one_of(
    st.none(),
    st.builds(UsuallyFree,
              st.frozensets(st.integers(0, 6), min_size=1),
              st.frozensets(st.sampled_from(list(Part)), min_size=1)),
)
PEOPLE = st.lists(st.builds(Availability, ZONES, PREFERENCES), min_size=2, max_size=3)
# Windows around 2024–2028's clock changes and Christmas and Easter holidays alike.
STARTS = st.datetimes(datetime(2024, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC))
# What the member's hours are, written out again here rather than borrowed from the module.
HOURS = {Part.morning: (time(9), time(12)), Part.afternoon: (time(12), time(17, 30)),
         Part.evening: (time(17, 30), time(20))}
# Every zone whose weekend is Friday and Saturday: hypothesis draws any zone it knows (Asia/Aden's
# Sunday is a working day there, and may be suggested).
FRI_SAT = {"Asia/Riyadh", "Asia/Kuwait", "Asia/Qatar", "Asia/Bahrain", "Asia/Baghdad", "Asia/Amman", "Asia/Jerusalem",
           "Asia/Tel_Aviv", "Asia/Muscat", "Asia/Aden", "Asia/Dhaka", "Africa/Cairo", "Africa/Algiers",
           "Africa/Khartoum", "Africa/Tripoli", "Asia/Damascus"}


def _tz(name):
    try:
        return ZoneInfo(name or "UTC")
    except Exception:
        return ZoneInfo("UTC")


@lru_cache(maxsize=None)
def _holidays(country, year):
    return holidays.country_holidays(country, years=year)


def _inside_their_hours(person: Availability, at: datetime, country) -> bool:
    here = _tz(person.timezone)
    start = at.astimezone(here)
    if country and start.date() in _holidays(country, start.year):
        return False
    prefs = person.usually_free
    if prefs is None:
        weekend = {4, 5} if person.timezone in FRI_SAT else {5, 6}
        prefs = UsuallyFree(frozenset(range(7)) - weekend, frozenset({Part.morning, Part.afternoon}))
    if start.weekday() not in prefs.days:
        return False
    # Every quarter of the hour, read on their own clock (so a clock change counts), falls on the
    # same day in one of the parts they chose, and so does its last minute.
    for minute in [*range(0, 60, 15), 59]:
        local = (at + timedelta(minutes=minute)).astimezone(here)
        if local.date() != start.date() or not any(HOURS[p][0] <= local.time() < HOURS[p][1] for p in prefs.parts):
            return False
    return True


@settings(max_examples=200, deadline=None)
@given(people=PEOPLE, country=COUNTRIES, starts=STARTS, days=st.integers(0, 30))
def test_every_suggestion_suits_everyone_and_sits_inside_the_round(people, country, starts, days):
    ends = starts + timedelta(days=days, hours=days % 7)
    picks = suggest(people, country, starts, ends)
    assert len(picks) <= 3 and picks == sorted(set(picks))
    for at in picks:
        assert starts <= at and at + timedelta(hours=1) <= min(ends, starts + timedelta(days=14))
        for person in people:
            assert _inside_their_hours(person, at, country), (person, at)


@settings(max_examples=100, deadline=None)
@given(people=PEOPLE, country=COUNTRIES, starts=STARTS)
def test_when_any_hour_suits_everyone_at_least_one_is_suggested(people, country, starts):
    ends = starts + timedelta(days=14)
    at = starts.replace(minute=0, second=0, microsecond=0)
    while at < starts:
        at += timedelta(minutes=30)
    any_fits = False
    while at + timedelta(hours=1) <= ends and not any_fits:
        any_fits = all(_inside_their_hours(p, at, country) for p in people)
        at += timedelta(minutes=30)
    assert bool(suggest(people, country, starts, ends)) == any_fits


def test_a_london_and_new_york_pair_gets_three_afternoons_in_london_spread_over_two_weeks():
    people = [Availability("Europe/London"), Availability("America/New_York")]
    starts = datetime(2026, 12, 8, 10, tzinfo=UTC)  # the day after a December round opens
    picks = suggest(people, "GB", starts, starts + timedelta(days=28))
    assert len(picks) == 3
    assert len({p.date() for p in picks}) == 3
    assert picks[-1] - picks[0] >= timedelta(days=7)
    for at in picks:
        london, new_york = at.astimezone(ZoneInfo("Europe/London")), at.astimezone(ZoneInfo("America/New_York"))
        assert time(14) <= london.time() <= time(16, 30) and time(9) <= new_york.time() <= time(11, 30)
        assert london.weekday() < 5


def test_christmas_and_boxing_day_are_never_suggested_in_a_british_workspace():
    people = [Availability("Europe/London"), Availability("Europe/Paris")]
    starts = datetime(2026, 12, 23, tzinfo=UTC)
    picks = suggest(people, "GB", starts, starts + timedelta(days=10))
    assert picks and all(p.date() not in (datetime(2026, 12, 25).date(), datetime(2026, 12, 28).date())
                         for p in picks)


def test_london_and_singapore_in_winter_share_no_working_hour_unless_one_says_evenings_suit():
    starts = datetime(2026, 12, 8, tzinfo=UTC)
    london, singapore = Availability("Europe/London"), Availability("Asia/Singapore")
    assert suggest([london, singapore], "GB", starts, starts + timedelta(days=14)) == []
    evenings = Availability("Asia/Singapore", UsuallyFree(frozenset(range(5)), frozenset(Part)))
    picks = suggest([london, evenings], "GB", starts, starts + timedelta(days=14))
    assert len(picks) == 3
    assert all(time(17, 30) <= p.astimezone(ZoneInfo("Asia/Singapore")).time() <= time(19) for p in picks)


def test_across_the_clocks_going_forward_the_hours_stay_the_members_own():
    # Europe moves its clocks on 29 March 2026, the United States on 8 March: for three weeks
    # London and New York are four hours apart, not five.
    people = [Availability("Europe/London", UsuallyFree(frozenset(range(5)), frozenset({Part.afternoon}))),
              Availability("America/New_York", UsuallyFree(frozenset(range(5)), frozenset({Part.morning})))]
    starts = datetime(2026, 3, 9, tzinfo=UTC)
    picks = suggest(people, None, starts, starts + timedelta(days=14))
    assert len(picks) == 3
    for at in picks:
        assert time(12) <= at.astimezone(ZoneInfo("Europe/London")).time()
        assert (at + timedelta(hours=1)).astimezone(ZoneInfo("America/New_York")).time() <= time(12)


def test_a_trio_gets_times_that_suit_all_three():
    people = [Availability("Europe/London"), Availability("America/New_York"), Availability("Europe/Berlin")]
    starts = datetime(2026, 12, 8, tzinfo=UTC)
    picks = suggest(people, "GB", starts, starts + timedelta(days=14))
    assert len(picks) == 3
    for at in picks:  # Berlin's 17:30 is London's 16:30, New York's 11:30
        assert at.astimezone(ZoneInfo("Europe/Berlin")).time() <= time(16, 30)
        assert at.astimezone(ZoneInfo("America/New_York")).time() >= time(9)


def test_preferences_survive_being_stored_and_read_back():
    prefs = UsuallyFree(frozenset({1, 3}), frozenset({Part.morning, Part.evening}))
    assert prefs.encode() == "tue,thu|morning,evening"
    assert UsuallyFree.decode(prefs.encode()) == prefs
    assert UsuallyFree.decode("") is None and UsuallyFree.decode("|morning") is None
