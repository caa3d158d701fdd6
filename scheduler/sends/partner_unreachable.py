"""Partner unreachable: Slack says the partner can't be reached, and nobody else was free to step in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Plan, Send
from scheduler.sends.unmatched import UnmatchedReason, unmatched_plan


@dataclass(frozen=True)
class PartnerUnreachableSend(Send):
    kind: ClassVar[str] = "partner_unreachable"

    round_id: int
    member_id: int

    def key(self) -> str:
        return f"partner_unreachable:{self.round_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        reason = UnmatchedReason.partner_unreachable.value
        return unmatched_plan(session, team_id, self.round_id, self.member_id, reason)
