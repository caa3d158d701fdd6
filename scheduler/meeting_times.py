"""When a pair's chat is, read in each member's own time zone, the times their intro suggests,
and when to remind them of it."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from scheduler import suggested_times
from scheduler.inputs import InputError
from scheduler.workspace_schedule import load_schedule
from storage import members as member_store
from storage import rounds as round_store
from storage.clock import now
from storage.models import Group, MemberStatus

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


# Suggestions start this long after the intro lands: never the same working day, so everyone
# has a moment to read it (Monday 10:00 in London is Tuesday 04:00 UTC, so Tuesday everywhere).
FIRST_SUGGESTION_AFTER = timedelta(hours=18)


def suggestion_window(opens_at: datetime, follow_up_at: datetime, at: datetime) -> tuple[datetime, datetime]:
    """From the day after the intro to the follow-up (capped at two weeks by the suggester): the
    hour should come before anyone is asked what they took from it."""
    starts = max(opens_at, at) + FIRST_SUGGESTION_AFTER
    return starts, follow_up_at


def _work_out(session: Session, group: Group) -> list[datetime]:
    """Times that suit everyone now in the group, from the day after the intro to the follow-up."""
    round_ = round_store.get_round(session, group.round_id)
    members = [m for m in round_store.group_members(session, group.id) if m.slack_user_id]
    people = [suggested_times.Availability(m.timezone, suggested_times.UsuallyFree.decode(m.usually_free))
              for m in members]
    starts, ends = suggestion_window(round_.opens_at, round_.follow_up_at, now())
    return suggested_times.suggest(people, load_schedule(session, group.team_id).country, starts, ends)


def _encode(times: list[datetime]) -> str:
    return json.dumps([t.isoformat() for t in times])


def fix_suggestions(session: Session, group: Group, fewer: bool = False) -> list[datetime]:
    """The group's suggested times, worked out the first time its intro is sent and kept from then
    on (a second process planning the same intro keeps the first one's).

    `fewer`: the intro goes again to fewer people (a trio carrying on as a pair, in a conversation of
    its own), so times are worked out afresh for those left: a trio spanning London, New York and
    Singapore may have had none, where its London and New York two have several.
    """
    if group.suggested_times is None:
        round_store.set_suggested_times(session, group, _encode(_work_out(session, group)))
    elif fewer:
        # A "That works for me" names a time by its place in this list, and the old intro's buttons
        # may still be clicked (its edit into a note is on its way, or a client shows it as it was).
        # So the times already suggested keep their places, and those left's new ones only fill the
        # places still free: every button, old or new, means the time its reader saw. Nothing is lost
        # by keeping them: a time that suited all three suits the two. Picks already made are kept
        # too, as they record the time itself (a pick on a time still suggested still counts).
        kept = suggestions(group)
        days = {t.date() for t in kept}
        fresh = [t for t in _work_out(session, group) if t.date() not in days]
        room = suggested_times.HOW_MANY - len(kept)
        if room > 0 and fresh:
            round_store.set_suggested_times(session, group, _encode(kept + fresh[:room]),
                                            was=group.suggested_times)
    return suggestions(group)


def suggestions(group: Group) -> list[datetime]:
    """The times the group's intro suggests (none for groups from before suggestions)."""
    return [datetime.fromisoformat(t).astimezone(timezone.utc) for t in json.loads(group.suggested_times or "[]")]


def usually_free(timezone_name: str | None, stored: str | None) -> suggested_times.UsuallyFree:
    """When a member is usually free: what they said, else their working days, mornings and afternoons."""
    return suggested_times.UsuallyFree.decode(stored) or suggested_times.UsuallyFree(
        suggested_times.free_days(suggested_times.Availability(timezone_name)), suggested_times.WORKING_PARTS)


def check_usually_free(days, parts) -> suggested_times.UsuallyFree:
    """What a member ticked, as kept; InputError without a day or a part of the day."""
    if not days:
        raise InputError("Pick at least one day you're usually free.", "days")
    if not parts:
        raise InputError("Pick at least one part of the day.", "parts")
    return suggested_times.UsuallyFree(frozenset(days), frozenset(suggested_times.Part(p) for p in parts))


def set_usually_free(session: Session, team_id: str, user_id: str, free: suggested_times.UsuallyFree) -> bool:
    """Keep when a member says they're usually free; False for someone who isn't a member."""
    member = member_store.get_member(session, team_id, user_id)
    if member is None or member.slack_user_id is None or member.status == MemberStatus.left.value:
        return False
    member_store.set_usually_free(session, member, free.encode())
    return True
