"""A workspace's round settings (cadence, day, time, phases), stored as one setting."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from scheduler.schedule import Schedule, next_opening
from storage import members as store
from storage.clock import now

SCHEDULE_KEY = "schedule"


def load_schedule(session: Session, team_id: str) -> Schedule:
    return Schedule.from_dict(store.get_setting(session, team_id, SCHEDULE_KEY))


def save_schedule(session: Session, team_id: str, schedule: Schedule) -> Schedule:
    schedule.validate()
    store.ensure_workspace(session, team_id)
    store.put_setting(session, team_id, SCHEDULE_KEY, schedule.to_dict())
    return schedule


def next_round_at(session: Session, team_id: str, at: datetime | None = None) -> datetime:
    return next_opening(load_schedule(session, team_id), at or now()).opens_at
