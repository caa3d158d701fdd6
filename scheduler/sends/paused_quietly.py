"""Paused quietly: after two rounds without meeting, a member is paused, told kindly, and shown how to come back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member


@dataclass(frozen=True)
class PausedQuietly(Content):
    """Nothing varies: the same kind words for everyone paused this way."""

@dataclass(frozen=True)
class PausedQuietlySend(Send):
    kind: ClassVar[str] = "paused_quiet"

    round_id: int
    member_id: int

    def key(self) -> str:
        return f"paused_quiet:{self.round_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        return Plan(PausedQuietly(), channel=member(session, self.member_id).slack_user_id)
