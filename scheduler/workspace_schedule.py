"""A workspace's saved schedule: loading it, changing it, and when its next round opens.

The schedule itself, and the dates it gives, are worked out in `scheduler/schedule.py`; this
module is where a workspace keeps one (as a single setting).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from scheduler.schedule import RoundTimes, Schedule, ScheduleError, openings_after
from storage import members as store
from storage import rounds as round_store
from storage.clock import now
from storage.models import RoundState

SCHEDULE_KEY = "schedule"


def load_schedule(session: Session, team_id: str) -> Schedule:
    return Schedule.from_dict(store.get_setting(session, team_id, SCHEDULE_KEY))


def save_schedule(session: Session, team_id: str, schedule: Schedule) -> Schedule:
    schedule.validate()
    store.ensure_workspace(session, team_id)
    store.put_setting(session, team_id, SCHEDULE_KEY, schedule.to_dict())
    return schedule


def next_unused_opening(session: Session, team_id: str, schedule: Schedule, at: datetime) -> RoundTimes:
    """The first scheduled opening after `at` whose period no round has taken yet (one opened
    by hand takes the next period, so its date won't open another)."""
    used = round_store.periods_used(session, team_id)
    return next(times for times in openings_after(schedule, at) if times.period not in used)


def next_round_at(session: Session, team_id: str, at: datetime | None = None) -> datetime:
    """When the next round opens: one matched ahead and about to open counts (Home, skip and the
    welcome name the round whose intros come next)."""
    running = round_store.running_round(session, team_id)
    if running is not None and running.state == RoundState.matched.value:
        return running.opens_at
    return next_unused_opening(session, team_id, load_schedule(session, team_id), at or now()).opens_at


def proposed_schedule(session: Session, team_id: str, *, cadence: str | None = None, weekday: int | None = None,
                      at: str | None = None, timezone: str | None = None, country: str | None = "",
                      announce_days: int | None = None, nudge_days: int | None = None,
                      follow_up_days: int | None = None, close_days: int | None = None,
                      odd: str | None = None) -> Schedule:
    """The schedule with what an organiser changed, checked but not saved; ScheduleError if it can't work.

    None (or "" for `country`, where None means "no public holidays") leaves a setting as it is.
    A new cadence comes first: it brings phase days that suit it, unless those are given too.
    """
    schedule = load_schedule(session, team_id)
    if cadence and cadence != schedule.cadence:
        schedule = schedule.with_cadence(cadence)
    changes = {}
    if weekday is not None:
        changes["weekday"] = weekday
    if at:
        hour, _, minute = at.partition(":")
        if not (hour.isdigit() and minute.isdigit()):
            raise ScheduleError("The time must be a 24-hour time such as 10:00.", "time")
        changes.update(hour=int(hour), minute=int(minute))
    if timezone:
        changes["timezone"] = timezone
    if country != "":
        changes["country"] = country
    for name, value in (("announce_days", announce_days), ("nudge_days", nudge_days),
                        ("follow_up_days", follow_up_days), ("close_days", close_days), ("odd", odd)):
        if value is not None:
            changes[name] = value
    return replace(schedule, **changes).validate()


def change_schedule(session: Session, team_id: str, **changes) -> Schedule:
    """Change a workspace's schedule: the one way the CLI and the organisers' modal both do it.

    Takes proposed_schedule's keywords; nothing is saved if the result can't work (ScheduleError).
    """
    return save_schedule(session, team_id, proposed_schedule(session, team_id, **changes))
