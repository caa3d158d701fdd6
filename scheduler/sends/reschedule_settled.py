"""An older reschedule notice, settled once a newer one supersedes it: its buttons go, so only one is live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member


@dataclass(frozen=True)
class RescheduleSettled(Content):
    asker_id: str


@dataclass(frozen=True)
class RescheduleSettledSend(Send):
    kind: ClassVar[str] = "reschedule_settled"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    member_id: int  # whose DM holds the old notice
    asker: int      # member id of who asked then
    channel: str
    ts: str

    def key(self) -> str:
        return f"reschedule_settled:{self.channel}:{self.ts}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        asker = member(session, self.asker)
        if asker is None or asker.slack_user_id is None:
            return None  # they've left since; the notice was edited then
        return Plan(RescheduleSettled(asker.slack_user_id), channel=self.channel, update_ts=self.ts)
