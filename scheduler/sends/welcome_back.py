"""Welcome back: the morning a pause until a chosen day ends, back in, and when the next round opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from scheduler.workspace_schedule import next_round_at
from storage.models import MemberStatus


@dataclass(frozen=True)
class WelcomeBack(Content):
    next_round_at: datetime


@dataclass(frozen=True)
class WelcomeBackSend(Send):
    kind: ClassVar[str] = "welcome_back"

    member_id: int
    day: str  # the day the pause ended (YYYYMMDD): a later pause that ends is welcomed again

    def key(self) -> str:
        return f"welcome_back:{self.member_id}:{self.day}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if person.status != MemberStatus.active.value:
            return None  # paused again (or skipping) since: a welcome would contradict them
        return Plan(WelcomeBack(next_round_at(session, team_id)), channel=person.slack_user_id)
