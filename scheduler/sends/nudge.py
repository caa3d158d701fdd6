"""The nudge: partway through a round, a gentle word to a pair that hasn't found a time yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send
from storage import rounds as round_store


@dataclass(frozen=True)
class Nudge(Content):
    group_id: int
    round_number: int
    user_ids: tuple[str, ...]
    closes_at: datetime


@dataclass(frozen=True)
class NudgeSend(Send):
    kind: ClassVar[str] = "nudge"

    round_id: int
    group_id: int

    def key(self) -> str:
        return f"nudge:{self.group_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if group.status not in group_state.WAITING or not group.channel_id:
            return None  # they've scheduled or met since: nothing to nudge
        round_ = round_store.get_round(session, self.round_id)
        ids = tuple(m.slack_user_id for m in round_store.group_members(session, group.id) if m.slack_user_id)
        return Plan(Nudge(group.id, round_.number, ids, round_.closes_at), channel=group.channel_id)
