"""An edit of the intro, so everyone in the conversation sees where things stand (and old buttons can't surprise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends import intro
from scheduler.sends.base import Plan, Send, register
from storage import rounds as store


@register
@dataclass(frozen=True)
class IntroUpdateSend(Send):
    kind: ClassVar[str] = "intro_update"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    # What prompted the edit: an event's id, "closed" or "quiet". Only the identity: the
    # edit always shows the group as it is when it goes.
    cause: str

    def key(self) -> str:
        return f"intro_update:{self.group_id}:{self.cause}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = store.get_group(session, self.group_id)
        if not group.intro_ts or not group.channel_id:
            return None
        return Plan(intro.intro_for(session, group.id), channel=group.channel_id, update_ts=group.intro_ts)
