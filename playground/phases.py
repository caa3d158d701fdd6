"""Next phase: when the bot's next round phase falls, so the page can move the clock there.

Read from the schedule, the running round and the sends waiting for a time of their own (a
reminder the day before an agreed chat), as the bot itself reads them; nothing here runs a
phase. The scheduler does that when it next looks at the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.workspace_schedule import heads_up_owed, load_schedule, next_round
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.db import session_scope
from storage.models import RoundState, SendState

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
    name: str  # heads-up, open, nudge, follow-up, close; or a timed send's kind (reminder, welcome_back)
    at: datetime
    round_number: int | None = None  # the round it belongs to (for the next opening, the number it will have)
    opens_at: datetime | None = None  # a heads-up's: when the round it announces opens


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
        number = len(round_store.periods_used(session, team_id)) + 1  # the next round's, when it opens
        if running is None or running.state != RoundState.matched.value:
            # The round the clock will open next, by the one rule every surface uses.
            upcoming = next_round(session, team_id, schedule, at)
            if upcoming.announce_at > at:
                candidates.append(Phase("heads-up", upcoming.announce_at, number, upcoming.opens_at))
            elif heads_up_owed(session, team_id, upcoming, at):
                # Its day has passed, not its opening (people joined since): the clock sends it now,
                # late, and without it the round wouldn't open at its time.
                candidates.append(Phase("heads-up", at, number, upcoming.opens_at))
            candidates.append(Phase("open", upcoming.opens_at, number))
        # A send waiting for its own time (the day-before reminder): the clock stops there too, or
        # jumping to the next phase would pass it by and it would no longer be needed.
        timed = outbox.next_scheduled(session, team_id, at)
        if timed is not None:
            candidates.append(Phase(timed.kind, _aware(timed.not_before), _round_number(session, timed.round_id)))
    # A running round's phase overdue (the scheduler hasn't looked yet) still comes first; at the
    # same moment a round phase goes first (its sends are what the timed send may be waiting for).
    return min(candidates, key=lambda phase: (phase.at, phase.name not in PHASE_NAMES))


PHASE_NAMES = ("heads-up", "open", "nudge", "follow-up", "close")


def _round_number(session, round_id: int | None) -> int | None:
    round_ = round_store.get_round(session, round_id) if round_id else None
    return round_.number if round_ else None


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# How long a press of Next phase waits for its phase's sends before answering that they're still
# going: a 200-person round's intros take about 25 s on a busy machine (benchmarks.bench_playground).
SEND_WAIT = 60.0
# What the page calls each kind of send, one and many; any other is "message(s)".
KIND_WORDS = {
    "announce": ("heads-up", "heads-ups"), "intro": ("intro", "intros"), "nudge": ("nudge", "nudges"),
    "follow_up": ("follow-up", "follow-ups"), "reminder": ("reminder", "reminders"),
    "unmatched": ("note to someone unmatched", "notes to people unmatched"),
    "welcome_back": ("welcome back", "welcome backs"), "stay_in_touch": ("stay-in-touch note", "stay-in-touch notes"),
}
HEADLINES = {"heads-up": "sent round {n}'s heads-up", "open": "opened round {n}", "nudge": "nudged round {n}",
             "follow-up": "asked round {n} how it went", "close": "closed round {n}"}
NOT_OPENED = "round {n} didn't open"  # the clock reached its opening, no round opened (nobody had its heads-up, say)


@dataclass(frozen=True)
class Pressed:
    """What one press of Next phase did, in the page's words."""

    phase: Phase
    sent: dict  # kind -> how many went
    going: int  # sends due now and not in yet (still going when the press stopped waiting)
    happened: bool = True  # False: an opening the clock reached, where the round didn't open

    def said(self) -> str:
        headline = HEADLINES.get(self.phase.name, "sent what was due then") if self.happened else NOT_OPENED
        headline = headline.format(n=self.phase.round_number or "")
        counts = ", ".join(_count(kind, n) for kind, n in self.sent.items()) or "nothing to send"
        still = f"; {self.going} still going, the page shows them as they arrive" if self.going else ""
        return f"{headline[0].upper()}{headline[1:]}: {counts}{still}."


def _count(kind: str, n: int) -> str:
    one, many = KIND_WORDS.get(kind, (f"{kind.replace('_', ' ')} message", f"{kind.replace('_', ' ')} messages"))
    return f"{n} {one if n == 1 else many}"


def wait_for_sends(engine, team_id: str, phase: Phase, mark: int, since: datetime,
                   timeout: float = SEND_WAIT) -> Pressed:
    """Wait until every send the phase set going (recorded after `mark`, or waiting for a time the
    clock passed since `since`) that is due now has gone, so the next press can't date them on a
    later day; give up after `timeout` and say how many are still going."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        with session_scope(engine) as session:
            rows = outbox.recorded_after(session, team_id, mark, since, now())
        moment = now()
        sent: dict[str, int] = {}
        going = 0
        for kind, state, not_before, retrying in rows:
            if state == SendState.sent:
                sent[kind] = sent.get(kind, 0) + 1
            elif state in (SendState.pending, SendState.sending) and (
                    retrying or not_before is None or _aware(not_before) <= moment):
                going += 1
        if not going or time.monotonic() >= deadline:
            return Pressed(phase, sent, going, happened=phase.name != "open" or _opened(engine, team_id, phase))
        time.sleep(0.2)


def _opened(engine, team_id: str, phase: Phase) -> bool:
    """Whether the opening the clock reached opened its round (one whose heads-up reached nobody doesn't)."""
    with session_scope(engine) as session:
        running = round_store.running_round(session, team_id)
    return (running is not None and running.number == phase.round_number
            and running.state != RoundState.matched.value)
