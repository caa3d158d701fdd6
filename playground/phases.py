"""Next phase: when the bot's next round phase falls, so the page can move the clock there.

Read from the schedule and the running round, as the bot itself reads them; nothing here runs a
phase. The scheduler does that when it next looks at the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.schedule import current_and_next
from scheduler.workspace_schedule import load_schedule
from storage import rounds as round_store
from storage.clock import now
from storage.db import session_scope
from storage.models import RoundState

# A little past the phase's time, so "due" comparisons (at >= due) hold whichever way they are written.
PAST_DUE = timedelta(seconds=1)
RUNNING_PHASES = {  # the running round's state -> the phase that comes next and the column with its time
    RoundState.matched.value: ("open", "opens_at"),  # matched ahead: it opens at its time
    RoundState.open.value: ("nudge", "nudge_at"),
    RoundState.nudged.value: ("follow-up", "follow_up_at"),
    RoundState.following_up.value: ("close", "closes_at"),
}


@dataclass(frozen=True)
class Phase:
    name: str  # heads-up, open, nudge, follow-up, close
    at: datetime
    round_number: int | None = None  # the round it belongs to, once it exists


def next_phase(engine, team_id: str, at: datetime | None = None) -> Phase:
    """The first phase after `at` (default now): of the running round, or the next round's heads-up or opening."""
    at = at or now()
    with session_scope(engine) as session:
        schedule = load_schedule(session, team_id)
        running = round_store.running_round(session, team_id)
        candidates = []
        if running is not None and running.state in RUNNING_PHASES:
            name, column = RUNNING_PHASES[running.state]
            candidates.append(Phase(name, _aware(getattr(running, column)), running.number))
        _, upcoming = current_and_next(schedule, at)
        if round_store.round_for_period(session, team_id, upcoming.period) is None:
            if upcoming.announce_at > at:
                candidates.append(Phase("heads-up", upcoming.announce_at))
            candidates.append(Phase("open", upcoming.opens_at))
        else:  # that period already ran (opened by hand): the one after it
            _, later = current_and_next(schedule, upcoming.opens_at)
            candidates += [Phase("heads-up", later.announce_at), Phase("open", later.opens_at)]
    # A running round's phase overdue (the scheduler hasn't looked yet) still comes first.
    return min(candidates, key=lambda phase: phase.at)


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
