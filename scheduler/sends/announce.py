"""The heads-up: a few days before a round opens, with a one-click skip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Plan, Send, member, register
from scheduler.workspace_schedule import load_schedule, next_round_at
from storage import rounds as store
from storage.models import MemberStatus


@dataclass(frozen=True)
class Announcement:
    builder: ClassVar[str] = "announcement_message"

    period: str
    opens_at: datetime
    cadence: str = "monthly"  # "Busy that week?" for a weekly network


@register
@dataclass(frozen=True)
class AnnounceSend(Send):
    kind: ClassVar[str] = "announce"

    member_id: int
    period: str  # the round it announces, e.g. "2026-03"

    def key(self) -> str:
        return f"announce:{self.period}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if person.status != MemberStatus.active.value:
            return None  # they paused or skipped since it was queued
        if store.round_for_period(session, team_id, self.period) is not None:
            return None  # the round has opened: the intro says it all now
        return Plan(Announcement(self.period, next_round_at(session, team_id), load_schedule(session, team_id).cadence),
                    channel=person.slack_user_id)
