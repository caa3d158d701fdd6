"""The quiet partner's nudge: once, before a match can be closed for silence, a kind word naming who is waiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send, member
from storage import rounds as round_store


@dataclass(frozen=True)
class QuietNudge(Content):
    group_id: int
    waiting_ids: tuple[str, ...]  # who is hoping to hear from them


@dataclass(frozen=True)
class QuietNudgeSend(Send):
    kind: ClassVar[str] = "quiet_nudge"

    round_id: int
    group_id: int
    member_id: int  # the quiet partner
    waiting: tuple[int, ...] = ()  # member ids of who asked

    def key(self) -> str:
        return f"quiet_nudge:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if group.status not in group_state.WAITING:
            return None  # they've found a time (or the match moved on) since
        waiting = tuple(m.slack_user_id for m in round_store.group_members(session, group.id)
                              if m.id in self.waiting and m.slack_user_id)
        if not waiting:
            return None
        return Plan(QuietNudge(group.id, waiting), channel=member(session, self.member_id).slack_user_id)
