"""The round lifecycle: heads-up, open (match and queue intros), nudge, follow-up, close.

Every phase is claimed in the database (a unique key or a conditional update) inside the
same transaction that queues its messages, so two processes never run one phase twice
and a crash before the commit leaves nothing half-done.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler import (
    first_move,
    meetings,
    membership,
    opening_window,
    quiet_rounds,
    reach,
    round_plan,
    sends,
)
from scheduler import prompts as prompt_library
from scheduler.schedule import GRACE, RoundTimes, Schedule, manual_times
from scheduler.sends.announce import AnnounceSend
from scheduler.sends.follow_up import FollowUpSend
from scheduler.sends.intro import IntroSend
from scheduler.sends.intro_update import IntroUpdateSend
from scheduler.sends.nudge import NudgeSend
from scheduler.sends.unmatched import UnmatchedSend
from scheduler.sends.waiting_check import WaitingCheckSend
from scheduler.sends.welcome_back import WelcomeBackSend
from scheduler.workspace_schedule import heads_up_given, load_schedule, next_round
from storage import meetings as meeting_store
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.db import session_scope
from storage.models import EventKind, GroupStatus, MemberStatus, Round, RoundState


class OpenReason(str, Enum):
    """What asking for a round to open came to."""

    opened = "opened"
    matched = "matched"                  # ahead of its time; opens then
    brought_forward = "brought_forward"  # a matched round opened by hand before its time
    preview = "preview"
    delivering = "delivering"            # the running round's sends aren't all out yet
    round_running = "round_running"
    period_used = "period_used"          # the schedule's period already had its round
    not_due = "not_due"


@dataclass(frozen=True)
class OpenOutcome:
    round: Round | None
    plan: round_plan.RoundPlan | None
    reason: OpenReason
    waiting: int = 0  # for "delivering": how many of the round's sends are still to go

    @property
    def sending(self) -> bool:
        """Intros are on their way: the round opened (or, matched ahead, was brought forward), or one opened
        before is still sending. Otherwise nothing opened: a round is running, or another process was first."""
        return self.reason in (OpenReason.opened, OpenReason.brought_forward, OpenReason.delivering)


def preview(engine: Engine, team_id: str, at: datetime | None = None) -> OpenOutcome:
    """The groups the next round would make if it opened now; nothing stored, nothing sent.

    A round already matched ahead of its opening shows the groups it will introduce."""
    at = at or now()
    with session_scope(engine) as session:
        running = round_store.running_round(session, team_id)
        if running is not None and running.state == RoundState.matched.value:
            return OpenOutcome(None, round_plan.matched_plan(session, running), OpenReason.preview)
        schedule = load_schedule(session, team_id)
        times = _times_for_manual_open(session, team_id, schedule, at)
        plan = round_plan.plan_round(session, team_id, times, schedule)  # reads only
    return OpenOutcome(None, plan, OpenReason.preview)


def _times_for_manual_open(session: Session, team_id: str, schedule: Schedule, at: datetime) -> RoundTimes:
    # Opening by hand brings the next scheduled round forward: it takes that period, so the
    # schedule won't open a second round for it. A period already taken (an earlier round
    # opened by hand, closed since) is passed over, so opening by hand always opens one.
    return manual_times(schedule, at, next_round(session, team_id, schedule, at).period)


def open_round(engine: Engine, team_id: str, at: datetime | None = None, *, manual: bool = False,
               look_up: reach.LookUp | None = None) -> OpenOutcome:
    """Open the round that is due (or, by hand, the next one now): match, store groups, queue intros.

    A scheduled round is matched a window before its time and opens at it (scheduler.opening_window).
    With `look_up` (the gateway's), Slack is asked first who it lets us reach (scheduler.reach).
    """
    at = at or now()
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, team_id)
        schedule = load_schedule(session, team_id)
        running = round_store.running_round(session, team_id)
        if running is not None and running.state == RoundState.matched.value:
            return _open_matched(session, running, at, manual, look_up)
        if running is not None:
            # Killed mid-delivery and run again: the round is open but its intros aren't all
            # out. Finishing them is what the operator wants, never closing the round.
            waiting = outbox.waiting_for_round(session, running.id)
            if waiting:
                return OpenOutcome(running, None, OpenReason.delivering, waiting)
            return OpenOutcome(running, None, OpenReason.round_running)
        ahead = False
        if manual:
            times = _times_for_manual_open(session, team_id, schedule, at)
        else:
            times = next_round(session, team_id, schedule, at)
            if times.opens_at > at:
                # Matched ahead only once its heads-up has gone: a bot started inside the window
                # sends the heads-up first, and the round opens at its time without the window.
                if not (opening_window.in_window(times, at, opening_window.window(session, team_id))
                        and heads_up_given(session, team_id, schedule, times)):
                    return OpenOutcome(None, None, OpenReason.not_due)
                ahead = True
        # next_round never gives a period that had its round; one opened since, by another process, is
        # caught by create_round's unique key below.
        if look_up is not None:
            # Only now that a round is about to be matched: once per member per round.
            reach.check(session, team_id, member_store.members_with_status(session, team_id, [MemberStatus.active]),
                               look_up)
        plan = round_plan.plan_round(session, team_id, times, schedule)
        round_ = round_store.create_round(
            session,
            team_id=team_id,
            period=times.period,
            seed=plan.seed,
            state=(RoundState.matched if ahead else RoundState.open).value,
            opens_at=times.opens_at,
            nudge_at=times.nudge_at,
            follow_up_at=times.follow_up_at,
            closes_at=times.closes_at,
            members_active=plan.counts.get("active", 0),
            members_paused=plan.counts.get("paused", 0),
            members_skipping=plan.counts.get("skipping", 0),
            organisations=plan.organisations,
            unmatched=len(plan.unmatched),
        )
        if round_ is None:
            # Another process opened this period a moment ago: it is running, not closed.
            running = round_store.running_round(session, team_id)
            return OpenOutcome(running, None, OpenReason.round_running if running else OpenReason.period_used)
        _store_groups(session, round_, plan)
        return OpenOutcome(round_, plan, OpenReason.matched if ahead else OpenReason.opened)


def _open_matched(session: Session, running: Round, at: datetime, manual: bool,
                  look_up: reach.LookUp | None = None) -> OpenOutcome:
    if not (manual or at >= running.opens_at):
        return OpenOutcome(running, None, OpenReason.matched)  # waiting for its time, conversations opening
    if not manual and at >= running.opens_at + GRACE:
        # Down from the match until long past the opening: as with a round never matched, too late.
        opening_window.close_too_late(session, running)
        return OpenOutcome(None, None, OpenReason.not_due)
    # Its time has come, or an organiser opens it (before its time, or before the clock got there).
    if not opening_window.open_matched(session, running, at, look_up):
        return OpenOutcome(running, None, OpenReason.round_running)  # another process opened it just now
    return OpenOutcome(running, None, OpenReason.brought_forward if manual else OpenReason.opened)


def open_matched_if_due(engine: Engine, team_id: str, at: datetime | None = None, *,
                        look_up: reach.LookUp | None = None) -> bool:
    """Open a round matched ahead as soon as its time comes: the delivery job asks before each pass,
    so its intros go at the opening time, not at the round clock's next minute. `look_up`: see open_round."""
    at = at or now()
    with session_scope(engine) as session:
        running = round_store.running_round(session, team_id)
        if running is None or running.state != RoundState.matched.value or at < running.opens_at:
            return False
        return _open_matched(session, running, at, manual=False, look_up=look_up).reason == OpenReason.opened


def close_for_the_next_window(engine: Engine, team_id: str, at: datetime | None = None) -> bool:
    """A round due to close when the next one opens closes as the next one's opening window begins.

    The default schedule does this every other month (28 days after the first Monday is often the
    next first Monday), and weekly rounds every week: without it the round before would still be
    running all through the window, and the next round's intros would trickle out again."""
    at = at or now()
    with session_scope(engine) as session:
        running = round_store.running_round(session, team_id)
        if running is None or running.state != RoundState.following_up.value:
            return False
        upcoming = next_round(session, team_id, load_schedule(session, team_id), at)
        if running.closes_at > upcoming.opens_at or \
                not opening_window.in_window(upcoming, at, opening_window.window(session, team_id)):
            return False
        closes_at = running.closes_at
    return run_phase(engine, team_id, Phase.close, max(at, closes_at)).result == PhaseResult.done


def _store_groups(session: Session, round_: Round, plan: round_plan.RoundPlan) -> None:
    library = prompt_library.library_for(session, round_.team_id)
    everyone = [m.id for group in plan.groups for m in group]
    seen = round_store.prompts_last_seen(session, everyone)
    moves = round_store.first_moves(session, everyone)
    rng = random.Random(plan.seed)
    made = []
    for people in plan.groups:
        given = prompt_library.group_last_seen(seen[m.id] for m in people)
        chosen = prompt_library.choose(library, given, rng)
        starter = first_move.choose([m.id for m in people], moves, rng)
        made.append(([m.id for m in people], [p.id for p in chosen], starter))
    group_ids = round_store.add_groups(session, round_, made)
    hold = opening_window.held_until(round_)
    messages = [IntroSend(round_id=round_.id, group_id=group_id, hold_until=hold) for group_id in group_ids]
    if hold is None:
        # Matched ahead, places in line move at the opening, once it's known who stayed in.
        member_store.set_priority(session, [m for people in plan.groups for m in people], False)
    # Nobody is left out twice running: they go first next round.
    member_store.set_priority(session, plan.unmatched, True)
    reason = round_plan.unmatched_reason(plan, load_schedule(session, round_.team_id).odd)
    for member in plan.unmatched:
        messages.append(UnmatchedSend(round_id=round_.id, member_id=member.id, reason=reason.value, hold_until=hold))
    if hold is None:
        # Matched ahead, skips end at the opening instead: nobody who skipped is anyone's fresh partner till then.
        member_store.end_skips(session, round_.team_id)
    sends.queue(session, round_.team_id, messages)


def announce(engine: Engine, team_id: str, at: datetime | None = None) -> int:
    """Queue the heads-up for the next round, once per member; returns how many were new."""
    at = at or now()
    with session_scope(engine) as session:
        schedule = load_schedule(session, team_id)
        upcoming = next_round(session, team_id, schedule, at)
        if not upcoming.announce_at <= at < upcoming.opens_at:
            return 0
        active = member_store.members_with_status(session, team_id, [MemberStatus.active])
        return sends.queue(session, team_id, [AnnounceSend(member_id=m.id, period=upcoming.period) for m in active])


class Phase(str, Enum):
    """The steps a running round takes after opening, in this order."""

    nudge = "nudge"
    follow_up = "follow_up"
    close = "close"


# Each phase: the state it moves the round from and to, the column stamped when it runs, the column of its due time.
PHASES = {
    Phase.nudge: (RoundState.open, RoundState.nudged, "nudged_at", "nudge_at"),
    Phase.follow_up: (RoundState.nudged, RoundState.following_up, "followed_up_at", "follow_up_at"),
    Phase.close: (RoundState.following_up, RoundState.closed, "closed_at", "closes_at"),
}


class PhaseResult(str, Enum):
    """What asking for a round's phase to run came to."""

    done = "done"
    no_round = "no_round"
    not_opened = "not_opened"      # matched ahead of its opening
    not_ready = "not_ready"        # on schedule, an earlier phase hasn't run
    not_due = "not_due"
    already_done = "already_done"
    passed_over = "passed_over"    # the round went past this phase without it


@dataclass(frozen=True)
class PhaseOutcome:
    result: PhaseResult
    round: Round | None = None
    skipped: tuple[Phase, ...] = ()  # earlier phases passed over to run this one by hand


def run_phase(engine: Engine, team_id: str, phase: Phase, at: datetime | None = None, *,
              by_hand: bool = False) -> PhaseOutcome:
    """Move the running round on to `phase`, once.

    On schedule the phases go strictly in order. By hand, the one asked for runs now even
    if earlier ones haven't (an organiser closing a round early means it): those are passed
    over, their stamps left empty as the record, and named in the outcome.
    """
    at = at or now()
    phase = Phase(phase)
    from_state, to_state, stamp, due_field = PHASES[phase]
    with session_scope(engine) as session:
        round_ = round_store.running_round(session, team_id)
        if round_ is None:
            return PhaseOutcome(PhaseResult.no_round)
        if round_.state == RoundState.matched.value:
            return PhaseOutcome(PhaseResult.not_opened, round_)  # matched ahead, not yet open: nothing to move on
        if _order(round_.state) >= _order(to_state.value):
            done = getattr(round_, stamp) is not None
            return PhaseOutcome(PhaseResult.already_done if done else PhaseResult.passed_over, round_)
        if round_.state != from_state.value and not by_hand:
            return PhaseOutcome(PhaseResult.not_ready, round_)
        due = getattr(round_, due_field)
        if not by_hand and at < due:
            return PhaseOutcome(PhaseResult.not_due, round_)
        allowed = _states_before(to_state) if by_hand else [from_state]
        skipped = _phases_between(round_.state, to_state)
        if not round_store.claim_phase(session, round_.id, allowed, to_state, stamp):
            return PhaseOutcome(PhaseResult.already_done, round_)
        # A phase noticed long after its time moves the round on without stale messages.
        if by_hand or at < due + GRACE:
            _queue_phase_messages(session, round_, phase)
        return PhaseOutcome(PhaseResult.done, round_, skipped)


def _order(state: str) -> int:
    return [s.value for s in RoundState].index(state)


def _states_before(state: RoundState) -> list[RoundState]:
    return [s for s in RoundState if _order(s.value) < _order(state.value)]


def _phases_between(state: str, to_state: RoundState) -> tuple[Phase, ...]:
    """The phases a round in `state` would pass over on its way straight to `to_state`."""
    return tuple(phase for phase, (_, reaches, _, _) in PHASES.items()
                 if _order(state) < _order(reaches.value) < _order(to_state.value))


def _queue_phase_messages(session: Session, round_: Round, phase: Phase) -> None:
    groups = round_store.groups_of_round(session, round_.id)
    if phase is Phase.nudge:
        messages = [
            NudgeSend(round_id=round_.id, group_id=g.id)
            for g in groups if g.status in meetings.WAITING and g.channel_id
        ]
    elif phase is Phase.follow_up:
        messages = [
            FollowUpSend(round_id=round_.id, group_id=g.id, member_id=m.id)
            for g in groups if g.status != GroupStatus.ended.value
            for m in round_store.group_members(session, g.id) if m.slack_user_id
        ]
    else:
        # Every intro changes to say the round has ended, so old buttons can't surprise anyone.
        messages = [IntroUpdateSend(round_id=round_.id, group_id=g.id) for g in groups if g.intro_ts]
        for g in groups:
            # Conditional, so a "We've met" clicked at this very moment is never overwritten;
            # recorded as an event too, so stats count it like any other outcome.
            if round_store.transition_group(session, g, GroupStatus.no_reply.value, meetings.WAITING):
                meeting_store.add_event(session, round_.team_id, g.id, EventKind.no_reply, note="the round closed")
        quiet_rounds.account_for_round(session, round_)
    sends.queue(session, round_.team_id, messages)


NUDGE_TO_CHECK = timedelta(days=1)  # from the group's nudge to anyone's private "are you waiting?"


def offer_no_reply(engine: Engine, team_id: str, at: datetime | None = None) -> int:
    """After a few quiet days, each person in a waiting match is asked privately, once, whether they're
    waiting to hear back: never a "hasn't replied" button on the intro their partner reads too.
    Within a day of the group's nudge, the private word waits until that day is up: two messages
    about the same quiet match in the same minute read as being chased."""
    at = at or now()
    with session_scope(engine) as session:
        round_ = round_store.running_round(session, team_id)
        if round_ is None or round_.state not in (RoundState.open.value, RoundState.nudged.value):
            return 0
        after_nudge = round_.nudged_at + NUDGE_TO_CHECK if round_.nudged_at else None
        send_at = after_nudge if after_nudge and at < after_nudge else None
        return sends.queue(session, team_id, [
            WaitingCheckSend(round_id=round_.id, group_id=g.id, member_id=m.id, send_at=send_at)
            for g in round_store.groups_of_round(session, round_.id) if g.intro_ts and meetings.quiet_long_enough(g, at)
            for m in round_store.group_members(session, g.id) if m.slack_user_id
        ])


def welcome_back(engine: Engine, team_id: str, at: datetime | None = None) -> int:
    """Members whose pause-until day has come are active again, each told so once."""
    at = at or now()
    with session_scope(engine) as session:
        back = membership.resume_due(session, team_id, at)
        return sends.queue(session, team_id, [WelcomeBackSend(member_id=m.id, day=f"{at:%Y%m%d}") for m in back])


def pause_unanswered(engine: Engine, team_id: str, at: datetime | None = None) -> int:
    """Those asked "Keep me in or pause?" a week ago who gave no answer of any kind are paused, kindly."""
    with session_scope(engine) as session:
        return len(quiet_rounds.pause_unanswered(session, team_id, at or now()))


def run_due(engine: Engine, team_id: str, at: datetime | None = None, *,
            look_up: reach.LookUp | None = None) -> list[str]:
    """Everything due for one workspace at `at`, in lifecycle order. Safe to call as often as you like.
    `look_up`: see open_round."""
    at = at or now()
    done = []
    # First, so someone back today is in a round that opens today.
    if welcome_back(engine, team_id, at):
        done.append("welcome_back")
    if pause_unanswered(engine, team_id, at):
        done.append("pause_unanswered")
    # Forward order, so a process back from a long stop catches up through every phase.
    for phase in Phase:
        if run_phase(engine, team_id, phase, at).result == PhaseResult.done:
            done.append(phase.value)
    if close_for_the_next_window(engine, team_id, at):
        done.append("close")
    if offer_no_reply(engine, team_id, at):
        done.append("offer_no_reply")
    outcome = open_round(engine, team_id, at, look_up=look_up)
    if outcome.reason == OpenReason.opened:
        done.append("open")
    elif outcome.reason == OpenReason.matched and outcome.plan is not None:
        done.append("match_ahead")  # just now, not an earlier tick's
    if announce(engine, team_id, at):
        done.append("announce")
    return done
