"""Delivers the outbox to Slack at Slack's pace: each send claimed, made once, marked; doubts checked, not resent.

The scheduler decides *what* to say (scheduler.messages); a Gateway, supplied by the bot,
decides how it looks and talks to Slack. That keeps this module free of Slack.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler import rematch
from scheduler import meetings
from scheduler.messages import (
    Announcement, FollowUpAsk, Intro, Nudge, PartnerMovedOn, PausedQuietly, Person, Reminder, RescheduleAccepted,
    RescheduleNotice, StayInTouch, Unmatched, WelcomeBack,
)
from scheduler.prompts import library_for
from scheduler.workspace_schedule import next_round_at
from storage import members as member_store
from storage import outbox
from storage import rounds as store
from storage.clock import now
from storage.db import session_scope
from storage.models import GroupStatus, MemberStatus, Outbox

log = logging.getLogger("unmentor.delivery")

# conversations.open is rate tier 3 (about 50 a minute): one send every 1.2 s stays inside it.
DEFAULT_PACE = 1.2
# A send takes seconds; one still marked "sending" after this was left by a crash.
DEFAULT_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
HOST = socket.gethostname()
# Sends this process has in hand right now (the clock's pass and a click's can overlap).
_IN_FLIGHT: set[int] = set()
_IN_FLIGHT_LOCK = threading.Lock()
# Set when the process is asked to stop (SIGTERM): no new send starts; the one in hand finishes.
_STOPPING = threading.Event()


def stop_sending() -> None:
    """From now on this process starts no new send (a pass in progress returns after the one in hand)."""
    _STOPPING.set()


def resume_sending() -> None:
    """Undo stop_sending, once nothing is in hand: a command run in-process (a test's) may send again."""
    _STOPPING.clear()


def release_claims(engine: Engine) -> int:
    """Hand back the sends this process claimed and didn't finish, so the next process takes them
    at once rather than after the lease; they stay in doubt, so it looks before sending again."""
    with session_scope(engine) as session:
        return outbox.release(session, claimer())


def claimer() -> str:
    return f"{HOST}:{os.getpid()}"


def _claimer_alive(row: Outbox) -> bool:
    """Whether the process that claimed a send may still be making it (only knowable on this host)."""
    host, _, pid = (row.claimed_by or "").rpartition(":")
    if host != HOST or not pid.isdigit():
        return True  # another host's process: only its lease can tell
    if int(pid) == os.getpid():
        with _IN_FLIGHT_LOCK:
            return row.id in _IN_FLIGHT  # ours, and in hand in another thread
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SendError(Exception):
    """A failed call to Slack; permanent ones are recorded and not retried."""

    def __init__(self, code: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after


class Gateway(Protocol):
    def open_conversation(self, user_ids: Sequence[str]) -> str: ...

    def post(self, channel: str, content: object, marker: str) -> tuple[str, str]: ...

    def update(self, channel: str, ts: str, content: object) -> None: ...

    def find_marker(self, channel: str, marker: str, oldest: datetime) -> str | None: ...

    def is_reachable(self, user_id: str) -> bool: ...


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    found_already_sent: int = 0
    dropped: int = 0   # no longer needed (they left, the round moved on): recorded, not sent
    skipped: int = 0   # another process or thread has it


def marker_for(row: Outbox) -> str:
    """Written into the message (a block_id), so a restart can find a send it isn't sure of."""
    return f"unmentor:{row.key}"


def person(member) -> Person:
    return Person(
        user_id=member.slack_user_id,
        organisation=member.organisation,
        role=member.role,
        talk_about=member.talk_about,
        could_share=member.could_share,
        timezone=member.timezone,
    )


def intro_for(session: Session, group_id: int) -> Intro | None:
    group = store.get_group(session, group_id)
    if group is None:
        return None
    round_ = store.get_round(session, group.round_id)
    members = [m for m in store.group_members(session, group.id) if m.slack_user_id]
    library = library_for(session, group.team_id)
    prompts = tuple(p for p in (library.by_id(i) for i in json.loads(group.prompts)) if p is not None)
    # Whoever's turn it was; if they've gone from the group, the turn passes to someone still in it.
    starter = next((m for m in members if m.id == group.first_mover_id), members[0] if members else None)
    return Intro(
        group_id=group.id,
        round_number=round_.number,
        people=tuple(person(m) for m in members),
        prompts=prompts,
        closes_at=round_.closes_at,
        status=group.status,
        meeting_at=group.meeting_at,
        ended=round_.state == "closed" or group.status == GroupStatus.ended.value,
        offer_no_reply=round_.state != "closed" and meetings.quiet_long_enough(group),
        first_mover=starter.slack_user_id if starter else None,
    )


@dataclass(frozen=True)
class _Plan:
    """Where a send goes and what it says. `users` opens a group DM; `channel` posts to a known one."""

    content: object
    users: tuple[str, ...] = ()
    channel: str | None = None
    update_ts: str | None = None


def _plan(session: Session, row: Outbox) -> _Plan | None:
    """What this outbox row should send now, or None when it no longer makes sense."""
    member = member_store.get_member_by_id(session, row.member_id) if row.member_id else None
    if row.member_id and (member is None or member.slack_user_id is None):
        return None  # they left; their data is gone
    round_ = store.get_round(session, row.round_id) if row.round_id else None
    group = store.get_group(session, row.group_id) if row.group_id else None
    if row.kind == "intro":
        intro = intro_for(session, row.group_id)
        if intro is None or len(intro.people) < 2 or group.status == GroupStatus.ended.value:
            return None
        return _Plan(intro, users=tuple(p.user_id for p in intro.people))
    if row.kind == "nudge":
        if group.status not in meetings.WAITING or not group.channel_id:
            return None
        ids = tuple(m.slack_user_id for m in store.group_members(session, group.id) if m.slack_user_id)
        return _Plan(Nudge(group.id, round_.number, ids, round_.closes_at), channel=group.channel_id)
    if row.kind == "follow_up":
        return _Plan(FollowUpAsk(group.id, round_.number, _partners(session, group.id, member.id)),
                     channel=member.slack_user_id)
    if row.kind in ("unmatched", "partner_unreachable"):
        # The reason was decided when the round opened, and travels in the key.
        reason = "partner_unreachable" if row.kind == "partner_unreachable" else row.key.rsplit(":", 1)[1]
        return _Plan(Unmatched(round_.number, reason, next_round_at(session, row.team_id)), channel=member.slack_user_id)
    if row.kind == "announce":
        if member.status != MemberStatus.active.value:
            return None  # they paused or skipped since it was queued
        period = row.key.split(":")[1]
        if store.round_for_period(session, row.team_id, period) is not None:
            return None  # the round has opened: the intro says it all now
        return _Plan(Announcement(period, next_round_at(session, row.team_id)), channel=member.slack_user_id)
    if row.kind == "intro_update":
        if not group.intro_ts or not group.channel_id:
            return None
        return _Plan(intro_for(session, group.id), channel=group.channel_id, update_ts=group.intro_ts)
    if row.kind == "reminder":
        meeting_at = datetime.fromisoformat(row.key.split(":", 3)[3])
        if group.status != GroupStatus.scheduled.value or group.meeting_at != meeting_at or meeting_at <= now():
            return None  # moved, met already, or passed: a stale reminder would only confuse
        return _Plan(Reminder(group.id, _partners(session, group.id, member.id), meeting_at),
                     channel=member.slack_user_id)
    if row.kind == "reschedule_notice":
        event_id = int(row.key.split(":")[1])
        latest = meetings.latest_suggestion(session, group.id)
        if latest is None or latest[0].id != event_id or group.status != GroupStatus.rescheduling.value:
            return None  # superseded by a later suggestion, or already settled
        asker = member_store.get_member_by_id(session, latest[0].member_id)
        if asker is None or asker.slack_user_id is None:
            return None  # they've left since; their words went with them
        return _Plan(RescheduleNotice(group.id, asker.slack_user_id, latest[1], latest[2]), channel=member.slack_user_id)
    if row.kind == "reschedule_accepted":
        partners = _partners(session, group.id, member.id)
        if not partners:
            return None  # the partner has left since
        return _Plan(RescheduleAccepted(partners[0], group.meeting_at), channel=member.slack_user_id)
    if row.kind == "partner_moved_on":
        return _Plan(PartnerMovedOn(round_.number, next_round_at(session, row.team_id)), channel=member.slack_user_id)
    if row.kind == "stay_in_touch":
        return _Plan(StayInTouch(_partners(session, group.id, member.id)), channel=member.slack_user_id)
    if row.kind == "paused_quiet":
        return _Plan(PausedQuietly(), channel=member.slack_user_id)
    if row.kind == "welcome_back":
        if member.status != MemberStatus.active.value:
            return None  # paused again (or skipping) since: a welcome would contradict them
        return _Plan(WelcomeBack(next_round_at(session, row.team_id)), channel=member.slack_user_id)
    raise ValueError(f"unknown outbox kind {row.kind!r}")


def _partners(session: Session, group_id: int, member_id: int) -> tuple[str, ...]:
    return tuple(m.slack_user_id for m in store.group_members(session, group_id)
                 if m.slack_user_id and m.id != member_id)


def deliver(
    engine: Engine,
    team_id: str,
    gateway: Gateway,
    *,
    pace: float = DEFAULT_PACE,
    budget: float | None = None,
    lease: timedelta = DEFAULT_LEASE,
    batch: int = 100,
    keys: list[str] | None = None,
) -> DeliveryReport:
    """Send what is ready, paced, until nothing is left or `budget` seconds have passed.

    With `keys`, only those sends (a click's replies, say), so a click never waits on a round's queue.
    """
    report = DeliveryReport()
    started = time.monotonic()
    while True:
        with session_scope(engine) as session:
            rows = outbox.ready(session, team_id, now(), lease, batch, HOST, keys)
        rows = [r for r in rows if r.state != "sending" or r.claimed_at is None or r.claimed_at < now() - lease
                or not _claimer_alive(r)]
        if not rows or _STOPPING.is_set():
            return report
        progressed = False
        for row in rows:
            if (budget is not None and time.monotonic() - started > budget) or _STOPPING.is_set():
                return report
            outcome = _deliver_one_safely(engine, gateway, row)
            setattr(report, outcome, getattr(report, outcome) + 1)
            # Only a row that reached a final state is progress: spinning on rows another
            # thread holds, or that wait out a back-off, would never end.
            progressed = progressed or outcome in ("sent", "failed", "found_already_sent", "dropped")
            if outcome == "sent" and pace:
                _STOPPING.wait(pace)  # a pause a stop request cuts short
        if not progressed:
            return report  # everything left is waiting out a back-off


def seconds_until_retry(engine: Engine, team_id: str) -> float | None:
    """How long until the next send waiting out a rate limit or error may go; None when none waits."""
    with session_scope(engine) as session:
        due = outbox.next_retry_at(session, team_id)
    return None if due is None else max((due - now()).total_seconds(), 0.0)


def _deliver_one_safely(engine: Engine, gateway: Gateway, row: Outbox) -> str:
    """One send; a bug or bad row is recorded on that row and never stops the rest of the queue."""
    with _IN_FLIGHT_LOCK:
        if row.id in _IN_FLIGHT:
            return "skipped"
        _IN_FLIGHT.add(row.id)
    try:
        return _deliver_one(engine, gateway, row)
    except Exception as error:
        log.exception("couldn't deliver %s", row.key)
        with session_scope(engine) as session:
            outbox.mark_failed(session, row.id, f"internal: {error.__class__.__name__}")
        return "failed"
    finally:
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.discard(row.id)


def _deliver_one(engine: Engine, gateway: Gateway, row: Outbox) -> str:
    with session_scope(engine) as session:
        in_doubt = row.state == "sending"
        if not outbox.claim(session, row, claimer()):
            return "skipped"
    with session_scope(engine) as session:
        plan = _plan(session, row)
    if plan is None:
        with session_scope(engine) as session:
            outbox.mark_failed(session, row.id, "no longer needed")
        return "dropped"
    marker = marker_for(row)
    try:
        if plan.update_ts:
            gateway.update(plan.channel, plan.update_ts, plan.content)
            with session_scope(engine) as session:
                outbox.mark_sent(session, row.id, plan.channel, plan.update_ts)
            return "sent"
        channel = row.channel_id or plan.channel
        if plan.users and row.channel_id is None:
            channel = gateway.open_conversation(plan.users)
            with session_scope(engine) as session:
                outbox.set_channel(session, row.id, channel)
        if in_doubt:
            # Slack may have taken the post before we crashed: look before sending again.
            look_in = channel if channel and not channel.startswith(("U", "W")) else gateway.open_conversation([channel])
            ts = gateway.find_marker(look_in, marker, row.created_at - timedelta(minutes=1))
            if ts:
                _record_sent(engine, row, look_in, ts)
                return "found_already_sent"
        posted_channel, ts = gateway.post(channel, plan.content, marker)
        _record_sent(engine, row, posted_channel, ts)
        return "sent"
    except SendError as error:
        return _record_failure(engine, gateway, row, error)


def _record_sent(engine: Engine, row: Outbox, channel: str, ts: str) -> None:
    with session_scope(engine) as session:
        outbox.mark_sent(session, row.id, channel, ts)
        if row.kind == "intro":
            group = store.get_group(session, row.group_id)
            store.set_group_fields(session, group, channel_id=channel, intro_ts=ts)


def _record_failure(engine: Engine, gateway: Gateway, row: Outbox, error: SendError) -> str:
    with session_scope(engine) as session:
        if error.permanent or row.attempts + 1 >= MAX_ATTEMPTS:
            log.warning("giving up on %s: %s", row.key, error.code)
            outbox.mark_failed(session, row.id, error.code)
            if row.kind == "intro":
                rematch.after_failed_intro(session, row.group_id, gateway.is_reachable)
            elif row.member_id and error.code in UNREACHABLE:
                member = member_store.get_member_by_id(session, row.member_id)
                if member is not None and member.status == MemberStatus.active.value:
                    member_store.set_status(session, member, MemberStatus.paused)
            return "failed"
        wait = error.retry_after if error.retry_after is not None else min(60 * 2 ** row.attempts, 3600)
        outbox.mark_retry(session, row.id, error.code, now() + timedelta(seconds=wait))
        return "retrying"


# Slack's answers that mean a person can't be reached at all (deactivated, gone, a bot).
UNREACHABLE = {"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "user_not_visible"}
