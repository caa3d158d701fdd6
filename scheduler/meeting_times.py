"""When a pair's chat is, read in each member's own time zone, and when to remind them of it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from scheduler.membership import InputError
from storage import members as member_store
from storage.clock import now

# Reminders arrive the day before, at this hour in each person's own time zone.
REMINDER_HOUR = 10


def _zone(timezone_name: str | None) -> ZoneInfo:
    """A member's time zone as Slack reported it; UTC when unknown or not one we recognise."""
    try:
        return ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reminder_time(meeting_at: datetime, timezone_name: str | None) -> datetime:
    """The day before the meeting, at REMINDER_HOUR in the person's own time zone."""
    zone = _zone(timezone_name)
    day_before: date = meeting_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, time(REMINDER_HOUR), tzinfo=zone)


def reminder_send_time(meeting_at: datetime, timezone_name: str | None, at: datetime | None = None) -> datetime | None:
    """When to remind one person: the day before at REMINDER_HOUR their time, or, when that has
    passed (a chat fixed at short notice), now if it's daytime there and the chat is hours away;
    otherwise no reminder, rather than one that wakes someone or arrives too late to help."""
    at = at or now()
    planned = reminder_time(meeting_at, timezone_name)
    if planned >= at:
        return planned
    local_hour = at.astimezone(planned.tzinfo).hour
    if meeting_at - at >= timedelta(hours=3) and 8 <= local_hour < 20:
        return at
    return None


def meeting_time(day: date, at: time | None, timezone_name: str | None) -> datetime:
    """A date (and maybe a time) picked by a member, in their own time zone; midday when no time is given."""
    zone = _zone(timezone_name)
    return datetime.combine(day, at or time(12, 0), tzinfo=zone)


def picked_time(session: Session, team_id: str, user_id: str, day: date | None, at: time | None) -> datetime | None:
    """A day and time picked in a modal, read in the picker's own time zone; InputError if it has passed."""
    if day is None:
        if at is not None:
            raise InputError("Pick a day to go with that time.", "date")
        return None
    member = member_store.get_member(session, team_id, user_id)
    timezone_name = member.timezone if member else None
    when = meeting_time(day, at, timezone_name)
    today = now().astimezone(when.tzinfo).date()
    if day < today:
        raise InputError("That day has already passed; pick today or later.", "date")
    return when
