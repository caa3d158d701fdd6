"""Welcome: the lasting DM someone gets when they join, saying what to expect.

The reply to `/unmentor join` is ephemeral and gone by the next day; this stays in their DM with
the bot: that both learn, that what they say stays between them, and how to step out. Sent
through the outbox like everything else, so a retry or a restart never sends it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.schedule import Cadence
from scheduler.sends.base import Content, Plan, Send, member
from scheduler.workspace_schedule import load_schedule, next_round_at
from storage.models import MemberStatus


@dataclass(frozen=True)
class Welcome(Content):
    organisation: str
    next_round_at: datetime
    cadence: str = Cadence.monthly.value


@dataclass(frozen=True)
class WelcomeSend(Send):
    kind: ClassVar[str] = "welcome"

    member_id: int  # someone who leaves and joins again is a new member row, and is welcomed again

    def key(self) -> str:
        return f"welcome:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if person is None or person.status == MemberStatus.left.value or not person.slack_user_id:
            return None  # left again before it went: nothing to welcome them to
        return Plan(Welcome(person.organisation, next_round_at(session, team_id),
                            load_schedule(session, team_id).cadence), channel=person.slack_user_id)
