"""Delivers the outbox to Slack at Slack's pace: each send claimed, made once, marked; doubts checked, not resent.

The scheduler decides *what* to say (each kind of send in scheduler.sends); a Gateway, supplied by the bot,
decides how it looks and talks to Slack (scheduler.gateway). That keeps this module free of Slack. Its pace
is scheduler.paced_gateway's; what the running process has in hand, and whether it is stopping, is its
scheduler.sending.Sending's, handed down by whoever runs delivery.

One send's path (claim, plan, call, mark) and what each way it can go wrong does to it (in doubt,
put back, retried, failed) stay side by side here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler import pacing, rematch, sends, slack_trouble
from scheduler.gateway import Gateway, SendError
from scheduler.paced_gateway import PacedGateway, paced
from scheduler.sending import HOST, STOPPED, Sending, claimer, claimer_alive
from scheduler.sends import REFUSED_AS_INVALID
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.db import dropped, retried, session_scope
from storage.models import Outbox, SendState

log = logging.getLogger("unmentor.delivery")

# A send takes seconds; one still marked "sending" after this was left by a crash.
DEFAULT_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class SendOutcome(str, Enum):
    """What one go at a send came to."""

    sent = "sent"
    failed = "failed"
    retrying = "retrying"
    found_already_sent = "found_already_sent"
    dropped = "dropped"   # no longer needed (they left, the round moved on): recorded, not sent
    skipped = "skipped"   # another process or thread has it
    held = "held"         # put back as it was: Slack refused the bot's token


# A send that came to one of these is finished with; the others come round again.
FINISHED = frozenset({SendOutcome.sent, SendOutcome.failed, SendOutcome.found_already_sent, SendOutcome.dropped})


@dataclass
class DeliveryReport:
    """How many sends came to each outcome, and what Slack said if it refused the token or failed."""

    counts: Counter[SendOutcome] = field(default_factory=Counter)
    trouble: str | None = None

    def count(self, outcome: SendOutcome, times: int = 1) -> None:
        self.counts[outcome] += times

    sent = property(lambda self: self.counts[SendOutcome.sent])
    failed = property(lambda self: self.counts[SendOutcome.failed])
    retrying = property(lambda self: self.counts[SendOutcome.retrying])
    found_already_sent = property(lambda self: self.counts[SendOutcome.found_already_sent])
    dropped = property(lambda self: self.counts[SendOutcome.dropped])
    skipped = property(lambda self: self.counts[SendOutcome.skipped])
    held = property(lambda self: self.counts[SendOutcome.held])


def marker_for(row: Outbox) -> str:
    """Written into the message (a block_id), so a restart can find a send it isn't sure of."""
    return f"unmentor:{row.key}"


