"""The reschedule notice: to the partner of someone who needs to move the chat, kindly, with what they suggested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send, member, partners, queue
from scheduler.sends.reschedule_settled import RescheduleSettledSend
from storage import meetings as meeting_store
from storage import rounds as round_store
from storage.models import EventKind, GroupStatus


@dataclass(frozen=True)
class RescheduleNotice(Content):
    group_id: int
    asker_id: str
    suggested_at: datetime | None
    note: str
    counter: bool = False  # an answer to the reader's own request: "suggests another time", not "needs to move"
    offer_let_go: bool = False  # asked often enough that letting this round go is offered, without blame
    group_size: int = 2  # "both" for a pair, "all" for a trio


@dataclass(frozen=True)
class RescheduleNoticeSend(Send):
    kind: ClassVar[str] = "reschedule_notice"

    round_id: int
    group_id: int
    member_id: int  # the partner being told
    event_id: int   # the request to reschedule; its time and note are read when the notice goes

    def key(self) -> str:
        return f"reschedule_notice:{self.event_id}:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        latest = group_state.latest_suggestion(session, group.id)
        if latest is None or latest[0].id != self.event_id or group.status != GroupStatus.rescheduling.value:
            return None  # superseded by a later suggestion, or already settled
        asker = member(session, latest[0].member_id)
        if asker is None or asker.slack_user_id is None:
            return None  # they've left since; their words went with them
        if asker.id in group_state.stepped_out_of(session, group.id):
            return None  # they can't make this round after all, so their request no longer stands
        if self.member_id not in {m.id for m in round_store.group_members(session, group.id)}:
            return None  # out of the group since (they stepped out of a trio): it's no longer theirs to answer
        asks = meeting_store.events(session, group.id, EventKind.reschedule_asked)
        earlier = [e for e in asks if e.id < self.event_id]
        # Answering the reader's own request (the one just before this, not yet settled) is a counter-suggestion.
        counter = bool(earlier) and earlier[-1].member_id == self.member_id and not _settled_between(
            session, group.id, earlier[-1].id, self.event_id)
        return Plan(RescheduleNotice(group.id, asker.slack_user_id, latest[1], latest[2], counter=counter,
                                     offer_let_go=len(asks) >= group_state.LET_GO_FROM,
                                     group_size=group_state.group_size(partners(session, group.id, self.member_id))),
                    channel=member(session, self.member_id).slack_user_id)

    def sent(self, session: Session, channel: str, ts: str) -> list[str]:
        # A newer request may have come while Slack held this one, or someone else in the group said
        # yes to this one: either only settles notices already recorded as sent, so this one settles
        # now, or its buttons would stay live for good. The group's row is held first, so that answer
        # and this either see each other or run one after the other.
        round_store.lock_group(session, self.group_id)
        asks = meeting_store.events(session, self.group_id, EventKind.reschedule_asked)
        mine = next((e for e in asks if e.id == self.event_id), None)
        if mine is None:
            return []
        accepted_by = stepped_out = None
        moved_on = False
        if not any(e.id > self.event_id for e in asks):
            yes = [e for e in meeting_store.events(session, self.group_id, EventKind.reschedule_accepted)
                   if e.id > self.event_id]
            # Whoever said yes did it on their own notice, which their answer has already replaced.
            if yes and yes[0].member_id == self.member_id:
                return []
            if yes:
                accepted_by = yes[0].member_id
            else:
                # Someone stepping out settles notices already sent the same way (meetings.step_out).
                stepped_out, moved_on = self._out_since(session, mine.member_id)
                if stepped_out is None and not moved_on:
                    return []
        settle = RescheduleSettledSend(round_id=self.round_id, group_id=self.group_id, member_id=self.member_id,
                                       asker=mine.member_id, channel=channel, ts=ts, accepted_by=accepted_by,
                                       stepped_out=stepped_out, moved_on=moved_on)
        queue(session, round_store.get_group(session, self.group_id).team_id, [settle])
        return [settle.key()]

    def _out_since(self, session: Session, asker: int) -> tuple[int | None, bool]:
        """(who stepped out of this round since the request, leaving this notice nothing to answer: the
        reader, by their own click, the one who asked (their request no longer stands), or either of a
        pair, whose match ended with it; whether instead the reader's trio carried on as a pair without
        them before they answered anything (meetings._carry_on_without settles those the same way))."""
        events = meeting_store.events(session, self.group_id)
        out = [e for e in events if e.kind == EventKind.stepped_out.value and e.id > self.event_id]
        if any(e.member_id == self.member_id for e in out):
            # Their own click is an answer; someone moved on after going quiet has none, and is told otherwise.
            answered = any(e.member_id == self.member_id and e.kind != EventKind.stepped_out.value for e in events)
            return (self.member_id, False) if answered else (None, True)
        if any(e.member_id == asker for e in out):
            return asker, False
        if out and round_store.get_group(session, self.group_id).status == GroupStatus.ended.value:
            return out[-1].member_id, False
        return None, False


def _settled_between(session: Session, group_id: int, after: int, before: int) -> bool:
    """Whether a time was agreed (or the chat marked) between two requests, so the second is a fresh one."""
    settling = (EventKind.reschedule_accepted, EventKind.scheduled, EventKind.met, EventKind.missed)
    return any(after < e.id < before and e.kind in settling for e in meeting_store.events(session, group_id))
