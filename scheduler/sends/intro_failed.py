"""Intro failed: Slack wouldn't take the intro for a reason that is nobody's fault, so the match couldn't start.

Said honestly: nobody is called unreachable because our message or the conversation failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Plan, Send
from scheduler.sends.unmatched import UnmatchedReason, unmatched_plan


@dataclass(frozen=True)
class IntroFailedSend(Send):
    kind: ClassVar[str] = "intro_failed"

    round_id: int
    group_id: int
    member_id: int

    def key(self) -> str:
        return f"intro_failed:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        return unmatched_plan(session, team_id, self.round_id, self.member_id, UnmatchedReason.intro_failed.value)