def deliver(
    engine: Engine,
    team_id: str,
    gateway: Gateway,
    *,
    pace: float | None = None,
    budget: float | None = None,
    lease: timedelta = DEFAULT_LEASE,
    batch: int = 100,
    keys: list[str] | None = None,
    try_now: bool = False,
    sending: Sending | None = None,
) -> DeliveryReport:
    """Send what is ready, paced, until nothing is left or `budget` seconds have passed.

    With `keys`, only those sends (a click's replies, say), so a click never waits on a round's queue.
    `pace`: see `paced`; a gateway that is already a PacedGateway is used as it is. Each batch's
    sends go in one lane per Web API method (`lane`), side by side, so edits waiting for
    chat.update's turn don't hold up posts, nor opens the posts into conversations already open.

    While Slack refuses the bot's token or is failing (scheduler.slack_trouble), nothing is tried
    before the workspace's next try is due (`try_now`: an organiser's `round deliver` tries at once),
    and a pass stops at the first such answer.

    `sending`: the running process's (serve's or clock's), shared by every thread of it that delivers
    and stopped by SIGTERM; a one-off pass has one of its own.
    """
    sending = sending if sending is not None else Sending()
    if not isinstance(gateway, PacedGateway):
        gateway = paced(gateway, team_id, pace, sending)
    report, counting = DeliveryReport(), threading.Lock()
    # What a send queued as it landed goes in this pass too, even when only some `keys` were asked for.
    follow_ups: list[str] = []
    started, halt = time.monotonic(), threading.Event()
    try:
        troubled = slack_trouble.current(engine, team_id)
    except Exception as error:
        if not dropped(error):
            raise
        return report
    if troubled is not None:
        report.trouble = troubled.code
        if troubled.retry_at > now() and not try_now:
            return report

    def out_of_time() -> bool:
        return (budget is not None and time.monotonic() - started > budget) or sending.stopping() or halt.is_set()

    def run_lane(rows: list[Outbox]) -> bool:
        """One method's sends, in order; True if any reached a final state."""
        progressed = False
        for row in rows:
            if out_of_time():
                break
            outcome = _deliver_one_safely(engine, gateway, sending, row, halt, follow_ups)
            with counting:
                report.count(outcome)
            # Only a row that reached a final state is progress: spinning on rows another
            # thread holds, or that wait out a back-off, would never end.
            progressed = progressed or outcome in FINISHED
        return progressed

    while True:
        try:
            wanted = None if keys is None else [*keys, *follow_ups]
            rows = retried(engine, lambda session: outbox.ready(session, team_id, now(), lease, batch, HOST, wanted))
        except Exception as error:
            if not dropped(error):
                raise
            log.warning("the database is out of reach (%s): delivery carries on when it's back",
                        error.__class__.__name__)
            return report
        rows = [r for r in rows if r.state != SendState.sending.value or r.claimed_at is None
                or r.claimed_at < now() - lease or not claimer_alive(r, sending)]
        if not rows or out_of_time():
            return report
        lanes: dict[str, list[Outbox]] = {}
        for row in rows:
            lanes.setdefault(lane(row), []).append(row)
        if len(lanes) == 1:
            progressed = run_lane(rows)  # the usual case: no thread needed
        else:
            with ThreadPoolExecutor(len(lanes), thread_name_prefix="unmentor-lane") as pool:
                progressed = any(list(pool.map(run_lane, lanes.values())))
        if troubled is not None and (report.sent or report.found_already_sent) and not halt.is_set():
            slack_trouble.over(engine, team_id)  # Slack takes calls again
            troubled = report.trouble = None
        if halt.is_set():
            now_troubled = slack_trouble.current(engine, team_id)  # what Slack said this pass
            report.trouble = now_troubled.code if now_troubled else None
        if out_of_time() or not progressed:
            return report  # out of time, or everything left is waiting out a back-off


def lane(row: Outbox) -> str:
    """The Web API method a send's first call goes to: an intro whose conversation is open only posts."""
    first = getattr(sends.KINDS.get(row.kind), "first_call", pacing.POST)
    return pacing.POST if first == pacing.OPEN and row.channel_id else first


def seconds_until_retry(engine: Engine, team_id: str) -> float | None:
    """How long until the next send waiting out a rate limit or error may go; None when none waits."""
    due = retried(engine, lambda session: outbox.next_retry_at(session, team_id))
    return None if due is None else max((due - now()).total_seconds(), 0.0)


def _deliver_one_safely(engine: Engine, gateway: Gateway, sending: Sending, row: Outbox,
                        halt: threading.Event | None = None, follow_ups: list[str] | None = None) -> SendOutcome:
    """One send; a bug or bad row is recorded on that row and never stops the rest of the queue."""
    if not sending.take(row.id):
        return SendOutcome.skipped
    try:
        return _deliver_one(engine, gateway, row, halt or threading.Event(), [] if follow_ups is None else follow_ups)
    except Exception as error:
        if dropped(error):
            return _after_a_database_blip(engine, row, error)
        log.exception("couldn't deliver %s", row.key)
        with session_scope(engine) as session:
            outbox.mark_failed(session, row.id, f"internal: {error.__class__.__name__}")
        return SendOutcome.failed
    finally:
        sending.let_go(row.id)


