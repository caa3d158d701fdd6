"""When a partner leaves mid-round: what the old intro says now, and a kind word to whoever is left.

The intro's edit is made at once by whoever handled the leaving (scheduler.departures says why it isn't queued)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from scheduler.workspace_schedule import next_round_at
from storage import rounds as round_store
from storage.models import RoundState


@dataclass(frozen=True)
class GroupEnded(Content):
    """What the old intro says once someone has left: nobody missing, nobody blamed."""

    round_number: int
    staying: tuple[str, ...]  # Slack ids of those still here


@dataclass(frozen=True)
class PartnerLeft(Content):
    """To the one left when their partner leaves unmentor: nothing they did, and what next."""

    group_id: int
    round_number: int
    can_rematch: bool  # the round still has time for a fresh hour
    next_round_at: datetime


@dataclass(frozen=True)
class PartnerLeftSend(Send):
    kind: ClassVar[str] = "partner_left"

    round_id: int
    group_id: int
    member_id: int  # the one left

    def key(self) -> str:
        return f"partner_left:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        if round_.state == RoundState.closed.value:
            return None  # the round ended before this went: the next round's intro says it all
        left = PartnerLeft(self.group_id, round_.number, rematch_possible(round_), next_round_at(session, team_id))
        return Plan(left,
                    channel=member(session, self.member_id).slack_user_id)


def rematch_possible(round_) -> bool:
    """Once the follow-up has gone out there's no time left for a fresh hour this round."""
    return round_.state in (RoundState.open.value, RoundState.nudged.value)
