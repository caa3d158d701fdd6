"""Times to suggest in an intro: ones that suit everyone in the group, worked out from nothing
but each member's time zone (as Slack reports it), when they told us they're usually free, the
workspace's public holidays and the round's dates. No calendar is read.

A pure function: the same inputs give the same times, so the property tests can check every
suggestion against every member's hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.schedule import is_holiday

HOUR = timedelta(hours=1)  # the hour itself
STEP = timedelta(minutes=30)  # suggestions start on the hour or half past (in UTC, so in most zones too)
HOW_MANY = 3
# Suggestions fall in the round's first two weeks: early enough that a missed one can be moved.
SPREAD = timedelta(days=14)


class Part(str, Enum):
    """Parts of the day a member can say they're usually free; morning and afternoon are the
    working day (09:00–17:30) everyone gets until they say otherwise."""

    morning = "morning"
    afternoon = "afternoon"
    evening = "evening"


PART_HOURS = {
    Part.morning: (time(9, 0), time(12, 0)),
    Part.afternoon: (time(12, 0), time(17, 30)),
    Part.evening: (time(17, 30), time(20, 0)),
}
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKING_PARTS = frozenset({Part.morning, Part.afternoon})

# Where the weekend is Friday and Saturday. Slack gives a time zone, not a country, so this is
# the zone's country's custom; anyone it doesn't suit says which days they're free in App Home.
FRIDAY_SATURDAY_ZONES = frozenset({
    "Asia/Riyadh", "Asia/Kuwait", "Asia/Qatar", "Asia/Bahrain", "Asia/Baghdad", "Asia/Amman",
    "Asia/Jerusalem", "Asia/Tel_Aviv", "Asia/Muscat", "Asia/Aden", "Asia/Dhaka", "Africa/Cairo",
    "Africa/Algiers", "Africa/Khartoum", "Africa/Tripoli", "Asia/Damascus",
})


@dataclass(frozen=True)
class UsuallyFree:
    """When a member said they're usually free: days (0 is Monday) and parts of the day."""

    days: frozenset[int]
    parts: frozenset[Part]

    def encode(self) -> str:
        """Stored as 'mon,tue|morning': short, and readable in the database by the member it's about."""
        return (",".join(DAY_NAMES[d] for d in sorted(self.days)) + "|"
                + ",".join(p.value for p in Part if p in self.parts))

    @classmethod
    def decode(cls, raw: str | None) -> UsuallyFree | None:
        if not raw or "|" not in raw:
            return None
        days, _, parts = raw.partition("|")
        day_set = frozenset(DAY_NAMES.index(d) for d in days.split(",") if d in DAY_NAMES)
        part_set = frozenset(Part(p) for p in parts.split(",") if p in Part.__members__)
        if not day_set or not part_set:
            return None
        return cls(day_set, part_set)


@dataclass(frozen=True)
class Availability:
    """One member, as far as suggesting times goes."""

    timezone: str | None
    usually_free: UsuallyFree | None = None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def weekend(timezone_name: str | None) -> frozenset[int]:
    return frozenset({4, 5}) if timezone_name in FRIDAY_SATURDAY_ZONES else frozenset({5, 6})


def free_days(person: Availability) -> frozenset[int]:
    if person.usually_free is not None:
        return person.usually_free.days
    return frozenset(range(7)) - weekend(person.timezone)


def free_spans(parts: frozenset[Part]) -> list[tuple[time, time]]:
    """The parts joined where they touch: morning and afternoon make one 09:00–17:30 span, so an
    hour from 11:30 fits."""
    spans: list[tuple[time, time]] = []
    for part in Part:
        if part not in parts:
            continue
        start, end = PART_HOURS[part]
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def suits(person: Availability, starts: datetime, country: str | None) -> bool:
    """Whether an hour from `starts` is inside this person's usual free time, on a day they work
    that isn't a public holiday, read in their own time zone (so a clock change is counted)."""
    return _suits_at(person, country, starts.astimezone(zone(person.timezone)),
                     (starts + HOUR).astimezone(zone(person.timezone)), _spans(person), {})


def _spans(person: Availability) -> list[tuple[time, time]]:
    return free_spans(person.usually_free.parts if person.usually_free is not None else WORKING_PARTS)


