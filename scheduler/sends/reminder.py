"""The reminder: the day before a scheduled chat, at a sensible hour in the member's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners
from storage import rounds as round_store
from storage.clock import now
from storage.models import GroupStatus


@dataclass(frozen=True)
class Reminder(Content):
    group_id: int
    partner_ids: tuple[str, ...]
    meeting_at: datetime


@dataclass(frozen=True)
class ReminderSend(Send):
    kind: ClassVar[str] = "reminder"

    round_id: int
    group_id: int
    member_id: int
    meeting_at: datetime
    send_at: datetime

    def key(self) -> str:
        # A new date is a new reminder; the one for the old date is dropped when its time comes.
        return f"reminder:{self.group_id}:{self.member_id}:{self.meeting_at.isoformat()}"

    def not_before(self) -> datetime | None:
        return self.send_at

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if (group.status != GroupStatus.scheduled.value or group.meeting_at != self.meeting_at
                or self.meeting_at <= now()):
            return None  # moved, met already, or passed: a stale reminder would only confuse
        return Plan(Reminder(group.id, partners(session, group.id, self.member_id), self.meeting_at),
                    channel=member(session, self.member_id).slack_user_id)
