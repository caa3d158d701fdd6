"""Partner moved on: to someone who went quiet, no blame; their match has closed (or, in a trio, goes on
without them) and there's a next round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners
from scheduler.workspace_schedule import next_round_at
from storage import rounds as round_store


@dataclass(frozen=True)
class PartnerMovedOn(Content):
    round_number: int
    next_round_at: datetime
    partner_ids: tuple[str, ...] = ()  # who asked to move on, named so the note isn't a riddle
    carried_on: bool = False  # a trio: the others carry on as a pair, and this reader is out of it


@dataclass(frozen=True)
class PartnerMovedOnSend(Send):
    kind: ClassVar[str] = "partner_moved_on"

    round_id: int
    group_id: int
    member_id: int  # the quiet partner

    def key(self) -> str:
        return f"partner_moved_on:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        still_in = {m.id for m in round_store.group_members(session, self.group_id)}
        return Plan(PartnerMovedOn(round_.number, next_round_at(session, team_id),
                                   partners(session, self.group_id, self.member_id),
                                   carried_on=self.member_id not in still_in),
                    channel=member(session, self.member_id).slack_user_id)
