"""When rounds open and when their phases fall, in the workspace's own time and calendar."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from functools import lru_cache
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from scheduler.matching import Odd


class Cadence(str, Enum):
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"


class Guests(str, Enum):
    """Whether Slack guests (multi- and single-channel) are matched."""

    leave_out = "leave_out"  # as Donut does by default
    include = "include"


CADENCES = tuple(cadence.value for cadence in Cadence)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Fortnights are counted from this Monday, so "every other week" is stable across restarts.
FORTNIGHT_ANCHOR = date(2024, 1, 1)
# Phase offsets (days after opening) that suit each cadence when organisers pick one.
DEFAULT_OFFSETS = {
    Cadence.monthly: {"nudge_days": 10, "follow_up_days": 21, "close_days": 28},
    Cadence.fortnightly: {"nudge_days": 5, "follow_up_days": 11, "close_days": 14},
    Cadence.weekly: {"nudge_days": 3, "follow_up_days": 5, "close_days": 7},
}
CYCLE_DAYS = {Cadence.weekly: 7, Cadence.fortnightly: 14, Cadence.monthly: 28}
# A phase missed while the process was down still runs when it comes back within this
# window; later than that, a nudge or heads-up would only confuse, so it is skipped.
GRACE = timedelta(days=2)


class ScheduleError(ValueError):
    """A schedule an organiser asked for that cannot work; the message says why, `field` says where."""

    def __init__(self, message: str, field: str = "cadence"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Schedule:
    cadence: str = Cadence.monthly.value  # a Cadence's value; odd and guests below, an Odd's and a Guests'
    weekday: int = 0  # Monday
    hour: int = 10
    minute: int = 0
    timezone: str = "Europe/London"
    country: str | None = "GB"
    announce_days: int = 3
    nudge_days: int = 10
    follow_up_days: int = 21
    close_days: int = 28
    odd: str = Odd.trio.value
    guests: str = Guests.leave_out.value

    def validate(self) -> "Schedule":
        if self.cadence not in CADENCES:
            raise ScheduleError(f"Cadence must be one of {', '.join(CADENCES)}.")
        if not 0 <= self.weekday <= 6:
            raise ScheduleError("The day must be a day of the week, Monday to Sunday.", "weekday")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ScheduleError("The time must be a 24-hour time such as 10:00.", "time")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleError(
                f"'{self.timezone}' is not a time zone name such as Europe/London.", "timezone"
            ) from None
        if self.country and self.country not in holidays.list_supported_countries():
            raise ScheduleError(f"'{self.country}' is not a country code with known public holidays (e.g. GB).",
                                "country")
        if not 0 < self.nudge_days < self.follow_up_days < self.close_days <= CYCLE_DAYS[Cadence(self.cadence)]:
            raise ScheduleError(
                "Phases must come in order within one cycle: 0 < nudge < follow-up < close "
                f"≤ {CYCLE_DAYS[Cadence(self.cadence)]} days for a {self.cadence} round."
            )
        if not 0 <= self.announce_days <= 7:
            raise ScheduleError("The heads-up can go 0 to 7 days before a round opens.")
        if self.odd not in {odd.value for odd in Odd}:
            raise ScheduleError("Odd numbers are handled by 'trio' or 'sit_out'.")
        if self.guests not in {guests.value for guests in Guests}:
            raise ScheduleError("Guests are either 'include' or 'leave_out'.", "guests")
        return self

    @property
    def includes_guests(self) -> bool:
        return self.guests == Guests.include

    def with_cadence(self, cadence: str) -> "Schedule":
        """The schedule on another cadence, with phase offsets that fit it."""
        if cadence not in CADENCES:
            raise ScheduleError(f"Cadence must be one of {', '.join(CADENCES)}.")
        return replace(self, cadence=cadence, **DEFAULT_OFFSETS[Cadence(cadence)])

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Schedule":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class RoundTimes:
    period: str
    opens_at: datetime
    announce_at: datetime
    nudge_at: datetime
    follow_up_at: datetime
    closes_at: datetime


@lru_cache(maxsize=64)
def _holidays(country: str, year: int):
    return holidays.country_holidays(country, years=year)


def is_holiday(day: date, country: str | None) -> bool:
    return bool(country) and day in _holidays(country, day.year)


def next_working_day(day: date, country: str | None) -> date:
    """The day itself, or the first day after it that is neither a weekend nor a public holiday."""
    while day.weekday() >= 5 or is_holiday(day, country):
        day += timedelta(days=1)
    return day


def _period_start(schedule: Schedule, period_index: int) -> tuple[str, date]:
    """The period key and the nominal opening day of the period numbered `period_index`."""
    if schedule.cadence == Cadence.monthly:
        year, month0 = divmod(period_index, 12)
        first = date(year, month0 + 1, 1)
        day = first + timedelta(days=(schedule.weekday - first.weekday()) % 7)
        return f"{year:04d}-{month0 + 1:02d}", day
    span = 7 if schedule.cadence == Cadence.weekly else 14
    week_start = FORTNIGHT_ANCHOR + timedelta(days=span * period_index)
    day = week_start + timedelta(days=schedule.weekday)
    if schedule.cadence == Cadence.weekly:
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}", day
    return f"F{period_index:05d}", day


def _period_index(schedule: Schedule, day: date) -> int:
    if schedule.cadence == Cadence.monthly:
        return day.year * 12 + day.month - 1
    span = 7 if schedule.cadence == Cadence.weekly else 14
    return (day - FORTNIGHT_ANCHOR).days // span


def round_times(schedule: Schedule, period_index: int) -> RoundTimes:
    zone = ZoneInfo(schedule.timezone)
    period, nominal = _period_start(schedule, period_index)
    # Intros never land on a public holiday: they move to the next working day.
    day = nominal
    if is_holiday(day, schedule.country):
        day = next_working_day(day + timedelta(days=1), schedule.country)
    opens_local = datetime.combine(day, time(schedule.hour, schedule.minute), tzinfo=zone)
    opens_at = opens_local.astimezone(timezone.utc)

    def after(days: int) -> datetime:
        # Phases keep the wall-clock time across a clock change.
        return (opens_local + timedelta(days=days)).astimezone(timezone.utc)

    return RoundTimes(
        period=period,
        opens_at=opens_at,
        announce_at=after(-schedule.announce_days),
        nudge_at=after(schedule.nudge_days),
        follow_up_at=after(schedule.follow_up_days),
        closes_at=after(schedule.close_days),
    )


def openings_after(schedule: Schedule, at: datetime) -> Iterator[RoundTimes]:
    """Every scheduled opening after `at`, soonest first (endless: the caller stops)."""
    index = _period_index(schedule, at.astimezone(ZoneInfo(schedule.timezone)).date()) - 2
    while True:
        times = round_times(schedule, index)
        if times.opens_at > at:
            yield times
        index += 1


def manual_times(schedule: Schedule, at: datetime, period: str) -> RoundTimes:
    """Times for a round opened by hand now: the phases follow from now."""
    def after(days: int) -> datetime:
        return at + timedelta(days=days)

    return RoundTimes(
        period=period,
        opens_at=at,
        announce_at=at,
        nudge_at=after(schedule.nudge_days),
        follow_up_at=after(schedule.follow_up_days),
        closes_at=after(schedule.close_days),
    )