# After a database blip, a send is looked at again this soon (the clock's next pass, or `round deliver`'s wait).
AFTER_A_BLIP = timedelta(seconds=2)


def _after_a_database_blip(engine: Engine, row: Outbox, error: Exception) -> SendOutcome:
    """The database dropped out while this send was in hand: nothing about the send failed.

    Wherever it stopped, the post may have gone (and not been marked), so it is left in doubt, to be
    looked for before it goes again. If the database is still out of reach, the claim stays this
    process's, which the next pass here, or any process after this one ends, also takes as in doubt."""
    log.warning("the database dropped out while sending %s (%s): it is looked for and sent when it's back",
                row.key, error.__class__.__name__)
    try:
        retried(engine, lambda session: outbox.mark_in_doubt(session, row.id, f"database: {error.__class__.__name__}",
                                                             now() + AFTER_A_BLIP, only_if_claimed_by=claimer()))
    except Exception as again:
        if not dropped(again):
            raise
    return SendOutcome.retrying


def _reader_zones(session: Session, row: Outbox) -> tuple[str, ...]:
    """Who reads this send (the member it's for, else everyone in the group's conversation), by time zone."""
    if row.member_id:
        readers = [member_store.get_member_by_id(session, row.member_id)]
    elif row.group_id:
        readers = round_store.group_members(session, row.group_id)
    else:
        readers = []
    return tuple(dict.fromkeys(m.timezone for m in readers if m is not None and m.timezone))


def _deliver_one(engine: Engine, gateway: Gateway, row: Outbox, halt: threading.Event,
                 follow_ups: list[str]) -> SendOutcome:
    with session_scope(engine) as session:
        in_doubt = row.state == SendState.sending.value
        if not outbox.claim(session, row, claimer()):
            return SendOutcome.skipped
    send = sends.load(row)
    with session_scope(engine) as session:
        # The member a send is for, held so that planning and reading their time zone find them in
        # the session rather than asking again (it keeps a row only while something refers to it).
        _held = member_store.get_member_by_id(session, row.member_id) if row.member_id else None
        plan = sends.plan(session, row)
        zones = _reader_zones(session, row) if plan is not None else ()
    if plan is None:
        with session_scope(engine) as session:
            outbox.mark_failed(session, row.id, "no longer needed")
        return SendOutcome.dropped
    marker = marker_for(row)
    posting = False
    try:
        if plan.update_ts:
            _safely(row, lambda safe: gateway.update(plan.channel, plan.update_ts, plan.content, safe=safe,
                                                     zones=zones))
            with session_scope(engine) as session:
                outbox.mark_sent(session, row.id, plan.channel, plan.update_ts)
            return SendOutcome.sent
        channel = row.channel_id or plan.channel
        if plan.users and row.channel_id is None:
            channel = gateway.open_conversation(plan.users)
            with session_scope(engine) as session:
                outbox.set_channel(session, row.id, channel)
        if in_doubt:
            # Slack may have taken the post before we crashed: look before sending again.
            is_conversation = channel and not channel.startswith(("U", "W"))
            look_in = channel if is_conversation else gateway.open_conversation([channel])
            ts = gateway.find_marker(look_in, marker, row.created_at - timedelta(minutes=1))
            if ts:
                _record_sent(engine, gateway, row, send, look_in, ts, plan.users, follow_ups)
                return SendOutcome.found_already_sent
        posting = True
        posted_channel, ts = _safely(row, lambda safe: gateway.post(channel, plan.content, marker, safe=safe,
                                                                     zones=zones))
        _record_sent(engine, gateway, row, send, posted_channel, ts, plan.users, follow_ups)
        return SendOutcome.sent
    except SendError as error:
        if error.code == STOPPED:
            return _hand_on(engine, row, in_doubt)
        trouble = slack_trouble.kind_of(error.code, in_doubt=error.in_doubt)
        if trouble is slack_trouble.Kind.token:
            # The bot's problem, not this send's: it goes back as it was, and the whole workspace waits.
            retried(engine, lambda session: outbox.put_back(session, row.id, in_doubt))
            outcome = SendOutcome.held
        else:
            # A lost answer is not a "no": the post may be there, so it is looked for before it goes again.
            outcome = _record_failure(engine, gateway, row, send, error, in_doubt or (posting and error.in_doubt))
        if trouble is not None:
            slack_trouble.met(engine, row.team_id, error.code, trouble)
            halt.set()
        return outcome


