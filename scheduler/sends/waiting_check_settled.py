"""A waiting check, settled once the group has agreed a time, or the match has moved on another way (met,
missed, ended, someone out of it): it said "no time is set yet", with buttons to chase or step out, and a
nudge never contradicts what the member has already told the bot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, partners
from storage import rounds as round_store
from storage.models import GroupStatus


@dataclass(frozen=True)
class WaitingCheckSettled(Content):
    partner_ids: tuple[str, ...]  # no date: the intro and the calendar links carry it, and a later move
                                  # would leave a date here out of step with them
    moved_on: bool = False  # the match moved on another way than a time agreed: nothing more said, all of it true


@dataclass(frozen=True)
class WaitingCheckSettledSend(Send):
    kind: ClassVar[str] = "waiting_check_settled"
    first_call: ClassVar[str] = "chat.update"

    round_id: int
    group_id: int
    member_id: int  # whose DM holds the check
    channel: str
    ts: str
    moved_on: bool = False  # settled by the match moving on another way (met, missed, ended, someone out of it)

    def key(self) -> str:
        return f"waiting_check_settled:{self.channel}:{self.ts}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if self.moved_on:
            return Plan(WaitingCheckSettled((), moved_on=True), channel=self.channel, update_ts=self.ts)
        if group.status != GroupStatus.scheduled.value:
            return None  # moved on again by the time this goes (a new request to move it, say): nothing to add
        return Plan(WaitingCheckSettled(partners(session, group.id, self.member_id)),
                    channel=self.channel, update_ts=self.ts)
