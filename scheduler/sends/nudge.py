"""The nudge: partway through a round, a gentle word to a pair that hasn't found a time yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send, queue
from scheduler.sends.nudge_settled import NudgeSettledSend
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

    def sent(self, session: Session, channel: str, ts: str) -> list[str]:
        # A trio may have gone on as a pair while Slack held this: that settles only a nudge already
        # recorded as sent (meetings._carry_on_without), so this one, left in the old conversation,
        # settles now. The group's row is held first, so the two either see each other or run in turn.
        round_store.lock_group(session, self.group_id)
        group = round_store.get_group(session, self.group_id)
        if group.channel_id == channel:
            return []
        settle = NudgeSettledSend(round_id=self.round_id, group_id=self.group_id, channel=channel, ts=ts)
        queue(session, group.team_id, [settle])
        return [settle.key()]
