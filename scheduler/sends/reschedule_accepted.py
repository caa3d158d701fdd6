"""Reschedule accepted: the one who asked to move the chat hears their partner is happy with the new plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners
from storage import rounds as round_store


@dataclass(frozen=True)
class RescheduleAccepted(Content):
    partner_id: str
    meeting_at: datetime | None


@dataclass(frozen=True)
class RescheduleAcceptedSend(Send):
    kind: ClassVar[str] = "reschedule_accepted"

    round_id: int
    group_id: int
    member_id: int  # who asked to reschedule
    event_id: int   # the acceptance: each one is told once

    def key(self) -> str:
        return f"reschedule_accepted:{self.event_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        others = partners(session, self.group_id, self.member_id)
        if not others:
            return None  # the partner has left since
        group = round_store.get_group(session, self.group_id)
        return Plan(RescheduleAccepted(others[0], group.meeting_at),
                    channel=member(session, self.member_id).slack_user_id)
