"""To the one left when their partner says "I can't make this round": nothing they did, and what next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from scheduler.sends.partner_left import rematch_possible
from scheduler.workspace_schedule import next_round_at
from storage import rounds as round_store
from storage.models import RoundState


@dataclass(frozen=True)
class PartnerSteppedOut(Content):
    group_id: int
    round_number: int
    partner_id: str  # who can't make it: named, so the note isn't a riddle
    can_rematch: bool  # the round still has time for a fresh hour
    next_round_at: datetime


@dataclass(frozen=True)
class PartnerSteppedOutSend(Send):
    kind: ClassVar[str] = "partner_stepped_out"

    round_id: int
    group_id: int
    member_id: int  # the one left
    who: int        # member id of the one who stepped out

    def key(self) -> str:
        return f"partner_stepped_out:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        if round_.state == RoundState.closed.value:
            return None  # the round ended before this went: the next round's intro says it all
        partner = member(session, self.who)
        if partner is None or partner.slack_user_id is None:
            return None  # they've left unmentor since: partner_left says so instead
        return Plan(PartnerSteppedOut(self.group_id, round_.number, partner.slack_user_id, rematch_possible(round_),
                                      next_round_at(session, team_id)),
                    channel=member(session, self.member_id).slack_user_id)
