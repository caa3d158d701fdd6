"""Stay in touch: when everyone in a group said they'd like to, each of them is told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners


@dataclass(frozen=True)
class StayInTouch(Content):
    partner_ids: tuple[str, ...]


@dataclass(frozen=True)
class StayInTouchSend(Send):
    kind: ClassVar[str] = "stay_in_touch"

    round_id: int
    group_id: int
    member_id: int

    def key(self) -> str:
        return f"stay_in_touch:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        return Plan(StayInTouch(partners(session, self.group_id, self.member_id)),
                    channel=member(session, self.member_id).slack_user_id)
