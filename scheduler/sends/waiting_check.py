"""A week or more into a match with no time set: a private word to each person in it, never a flag in the shared intro.

Only the reader sees it, so the one waiting can ask for a nudge without their partner watching a
"hasn't replied" button appear, and the one swamped can step out with one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler import group_state
from scheduler.sends.base import Content, Plan, Send, member, partners, queue
from scheduler.sends.waiting_check_settled import WaitingCheckSettledSend
from storage import rounds as round_store
from storage.clock import now
from storage.models import GroupStatus, RoundState


@dataclass(frozen=True)
class WaitingCheck(Content):
    group_id: int
    partner_ids: tuple[str, ...]
    days: int = 7  # since their intro, counted when it goes: a check sent on day 10 says so


@dataclass(frozen=True)
class WaitingCheckSend(Send):
    kind: ClassVar[str] = "waiting_check"

    round_id: int
    group_id: int
    member_id: int
    send_at: datetime | None = None  # a day after the group's nudge, so the two never land together

    def key(self) -> str:
        return f"waiting_check:{self.group_id}:{self.member_id}"

    def not_before(self) -> datetime | None:
        return self.send_at

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        round_ = round_store.get_round(session, self.round_id)
        if group.status not in group_state.WAITING or round_.state not in (RoundState.open.value,
                                                                         RoundState.nudged.value):
            return None  # a time is set, the match moved on, or the follow-up has gone
        if self.member_id not in {m.id for m in round_store.group_members(session, group.id)}:
            return None
        days = (now() - group.created_at).days
        return Plan(WaitingCheck(group.id, partners(session, group.id, self.member_id), days),
                    channel=member(session, self.member_id).slack_user_id)

    def sent(self, session: Session, channel: str, ts: str) -> list[str]:
        # A time may have been agreed, or the match moved on another way, while Slack held this: either only
        # settles checks already recorded as sent, so this one settles now. The group's row is held first,
        # so the two either see each other or run one after the other.
        round_store.lock_group(session, self.group_id)
        group = round_store.get_group(session, self.group_id)
        out = self.member_id not in {m.id for m in round_store.group_members(session, group.id)}
        if group.status in group_state.WAITING and not out:
            return []
        settle = WaitingCheckSettledSend(round_id=self.round_id, group_id=self.group_id, member_id=self.member_id,
                                         channel=channel, ts=ts,
                                         moved_on=out or group.status != GroupStatus.scheduled.value)
        queue(session, group.team_id, [settle])
        return [settle.key()]
