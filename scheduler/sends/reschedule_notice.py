"""The reschedule notice: to the partner of someone who needs to move the chat, kindly, with what they suggested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import meetings
from scheduler.sends.base import Plan, Send, member, register
from storage import rounds as store
from storage.models import GroupStatus


@dataclass(frozen=True)
class RescheduleNotice:
    builder: ClassVar[str] = "reschedule_notice_message"

    group_id: int
    asker_id: str
    suggested_at: datetime | None
    note: str


@register
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
        group = store.get_group(session, self.group_id)
        latest = meetings.latest_suggestion(session, group.id)
        if latest is None or latest[0].id != self.event_id or group.status != GroupStatus.rescheduling.value:
            return None  # superseded by a later suggestion, or already settled
        asker = member(session, latest[0].member_id)
        if asker is None or asker.slack_user_id is None:
            return None  # they've left since; their words went with them
        return Plan(RescheduleNotice(group.id, asker.slack_user_id, latest[1], latest[2]),
                    channel=member(session, self.member_id).slack_user_id)
