"""After two rounds with no answer at all: one message asking whether to keep someone in, or pause for now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from storage.models import MemberStatus


@dataclass(frozen=True)
class StillIn(Content):
    pause_at: datetime  # when they're paused if they don't answer


@dataclass(frozen=True)
class StillInSend(Send):
    kind: ClassVar[str] = "still_in"

    round_id: int
    member_id: int
    pause_at: datetime

    def key(self) -> str:
        return f"still_in:{self.round_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if person.status != MemberStatus.active.value or person.quiet_rounds < 2:
            return None  # they've answered, paused or skipped since: nothing to ask
        return Plan(StillIn(self.pause_at), channel=person.slack_user_id)
