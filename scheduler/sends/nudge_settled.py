"""The group's nudge, settled once a trio has gone on as a pair: it stays in the old conversation, which
whoever is out of the match can still see, so its button goes, as the old intro's do (intro_moved)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send
from storage import rounds as round_store


@dataclass(frozen=True)
class NudgeSettled(Content):
    round_number: int


@dataclass(frozen=True)
class NudgeSettledSend(Send):
    kind: ClassVar[str] = "nudge_settled"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    # The old conversation and the nudge in it: the group's own columns move on to the new one.
    channel: str
    ts: str

    def key(self) -> str:
        return f"nudge_settled:{self.channel}:{self.ts}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        return Plan(NudgeSettled(round_.number), channel=self.channel, update_ts=self.ts)
