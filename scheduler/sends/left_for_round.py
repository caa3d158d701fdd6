"""When someone lets a chat go for this round (after it didn't happen, or after many reschedules): the others hear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from storage import rounds as round_store
from storage.models import RoundState


@dataclass(frozen=True)
class LeftForRound(Content):
    round_number: int
    by_id: str  # who said so: named, so the note isn't a riddle
    after_reschedules: bool  # after several tries at a time, rather than after a missed chat


@dataclass(frozen=True)
class LeftForRoundSend(Send):
    kind: ClassVar[str] = "left_for_round"

    round_id: int
    group_id: int
    member_id: int  # who is told
    by: int         # member id of who let it go
    after_reschedules: bool = False

    def key(self) -> str:
        return f"left_for_round:{self.group_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        by = member(session, self.by)
        if round_.state == RoundState.closed.value or by is None or by.slack_user_id is None:
            return None
        return Plan(LeftForRound(round_.number, by.slack_user_id, self.after_reschedules),
                    channel=member(session, self.member_id).slack_user_id)
