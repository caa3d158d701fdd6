"""To someone waiting on a quiet partner, when the time they were given is up: what can still happen now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send, member
from scheduler.sends.partner_left import rematch_possible
from scheduler.workspace_schedule import next_round_at
from storage import meetings as meeting_store
from storage import rounds as round_store
from storage.models import RoundState


@dataclass(frozen=True)
class WaitOver(Content):
    group_id: int
    quiet_ids: tuple[str, ...]   # who hasn't answered
    others_ids: tuple[str, ...]  # in a trio, who else answered (they could carry on as a pair)
    can_rematch: bool
    next_round_at: datetime


@dataclass(frozen=True)
class WaitOverSend(Send):
    kind: ClassVar[str] = "wait_over"

    round_id: int
    group_id: int
    member_id: int  # the one waiting
    send_at: datetime

    def key(self) -> str:
        return f"wait_over:{self.group_id}:{self.member_id}"

    def not_before(self) -> datetime | None:
        return self.send_at

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        round_ = round_store.get_round(session, self.round_id)
        people = [m for m in round_store.group_members(session, group.id) if m.slack_user_id]
        if round_.state == RoundState.closed.value or group.status not in group_state.WAITING \
                or self.member_id not in {m.id for m in people}:
            return None  # they've found a time, moved on, or the round has ended
        answered = meeting_store.members_with_events(session, group.id)
        others = [m for m in people if m.id != self.member_id]
        quiet = [m for m in others if m.id not in answered]
        if not quiet:
            return None  # they've answered since
        carrying = [m for m in others if m not in quiet] if group_state.can_carry_on(others, quiet) else []
        return Plan(WaitOver(group.id, tuple(m.slack_user_id for m in quiet),
                             tuple(m.slack_user_id for m in carrying), rematch_possible(round_),
                             next_round_at(session, team_id)),
                    channel=member(session, self.member_id).slack_user_id)
