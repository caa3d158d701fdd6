"""A workspace's saved schedule: loading it, changing it, and when its next round opens.

The schedule itself, and the dates it gives, are worked out in `scheduler/schedule.py`; this
module is where a workspace keeps one (as a single setting).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from scheduler.schedule import GRACE, RoundTimes, Schedule, ScheduleError, openings_after
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.models import MemberStatus, RoundState

SCHEDULE_KEY = "schedule"


def load_schedule(session: Session, team_id: str) -> Schedule:
    return Schedule.from_dict(member_store.get_setting(session, team_id, SCHEDULE_KEY))


def save_schedule(session: Session, team_id: str, schedule: Schedule) -> Schedule:
    schedule.validate()
    member_store.ensure_workspace(session, team_id)
    member_store.put_setting(session, team_id, SCHEDULE_KEY, schedule.to_dict())
    return schedule


def heads_up_key(period: str, member_id: int | None = None) -> str:
    """The outbox key of one member's heads-up for a round (scheduler.sends.announce sends it), or
    without a member, what every one of that round's keys starts with."""
    return f"announce:{period}:{'' if member_id is None else member_id}"


def heads_up_given(session: Session, team_id: str, schedule: Schedule, times: RoundTimes) -> bool:
    """Whether the round's members were told it was coming, as the schedule promises.

    With a heads-up days before, that is the heads-up itself having gone to someone; with none,
    the bot knowing of the workspace before the opening time. Sent, not queued: a heads-up still
    waiting for Slack when the opening time comes has told nobody yet."""
    if schedule.announce_days == 0:
        workspace = member_store.get_workspace(session, team_id)
        return workspace is not None and workspace.created_at < times.opens_at
    return outbox.any_sent_starting(session, team_id, heads_up_key(times.period))


def heads_up_owed(session: Session, team_id: str, times: RoundTimes, at: datetime) -> bool:
    """Whether the clock sends the round's heads-up at `at`, late: its day has passed but not the
    opening, and an active member hasn't had it (nobody had joined by its day, or someone joined
    since). scheduler.rounds.announce queues it at the clock's next look."""
    if not times.announce_at <= at < times.opens_at:
        return False
    told = outbox.keys_starting(session, team_id, heads_up_key(times.period))
    return any(heads_up_key(times.period, member.id) not in told
               for member in member_store.members_with_status(session, team_id, [MemberStatus.active]))


def next_round(session: Session, team_id: str, schedule: Schedule, at: datetime) -> RoundTimes:
    """The one rule for which scheduled round comes next. The clock opens it, the heads-up announces
    it, and Home, the welcome, `schedule show` and the previews all name it.

    - A period that already had a round never comes again, and nor does an opening at or before the
      latest round's: periods never go backwards, even after the bot's clock ran ahead and came back.
    - An opening whose time has passed is still next for up to GRACE (the bot was down at the time),
      but only if its heads-up went out before it: a round never opens without the heads-up it
      promises. A bot installed on an opening day after the hour starts with the next one.
    """
    used = round_store.periods_used(session, team_id)
    latest = round_store.latest_opening(session, team_id)
    for times in openings_after(schedule, at - GRACE):
        if times.period in used or (latest is not None and times.opens_at <= latest):
            continue
        if times.opens_at <= at and not heads_up_given(session, team_id, schedule, times):
            continue
        return times
    raise AssertionError("openings_after never ends")


def next_round_at(session: Session, team_id: str, at: datetime | None = None) -> datetime:
    """When the next round opens: one matched ahead and about to open counts (Home, skip and the
    welcome name the round whose intros come next)."""
    running = round_store.running_round(session, team_id)
    if running is not None and running.state == RoundState.matched.value:
        return running.opens_at
    return next_round(session, team_id, load_schedule(session, team_id), at or now()).opens_at


def proposed_schedule(session: Session, team_id: str, *, cadence: str | None = None, weekday: int | None = None,
                      at: str | None = None, timezone: str | None = None, country: str | None = "",
                      announce_days: int | None = None, nudge_days: int | None = None,
                      follow_up_days: int | None = None, close_days: int | None = None,
                      odd: str | None = None, guests: str | None = None) -> Schedule:
    """The schedule with what an organiser changed, checked but not saved; ScheduleError if it can't work.

    None (or "" for `country`, where None means "no public holidays") leaves a setting as it is.
    A new cadence comes first: it brings phase days that suit it, unless those are given too.
    """
    schedule = load_schedule(session, team_id)
    if cadence and cadence != schedule.cadence:
        schedule = schedule.with_cadence(cadence)
    changes = {}
    if weekday is not None:
        changes["weekday"] = weekday
    if at:
        hour, _, minute = at.partition(":")
        if not (hour.isdigit() and minute.isdigit()):
            raise ScheduleError("The time must be a 24-hour time such as 10:00.", "time")
        changes.update(hour=int(hour), minute=int(minute))
    if timezone:
        changes["timezone"] = timezone
    if country != "":
        changes["country"] = country
    for name, value in (("announce_days", announce_days), ("nudge_days", nudge_days),
                        ("follow_up_days", follow_up_days), ("close_days", close_days), ("odd", odd),
                        ("guests", guests)):
        if value is not None:
            changes[name] = value
    return replace(schedule, **changes).validate()


def change_schedule(session: Session, team_id: str, **changes) -> Schedule:
    """Change a workspace's schedule: the one way the CLI and the organisers' modal both do it.

    Takes proposed_schedule's keywords; nothing is saved if the result can't work (ScheduleError).
    """
    return save_schedule(session, team_id, proposed_schedule(session, team_id, **changes))
