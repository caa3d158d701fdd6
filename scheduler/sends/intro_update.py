"""An edit of the intro, so everyone in the conversation sees where things stand (and old buttons can't surprise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends import intro
from scheduler.sends.base import Plan, Send
from storage import rounds as round_store


@dataclass(frozen=True)
class IntroUpdateSend(Send):
    kind: ClassVar[str] = "intro_update"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    # The event that prompted the edit, or None when it is the round closing. Only the identity:
    # the edit always shows the group as it is when it goes.
    event_id: int | None = None

    def key(self) -> str:
        return f"intro_update:{self.group_id}:{'closed' if self.event_id is None else self.event_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if not group.intro_ts or not group.channel_id:
            return None
        return Plan(intro.intro_for(session, group.id), channel=group.channel_id, update_ts=group.intro_ts)
