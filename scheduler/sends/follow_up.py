"""The follow-up ask: near the end of a round, each member is asked briefly what they learned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners
from storage import rounds as round_store
from storage.models import GroupStatus


@dataclass(frozen=True)
class FollowUpAsk(Content):
    group_id: int
    round_number: int
    partner_ids: tuple[str, ...]
    met: bool = True  # False: nobody said they met, so they're asked something lighter


@dataclass(frozen=True)
class FollowUpSend(Send):
    kind: ClassVar[str] = "follow_up"

    round_id: int
    group_id: int
    member_id: int

    def key(self) -> str:
        return f"follow_up:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        met = round_store.get_group(session, self.group_id).status == GroupStatus.met.value
        return Plan(FollowUpAsk(self.group_id, round_.number, partners(session, self.group_id, self.member_id), met),
                    channel=member(session, self.member_id).slack_user_id)
