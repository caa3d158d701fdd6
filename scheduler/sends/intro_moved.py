"""The old intro, once a trio goes on as a pair: a note naming everyone as things now stand, no buttons.

Whoever is out of the match can still see that conversation, so nobody is edited out of it: it
says who carries on (in a conversation of their own) and that the one out is matched next round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.models import EventKind


@dataclass(frozen=True)
class GroupMoved(Content):
    round_number: int
    staying: tuple[str, ...]  # Slack ids of the two carrying on
    out: tuple[str, ...]      # Slack ids of whoever is out of it this round


@dataclass(frozen=True)
class IntroMovedSend(Send):
    kind: ClassVar[str] = "intro_moved"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    # The old conversation and its intro: the group's own columns move on to the new one.
    channel: str
    ts: str
    event_id: int  # the event that moved the match on

    def key(self) -> str:
        return f"intro_moved:{self.group_id}:{self.event_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        round_ = round_store.get_round(session, self.round_id)
        staying = tuple(m.slack_user_id for m in round_store.group_members(session, self.group_id) if m.slack_user_id)
        out_ids = {e.member_id for e in meeting_store.events(session, self.group_id, EventKind.stepped_out)
                   if e.member_id}
        out = tuple(m.slack_user_id for m in (member_store.get_member_by_id(session, i) for i in sorted(out_ids))
                           if m is not None and m.slack_user_id)
        return Plan(GroupMoved(round_.number, staying, out), channel=self.channel, update_ts=self.ts)