def _hand_on(engine: Engine, row: Outbox, in_doubt: bool) -> SendOutcome:
    """Leave a send the stop cut short for the next process, at once and without a back-off.

    One in doubt stays in doubt (its claim is released as the process stops), so the next
    process still looks before sending it; any other goes back to waiting, ready now."""
    if not in_doubt:
        with session_scope(engine) as session:
            outbox.mark_retry(session, row.id, STOPPED, now())
    return SendOutcome.retrying


def _safely(row: Outbox, call):
    """Make the call; if Slack refuses what we built as invalid, once more in the kind's safe minimal form.

    A refusal as invalid is a bug of ours, and Slack posted nothing, so trying again can't
    send anything twice (the safe form carries the same marker). What members wrote stays
    out of the log: the kind, the key and Slack's error say enough to find the builder.
    """
    try:
        return call(False)
    except SendError as error:
        if error.code not in REFUSED_AS_INVALID:
            raise
        log.error("Slack refused the %s send %s as invalid (%s): a bug in its builder; trying its safe form",
                  row.kind, row.key, error.code)
        return call(True)


def _record_sent(engine: Engine, gateway: Gateway, row: Outbox, send: sends.Send, channel: str, ts: str,
                 users: Sequence[str] = (), follow_ups: list[str] | None = None) -> None:
    with session_scope(engine) as session:
        # Someone it was for may have left while Slack held it: leaving blanked this conversation's
        # ID (it says who was in it), so it is never written back, and the message is corrected.
        known = member_store.known_users(session, row.team_id, users)
        left = [u for u in users if u not in known]
        if not left:
            outbox.mark_sent(session, row.id, channel, ts)
            queued = send.sent(session, channel, ts)
            if queued and follow_ups is not None:
                follow_ups.extend(queued)
            return
        outbox.mark_sent(session, row.id, None, None)
        correction = send.overtaken(session)
    log.info("someone left while the %s send %s was on its way: correcting it", row.kind, row.key)
    if correction is not None:
        try:
            gateway.update(channel, ts, correction)
        except SendError as error:
            # As after any leaving (scheduler.departures): the rest are told anyway, and an old
            # message left as it was is the lesser harm than keeping its conversation's ID to retry.
            log.warning("couldn't correct %s after someone left: %s", row.key, error.code)


def _record_failure(engine: Engine, gateway: Gateway, row: Outbox, send: sends.Send, error: SendError,
                    in_doubt: bool = False) -> SendOutcome:
    with session_scope(engine) as session:
        # A 429 is Slack asking us to wait, not a failure: on a bad day it may answer many in a row,
        # and giving up on an intro for that would end a pair whom nothing was wrong with.
        # Nor is Slack failing anybody's fault: such a send waits as long as it takes.
        outage = slack_trouble.kind_of(error.code, in_doubt=error.in_doubt) is not None
        gives_up = error.code != "ratelimited" and not outage and row.attempts + 1 >= MAX_ATTEMPTS
        if error.permanent or gives_up:
            log.warning("giving up on %s: %s", row.key, error.code)
            outbox.mark_failed(session, row.id, error.code)
            if not (in_doubt and not error.permanent):
                # A send still in doubt may have landed: nobody is told it didn't.
                rematch.after_giving_up(session, send, error.code, gateway.is_reachable)
            return SendOutcome.failed
        wait = error.retry_after if error.retry_after is not None else min(60 * 2 ** row.attempts, 3600)
        if in_doubt:
            outbox.mark_in_doubt(session, row.id, error.code, now() + timedelta(seconds=wait))
        else:
            outbox.mark_retry(session, row.id, error.code, now() + timedelta(seconds=wait))
        return SendOutcome.retrying
