"""Facts about where a match stands, read alike by the workflow (scheduler.meetings, scheduler.rounds)
and by the kinds of send that check them before sending (scheduler.sends).

Kept below both, so a kind of send never imports the workflow that queues it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlmodel import Session

from storage import meetings as meeting_store
from storage.models import EventKind, GroupStatus, MeetingEvent

# A match still waiting to settle a time: a nudge or a quiet partner's check only makes sense then.
WAITING = (GroupStatus.new.value, GroupStatus.rescheduling.value)
# From this many requests to move the chat, everyone is offered to let it go for this round, without blame.
LET_GO_FROM = 3


def group_size(partner_ids: Sequence) -> int:
    """How many are in the group, as a message to one of them counts it: the others still in it, and the reader.
    Words that count the group ("both" or "all") come from this, wherever they are built."""
    return len(partner_ids) + 1


def can_carry_on(others: list, quiet: list) -> bool:
    """A trio where someone has answered and someone hasn't: the ones who answered can carry on as a pair."""
    return len(others) >= 2 and 0 < len(quiet) < len(others)


def stepped_out_of(session: Session, group_id: int) -> set[int]:
    """Who is out of this match this round: they said they can't make it, or it carried on without them."""
    return {e.member_id for e in meeting_store.events(session, group_id, EventKind.stepped_out) if e.member_id}


def latest_suggestion(session: Session, group_id: int) -> tuple[MeetingEvent, datetime | None, str] | None:
    """(the request's event, suggested time, note) of the latest reschedule request, or None."""
    event = meeting_store.latest_event(session, group_id, EventKind.reschedule_asked)
    if event is None:
        return None
    return event, event.meeting_at, event.note
