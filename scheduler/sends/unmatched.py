"""Unmatched: why someone has no partner this round, and that they go first next time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from scheduler.workspace_schedule import next_round_at
from storage import rounds as round_store
from storage.models import MemberStatus


class UnmatchedReason(str, Enum):
    """Why someone has no partner this round; stored with the send as its value."""

    odd_number = "odd_number"                        # one left over, and this network doesn't make trios
    no_trio_possible = "no_trio_possible"            # one left over, and no trio would do
    no_partner_possible = "no_partner_possible"      # only colleagues, or people already met, were left
    partner_unreachable = "partner_unreachable"      # their partner can't be reached, and nobody was free
    intro_failed = "intro_failed"                    # Slack refused their intro for good
    partner_withdrew = "partner_withdrew"            # matched ahead, and the other's plans changed before it opened
    round_already_matched = "round_already_matched"  # joined or back just after the round was matched ahead


@dataclass(frozen=True)
class Unmatched(Content):
    round_number: int
    reason: str  # an UnmatchedReason's value
    next_round_at: datetime


@dataclass(frozen=True)
class UnmatchedSend(Send):
    """Sent when a round opens to each member left without a partner."""

    kind: ClassVar[str] = "unmatched"

    round_id: int
    member_id: int
    reason: str  # an UnmatchedReason's value, decided when the round opened, from how the numbers fell
    hold_until: datetime | None = None  # a round matched ahead: told at its opening, with everyone else

    def key(self) -> str:
        return f"unmatched:{self.round_id}:{self.member_id}"

    def not_before(self) -> datetime | None:
        return self.hold_until

    def plan(self, session: Session, team_id: str) -> Plan | None:
        someone = member(session, self.member_id)
        if someone is None or someone.status != MemberStatus.active.value:
            return None  # paused, skipping or gone since: "no partner" would be news of a round they're not in
        if someone.id in round_store.members_in_live_groups(session, self.round_id):
            return None  # found a partner after all (someone else's withdrew before the opening)
        return unmatched_plan(session, team_id, self.round_id, self.member_id, self.reason)


def unmatched_plan(session: Session, team_id: str, round_id: int, member_id: int, reason: str) -> Plan:
    round_ = round_store.get_round(session, round_id)
    return Plan(Unmatched(round_.number, reason, next_round_at(session, team_id)),
                channel=member(session, member_id).slack_user_id)
