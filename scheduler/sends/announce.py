"""The heads-up: a few days before a round opens, with a one-click skip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.schedule import Cadence
from scheduler.sends.base import Content, Plan, Send, member
from scheduler.workspace_schedule import heads_up_key, load_schedule, next_round
from storage.clock import now
from storage.models import MemberStatus


@dataclass(frozen=True)
class Announcement(Content):
    period: str
    opens_at: datetime
    cadence: str = Cadence.monthly.value  # "Busy that week?" for a weekly network


@dataclass(frozen=True)
class AnnounceSend(Send):
    kind: ClassVar[str] = "announce"

    member_id: int
    period: str  # the round it announces, e.g. "2026-03"

    def key(self) -> str:
        return heads_up_key(self.period, self.member_id)

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if person.status != MemberStatus.active.value:
            return None  # they paused or skipped since it was queued
        schedule = load_schedule(session, team_id)
        upcoming = next_round(session, team_id, schedule, now())
        if upcoming.period != self.period:
            return None  # the round has opened (the intro says it all now), or its time passed without it
        return Plan(Announcement(self.period, upcoming.opens_at, schedule.cadence), channel=person.slack_user_id)
