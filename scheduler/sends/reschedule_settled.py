"""A reschedule notice, settled once it is no longer the live one: its buttons go, so only one set is
live. Either a newer notice supersedes it, someone else in the group has said yes to the new plan, or
someone has stepped out of this round (the reader, the one who asked, or either of a pair that has ended), or
the reader's trio has carried on as a pair without them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member, partners
from storage import rounds as round_store
from storage.models import GroupStatus


@dataclass(frozen=True)
class RescheduleSettled(Content):
    asker_id: str
    accepted_by: str | None = None  # who said yes to it, when that is what settled it
    meeting_at: datetime | None = None  # the time they said yes to; None when they'll find one together
    stepped_out_id: str | None = None  # someone else who stepped out of this round, when that is what settled it
    reader_stepped_out: bool = False  # the reader stepped out of this round, and that is what settled it
    carrying_on_with: tuple[str, ...] = ()  # with stepped_out_id: who the reader carries on with (a trio, now a pair)
    reader_moved_on: bool = False  # the other two of a trio carried on without the reader, who hadn't answered yet


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
    accepted_by: int | None = None  # member id of who said yes, when that settled it; None for a newer notice
    stepped_out: int | None = None  # member id of who stepped out of this round, when that settled it
    moved_on: bool = False  # the reader's trio carried on as a pair without them (they hadn't answered), so it settled

    def key(self) -> str:
        return f"reschedule_settled:{self.channel}:{self.ts}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        asker = member(session, self.asker)
        if asker is None or asker.slack_user_id is None:
            return None  # they've left since; the notice was edited then
        if self.moved_on:
            return Plan(RescheduleSettled(asker.slack_user_id, reader_moved_on=True),
                        channel=self.channel, update_ts=self.ts)
        if self.stepped_out is not None:
            if self.stepped_out == self.member_id:
                return Plan(RescheduleSettled(asker.slack_user_id, reader_stepped_out=True),
                            channel=self.channel, update_ts=self.ts)
            out = member(session, self.stepped_out)
            if out is None or out.slack_user_id is None:
                return None  # they've left since, and the group was told then
            ended = round_store.get_group(session, self.group_id).status == GroupStatus.ended.value
            return Plan(RescheduleSettled(asker.slack_user_id, stepped_out_id=out.slack_user_id,
                                          carrying_on_with=() if ended else partners(session, self.group_id,
                                                                                      self.member_id)),
                        channel=self.channel, update_ts=self.ts)
        if self.accepted_by is None:
            return Plan(RescheduleSettled(asker.slack_user_id), channel=self.channel, update_ts=self.ts)
        accepter = member(session, self.accepted_by)
        if accepter is None or accepter.slack_user_id is None:
            return None  # they've left since, and the group was told then
        meeting_at = round_store.get_group(session, self.group_id).meeting_at
        return Plan(RescheduleSettled(asker.slack_user_id, accepter.slack_user_id, meeting_at),
                    channel=self.channel, update_ts=self.ts)
