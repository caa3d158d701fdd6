"""Changing a workspace's schedule: the one function the CLI and the organisers' modal share."""

from __future__ import annotations

import pytest

from scheduler.schedule import ScheduleError
from scheduler.workspace_schedule import change_schedule, load_schedule
from storage.db import session_scope

TEAM = "T0SCHED"


def test_restating_the_cadence_keeps_the_phase_days_an_organiser_chose(engine):
    with session_scope(engine) as session:
        change_schedule(session, TEAM, nudge_days=12)
        change_schedule(session, TEAM, cadence="monthly", weekday=1)
        kept = load_schedule(session, TEAM)
        change_schedule(session, TEAM, cadence="weekly")
        weekly = load_schedule(session, TEAM)
    assert (kept.weekday, kept.nudge_days) == (1, 12)
    assert (weekly.nudge_days, weekly.follow_up_days, weekly.close_days) == (3, 5, 7)


def test_a_change_that_cannot_work_saves_nothing_and_names_its_field(engine):
    with session_scope(engine) as session:
        change_schedule(session, TEAM, at="09:15", country=None)
        with pytest.raises(ScheduleError) as problem:
            change_schedule(session, TEAM, at="9.30", close_days=40)
        assert problem.value.field == "time"
        saved = load_schedule(session, TEAM)
    assert (saved.hour, saved.minute, saved.country, saved.close_days) == (9, 15, None, 28)