def _suits_at(person: Availability, country: str | None, local_start: datetime, local_end: datetime,
              spans: list[tuple[time, time]], days_free: dict[date, bool]) -> bool:
    """`suits`, given the hour's start and end already read on the person's clock and their free
    spans (`_spans`); `days_free` remembers, day by day, whether it is one of theirs and no holiday."""
    day = local_start.date()
    if local_end.date() != day:
        return False
    free = days_free.get(day)
    if free is None:
        free = days_free[day] = day.weekday() in free_days(person) and not is_holiday(day, country)
    if not free:
        return False
    start, end = local_start.time(), local_end.time()
    return any(lo <= start and end <= hi for lo, hi in spans)


def _first_step(at: datetime) -> datetime:
    at = at.astimezone(timezone.utc)
    whole = at.replace(minute=0, second=0, microsecond=0)
    while whole < at:
        whole += STEP
    return whole


# An instant as a plain datetime: a subclass of it (freezegun's, in tests) would turn each of the
# thousands of steps' arithmetic and time-zone readings below into Python calls.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def candidates(people: Sequence[Availability], country: str | None, starts: datetime,
               ends: datetime) -> list[datetime]:
    """Every start (on the hour or half past) whose hour suits everyone and lies inside [starts, ends]."""
    first = _EPOCH + (_first_step(starts) - _EPOCH)
    steps = []
    at = first
    while at + HOUR <= ends:
        steps.append(at)
        at += STEP
    if not steps:
        return []
    # Each step read once on each person's clock: an hour from a step ends two steps later.
    ahead = HOUR // STEP
    edges = steps + [steps[-1] + STEP * (i + 1) for i in range(ahead)]
    fits = [True] * len(steps)
    for person in people:
        here = zone(person.timezone)
        local = [edge.astimezone(here) for edge in edges]
        spans, days_free = _spans(person), {}
        for i, ok in enumerate(fits):
            if ok and not _suits_at(person, country, local[i], local[i + ahead], spans, days_free):
                fits[i] = False
    return [at for at, ok in zip(steps, fits) if ok]


def _runs(times: list[datetime]) -> list[list[datetime]]:
    """Back-to-back starts grouped, so a pick can sit in the middle of everyone's overlap."""
    runs: list[list[datetime]] = []
    for at in times:
        if runs and at - runs[-1][-1] == STEP:
            runs[-1].append(at)
        else:
            runs.append([at])
    return runs


# Where in each day's overlap the 1st, 2nd and 3rd suggestions sit: not all at the same hour,
# so someone whose mornings are busy still has one to pick.
_POSITIONS = (0.3, 0.7, 0.45)


def suggest(people: Sequence[Availability], country: str | None, starts: datetime, ends: datetime,
            count: int = HOW_MANY) -> list[datetime]:
    """Up to `count` times (UTC, in order) for an hour that suits everyone, on different days
    spread over [starts, min(ends, starts + SPREAD)]; fewer, or none, when there aren't that many."""
    ends = min(ends, starts + SPREAD)
    if not people or ends - starts < HOUR:
        return []
    every = candidates(people, country, starts, ends)
    by_day: dict[date, list[datetime]] = {}
    for at in every:
        by_day.setdefault(at.date(), []).append(at)
    days = sorted(by_day)
    # One day from each part of the window (the fullest day there, earliest on a tie), then any
    # other days, fullest first, until there are enough.
    width = (ends - starts) / count
    chosen: list[date] = []
    for i in range(count):
        lo, hi = starts + width * i, starts + width * (i + 1)
        inside = [d for d in days if d not in chosen and lo <= by_day[d][0] < hi]
        if inside:
            chosen.append(max(inside, key=lambda d: (len(by_day[d]), -d.toordinal())))
    for d in sorted(days, key=lambda d: (-len(by_day[d]), d)):
        if len(chosen) >= count:
            break
        if d not in chosen:
            chosen.append(d)
    picks = []
    for i, d in enumerate(sorted(chosen)):
        run = max(_runs(by_day[d]), key=len)
        picks.append(run[min(len(run) - 1, int(len(run) * _POSITIONS[i % len(_POSITIONS)]))])
    if len(picks) < count:
        # Fewer days than suggestions: other times on those days, at least two hours apart.
        for at in every:
            if len(picks) >= count:
                break
            if all(abs(at - p) >= 2 * HOUR for p in picks):
                picks.append(at)
    return sorted(picks)
