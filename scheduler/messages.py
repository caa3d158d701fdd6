"""What the scheduler asks to be said, as plain data; the bot decides how it looks in Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler.prompts import Prompt


@dataclass(frozen=True)
class Person:
    user_id: str
    organisation: str
    role: str = ""
    talk_about: str = ""
    could_share: str = ""
    timezone: str | None = None


@dataclass(frozen=True)
class Intro:
    """The one message a group gets: who is who, why bother, and a few prompts."""

    group_id: int
    round_number: int
    people: tuple[Person, ...]
    prompts: tuple[Prompt, ...]
    closes_at: datetime
    status: str = "new"
    meeting_at: datetime | None = None
    ended: bool = False
    offer_no_reply: bool = False  # quiet for a few days: offer "My partner hasn't replied"
    first_mover: str | None = None  # the Slack ID of whoever's turn it is to suggest a time


@dataclass(frozen=True)
class Nudge:
    group_id: int
    round_number: int
    user_ids: tuple[str, ...]
    closes_at: datetime


@dataclass(frozen=True)
class FollowUpAsk:
    group_id: int
    round_number: int
    partner_ids: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    """Why someone has no partner this round, and that they go first next time."""

    round_number: int
    reason: str  # "odd_number" | "no_trio_possible" | "no_partner_possible" | "partner_unreachable"
    next_round_at: datetime


@dataclass(frozen=True)
class Announcement:
    """A heads-up a few days before a round opens, with a one-click skip."""

    period: str
    opens_at: datetime



@dataclass(frozen=True)
class Reminder:
    """The day before a scheduled chat."""

    group_id: int
    partner_ids: tuple[str, ...]
    meeting_at: datetime


@dataclass(frozen=True)
class RescheduleNotice:
    """To the partner of someone who needs to move the chat: kindly, with what they suggested."""

    group_id: int
    asker_id: str
    suggested_at: datetime | None
    note: str


@dataclass(frozen=True)
class RescheduleAccepted:
    partner_id: str
    meeting_at: datetime | None


@dataclass(frozen=True)
class PartnerMovedOn:
    """To a partner who went quiet: no blame, the match has moved on, see you next round."""

    round_number: int
    next_round_at: datetime


@dataclass(frozen=True)
class StayInTouch:
    partner_ids: tuple[str, ...]


@dataclass(frozen=True)
class WelcomeBack:
    """The morning a pause until a chosen day ends: back in, and when the next round opens."""

    next_round_at: datetime


@dataclass(frozen=True)
class PausedQuietly:
    """After two rounds without meeting: paused, and how to come back."""
