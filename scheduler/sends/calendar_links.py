"""Calendar links: once a chat is scheduled, each member gets "Add to calendar" links in their DM
with the bot, with the time, whom it's with and a link back to the group's conversation. Nothing
is connected to anyone's calendar; the links only fill in a new event for them to save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.sends.base import Content, Plan, Send, member
from storage import meetings as meeting_store
from storage import rounds as round_store
from storage.clock import now
from storage.models import EventKind, GroupStatus

NAME_SHOWN = 80


@dataclass(frozen=True)
class CalendarLinks(Content):
    group_id: int
    meeting_at: datetime
    partner_ids: tuple[str, ...]
    # "Ben Tanaka (Northgate Health Trust)": the others' names as Slack shows them and their
    # organisations; never anything they wrote about themselves.
    partners: tuple[str, ...]
    conversation_url: str | None = None
    moved: bool = False  # a new time for a chat scheduled before: the old entry is theirs to remove


def conversation_url(team_id: str, channel_id: str | None) -> str | None:
    """A link that opens the group's conversation in Slack (Slack's own redirect, no workspace address needed)."""
    if not channel_id:
        return None
    return f"https://slack.com/app_redirect?team={team_id}&channel={channel_id}"


@dataclass(frozen=True)
class CalendarLinksSend(Send):
    kind: ClassVar[str] = "calendar_links"

    round_id: int
    group_id: int
    member_id: int
    meeting_at: datetime

    def key(self) -> str:
        # A new time is a new message with new links.
        return f"calendar_links:{self.group_id}:{self.member_id}:{self.meeting_at.isoformat()}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        if (group is None or group.status != GroupStatus.scheduled.value or group.meeting_at != self.meeting_at
                or self.meeting_at <= now()):
            return None  # moved again, met already or passed: these links would only mislead
        others = [m for m in round_store.group_members(session, group.id) if m.id != self.member_id and m.slack_user_id]
        # Clipped, so a trio's links stay well inside the 3,000 characters Slack allows a link.
        named = tuple(f"{m.name[:NAME_SHOWN]} ({m.organisation[:NAME_SHOWN]})" if m.name
                      else f"someone from {m.organisation[:NAME_SHOWN]}" for m in others)
        scheduled = [e for e in meeting_store.events(session, group.id, EventKind.scheduled) if e.meeting_at]
        return Plan(CalendarLinks(group.id, self.meeting_at, tuple(m.slack_user_id for m in others), named,
                                  conversation_url(team_id, group.channel_id), moved=len(scheduled) > 1),
                    channel=member(session, self.member_id).slack_user_id)
