"""What happens between an intro and the end of a round: scheduled, met, moved, missed, a quiet
partner, and what each learned.

Every click is safe to repeat: each function checks where the group already is, and a
second identical click answers "already" and changes nothing. Messages the click sets off
are queued in the outbox (by unique keys) and returned, so the caller can send them now.

Each click first finds the clicker's match once (`_for_running_group`, or `_for_member_of_group`
for the follow-up, which may come after the round has closed); the functions below it see
only a match they may act on.

Past 400 lines on purpose: every click on a match goes through the one finder above, and each
function is a few lines of state check; split, that check would be imported into every piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import wraps
from typing import Callable

from sqlmodel import Session

from scheduler import rematch, sends
from scheduler.group_state import LET_GO_FROM, WAITING, can_carry_on, latest_suggestion, stepped_out_of
from scheduler.inputs import InputError, clean_text
from scheduler.meeting_times import reminder_send_time, suggestions
from scheduler.sends import (
    calendar_links,
    intro,
    intro_moved,
    intro_update,
    left_for_round,
    nudge_settled,
    partner_moved_on,
    partner_stepped_out,
    quiet_nudge,
    reminder,
    reschedule_accepted,
    reschedule_notice,
    reschedule_settled,
    stay_in_touch,
    wait_over,
    waiting_check,
    waiting_check_settled,
)
from scheduler.sends.nudge import NudgeSend
from scheduler.sends.partner_left import rematch_possible
from storage import meetings as meeting_store
from storage import members as member_store
from storage import outbox as outbox_store
from storage import rounds as round_store
from storage.clock import now
from storage.models import EventKind, Group, GroupStatus, MeetingEvent, Member, Round, RoundState

# "My partner hasn't replied" is offered once a group has been quiet this long.
QUIET_DAYS = 7
# Its first click sends the quiet partner one kind nudge; the match can be closed this long after.
NUDGE_GRACE = timedelta(days=2)
NOTE_MAX = 500
ANSWER_MAX = 1000
# Where a group can be moved from, by each kind of click.
_NOT_MET = (GroupStatus.new.value, GroupStatus.scheduled.value, GroupStatus.rescheduling.value,
            GroupStatus.missed.value)
_CAN_MISS = (GroupStatus.new.value, GroupStatus.scheduled.value, GroupStatus.rescheduling.value)


class Outcome(str, Enum):
    done = "done"
    already = "already"            # the same click again: nothing changed
    round_ended = "round_ended"    # a button on an earlier round's message
    group_ended = "group_ended"    # this group moved on (a partner went quiet or couldn't be reached)
    not_yours = "not_yours"        # not a member of that group (or a forged value)
    already_met = "already_met"    # they've met, so there's nothing to move or to call missed
    own_suggestion = "own_suggestion"  # the asker can't accept their own reschedule suggestion
    in_touch = "in_touch"          # "partner hasn't replied", but the pair has scheduled, met or said they missed it
    too_soon = "too_soon"          # "partner hasn't replied" before QUIET_DAYS have passed since the intro
    nudged = "nudged"              # "partner hasn't replied": the quiet partner was nudged (see wait_until)
    stepped_out = "stepped_out"    # the clicker is out of this match this round (they stepped out, or it went on
                                   # without them): answered about their own situation, never "not yours"
    noted = "noted"                # "that works for me" on a suggested time: the others haven't all picked it yet
    time_passed = "time_passed"    # "that works for me" on a suggested time that has gone by
    request_withdrawn = "request_withdrawn"  # a click on a notice of a request whose asker has since stepped out
                                             # of this round (yes, another time, let it go): nothing changes


@dataclass
class Result:
    outcome: Outcome
    group_id: int | None = None
    round_number: int | None = None
    partner_ids: tuple[str, ...] = ()
    send_now: list[str] = field(default_factory=list)  # outbox keys to deliver straight away
    new_group_id: int | None = None
    too_late_to_rematch: bool = False
    channel_id: str | None = None       # the pair's conversation, for replies after a modal
    meeting_at: datetime | None = None
    wait_until: datetime | None = None  # after a quiet partner's nudge: when the match may be closed
    carried_on: bool = False            # someone is out of a trio this round; the other two carry on as a pair
    out_ids: tuple[str, ...] = ()       # with carried_on or request_withdrawn: the Slack ids of whoever is out of it
    offer_let_go: bool = False          # after a reschedule: asked often enough to offer letting this round go
    told: tuple[str, ...] = ()          # who was told by DM of what the click did (the asker of an accepted move)
    meeting_at_chosen: datetime | None = None  # the suggested time just picked, while others still choose
    quiet_ids: tuple[str, ...] = ()     # with nudged: who hasn't answered yet (in a trio, not everyone)


@dataclass
class _Context:
    group: Group
    round: Round
    member: Member
    others: list[Member]


def _context(session: Session, team_id: str, user_id: str, group_id: int | None) -> _Context | Outcome:
    member = member_store.get_member(session, team_id, user_id)
    group = round_store.get_group(session, group_id) if group_id is not None else None
    if member is None or group is None or group.team_id != team_id:
        return Outcome.not_yours
    people = round_store.group_members(session, group.id)
    if member.id in stepped_out_of(session, group.id):
        return Outcome.stepped_out
    if member.id not in {m.id for m in people}:
        return Outcome.not_yours
    round_ = round_store.get_round(session, group.round_id)
    others = [m for m in people if m.id != member.id and m.slack_user_id]
    _note_answer(session, group, member)
    return _Context(group, round_, member, others)


def _note_answer(session: Session, group: Group, member: Member) -> None:
    """Any click on their match is an answer: only someone who gives none is asked about pausing."""
    if member.id not in meeting_store.members_with_events(session, group.id):
        meeting_store.add_event(session, group.team_id, group.id, EventKind.answered, member.id)
    if member.quiet_rounds:
        member_store.set_quiet_rounds(session, member, 0)


def _result(ctx: _Context, outcome: Outcome, keys: list[str] | None = None, **extra) -> Result:
    return Result(outcome, ctx.group.id, ctx.round.number, tuple(m.slack_user_id for m in ctx.others),
                  keys or [], channel_id=ctx.group.channel_id, meeting_at=ctx.group.meeting_at, **extra)


def _queue(session: Session, ctx: _Context, send: sends.Send) -> str:
    sends.queue(session, ctx.group.team_id, [send])
    return send.key()


def _update_intro(session: Session, ctx: _Context, event_id: int) -> str:
    """Queue an edit of the intro so everyone in the conversation sees where things stand."""
    return _queue(
        session, ctx, intro_update.IntroUpdateSend(round_id=ctx.round.id, group_id=ctx.group.id, event_id=event_id)
    )


def _record(session: Session, ctx: _Context, kind: EventKind, note: str = "", *,
            meeting_at: datetime | None = None) -> MeetingEvent:
    """What the clicker just did to their match, as an event."""
    return meeting_store.add_event(session, ctx.group.team_id, ctx.group.id, kind, ctx.member.id, note,
                                   meeting_at=meeting_at)


def _record_and_show(session: Session, ctx: _Context, kind: EventKind, note: str = "", *,
                     meeting_at: datetime | None = None) -> tuple[MeetingEvent, list[str]]:
    """The clicker's event, and the intro edited so everyone in the conversation sees it; the keys to send now."""
    event = _record(session, ctx, kind, note, meeting_at=meeting_at)
    return event, [_update_intro(session, ctx, event.id)]


def _tell_others(session: Session, ctx: _Context, notice: Callable[[Member], sends.Send]) -> list[str]:
    """A notice to each of the others in the match (never the clicker); the keys to send now."""
    return [_queue(session, ctx, notice(other)) for other in ctx.others]


def _open(session: Session, team_id: str, user_id: str, group_id: int | None) -> _Context | Result:
    ctx = _context(session, team_id, user_id, group_id)
    if isinstance(ctx, Outcome):
        return Result(ctx)
    if ctx.round.state == RoundState.closed.value:
        return _result(ctx, Outcome.round_ended)
    if ctx.group.status == GroupStatus.ended.value:
        return _result(ctx, Outcome.group_ended)
    return ctx


def _for_running_group(work: Callable[..., Result]) -> Callable[..., Result]:
    """`work(session, ctx, ...)` becomes `f(session, team_id, user_id, group_id, ...)`, run only
    when the clicker is in that match and it is still running; otherwise the result says why
    not (not_yours, round_ended or group_ended) and nothing changes."""
    @wraps(work)
    def resolved(session: Session, team_id: str, user_id: str, group_id: int | None, *args, **kwargs) -> Result:
        ctx = _open(session, team_id, user_id, group_id)
        return ctx if isinstance(ctx, Result) else work(session, ctx, *args, **kwargs)
    return resolved


def _for_member_of_group(refused: Callable[[Result], object]):
    """Like _for_running_group, but for any match the clicker is in, even after its round
    closed (follow-ups are answered then); `refused` shapes the not_yours answer."""
    def decorate(work):
        @wraps(work)
        def resolved(session: Session, team_id: str, user_id: str, group_id: int | None, *args, **kwargs):
            ctx = _context(session, team_id, user_id, group_id)
            return refused(Result(ctx)) if isinstance(ctx, Outcome) else work(session, ctx, *args, **kwargs)
        return resolved
    return decorate


@_for_running_group
def check_open(session: Session, ctx: _Context) -> Result:
    """Whether a button's group is the clicker's and still running (done), changing nothing."""
    return _result(ctx, Outcome.done)


def _silence_outcome(group: Group) -> Outcome:
    if group.status not in WAITING:
        return Outcome.in_touch
    return Outcome.done if quiet_long_enough(group) else Outcome.too_soon


def _quiet_ones(session: Session, ctx: _Context) -> list[Member]:
    """The others in the match who haven't clicked anything on it."""
    answered = meeting_store.members_with_events(session, ctx.group.id)
    return [m for m in ctx.others if m.id not in answered]


@_for_running_group
def report_silence(session: Session, ctx: _Context) -> Result:
    """"My partner hasn't replied": in_touch or too_soon; else first one kind nudge to the quiet
    partner naming who is waiting (nudged, with wait_until); once NUDGE_GRACE has passed, done
    (the caller offers a fresh match or a sit-out). In a trio where the third has answered, the
    quiet one steps out at once and the two carry on (done, carried_on)."""
    silence = _silence_outcome(ctx.group)
    if silence is not Outcome.done:
        return _result(ctx, silence)
    nudge = meeting_store.latest_event(session, ctx.group.id, EventKind.quiet_nudge)
    quiet = _quiet_ones(session, ctx)
    keys = []
    if nudge is None:
        nudge = _record(session, ctx, EventKind.quiet_nudge)
        keys = [_queue(session, ctx, quiet_nudge.QuietNudgeSend(round_id=ctx.round.id, group_id=ctx.group.id,
                                                                 member_id=m.id, waiting=(ctx.member.id,)))
                for m in (quiet or ctx.others)]
    if now() < nudge.created_at + NUDGE_GRACE:
        # When the time they're given is up, whoever is waiting hears so, with what can still happen then:
        # the one who asked, and in a trio someone else who says they're waiting too (told who is quiet).
        _queue(session, ctx, wait_over.WaitOverSend(round_id=ctx.round.id, group_id=ctx.group.id,
                                                    member_id=ctx.member.id, send_at=nudge.created_at + NUDGE_GRACE))
        return _result(ctx, Outcome.nudged, keys, wait_until=nudge.created_at + NUDGE_GRACE,
                       quiet_ids=tuple(m.slack_user_id for m in quiet))
    if can_carry_on(ctx.others, quiet):
        event = _record(session, ctx, EventKind.no_reply)
        return _carry_on_without(session, ctx, quiet, event.id)
    return _result(ctx, Outcome.done, too_late_to_rematch=not rematch_possible(ctx.round))


def _carry_on_without(session: Session, ctx: _Context, out: list[Member], event_id: int) -> Result:
    """Someone in a trio is out of it this round (they can't make it, or never answered): the rest carry on.

    Nobody is edited out of a conversation they can still see: the old intro becomes a note naming
    everyone as things now stand, and the two carrying on get their intro again in a conversation
    of their own. Those out are told kindly, and are free for next round.
    """
    group = ctx.group
    # Held first, so a reschedule notice landing at this moment sees this, or is seen (RescheduleNoticeSend.sent).
    round_store.lock_group(session, group.id)
    live = _live_notices(session, ctx)
    for person in out:
        round_store.remove_from_group(session, group.id, person.id)
        # Out of the group, but introduced all the same: never matched with these two again.
        if person.id not in stepped_out_of(session, group.id):
            meeting_store.add_event(session, group.team_id, group.id, EventKind.stepped_out, person.id)
    keys = []
    if group.channel_id and group.intro_ts:
        keys.append(_queue(session, ctx, intro_moved.IntroMovedSend(
            round_id=ctx.round.id, group_id=group.id, channel=group.channel_id, ts=group.intro_ts,
            event_id=event_id)))
        # The group's nudge there loses its button too: the one out of the match still sees it.
        keys += [_queue(session, ctx, nudge_settled.NudgeSettledSend(
            round_id=ctx.round.id, group_id=group.id, channel=row.channel_id, ts=row.ts))
            for row in outbox_store.sent_to_group(session, group.id, NudgeSend.kind)
            if row.channel_id == group.channel_id]
        # Until the new intro lands, no edit may reach the old one (it would drop a name from it).
        round_store.set_group_fields(session, group, channel_id=None, intro_ts=None)
    keys.append(_queue(session, ctx, intro.IntroSend(round_id=ctx.round.id, group_id=group.id,
                                                     without=tuple(m.id for m in out))))
    for person in out:
        if person.id != ctx.member.id:
            keys.append(_queue(session, ctx, partner_moved_on.PartnerMovedOnSend(
                round_id=ctx.round.id, group_id=group.id, member_id=person.id)))
    # Each check named the three of them; the two carrying on have their new intro to go by.
    keys += _settle_waiting_checks(session, ctx, moved_on=True)
    # Someone moved on without having answered holds a notice they can no longer answer: it settles, saying
    # the match has changed (whoever stepped out by their own click has theirs settled as that: step_out).
    quiet = {m.id for m in out if m.id != ctx.member.id}
    keys += _settle_notices(session, ctx, [row for row in live if row.member_id in quiet], moved_on=True)
    ctx.others = [m for m in ctx.others if m not in out]
    return _result(ctx, Outcome.done, keys, carried_on=True,
                   out_ids=tuple(m.slack_user_id for m in out if m.id != ctx.member.id))


@_for_running_group
def step_out(session: Session, ctx: _Context) -> Result:
    """"I can't make this round": one click, no reason asked.

    The others are told at once and kindly. A trio's other two carry on as a pair; the one left
    of a pair is offered a fresh match while one is possible, and first place next round either
    way. The click is an answer, so the one stepping out is never counted quiet; they aren't
    offered as anyone's fresh match this round, and are matched as usual next round.
    """
    if ctx.group.status == GroupStatus.met.value:
        return _result(ctx, Outcome.already_met)
    # Held before the notices are read: one landing meanwhile (RescheduleNoticeSend.sent, which holds it
    # too) is then either among them or sees this step-out and settles itself, never neither.
    round_store.lock_group(session, ctx.group.id)
    live = _live_notices(session, ctx)
    if len(ctx.others) >= 2:
        latest = latest_suggestion(session, ctx.group.id)
        withdrawn = (ctx.group.status == GroupStatus.rescheduling.value and latest is not None
                     and latest[0].member_id == ctx.member.id)
        event = _record(session, ctx, EventKind.stepped_out)
        result = _carry_on_without(session, ctx, [ctx.member], event.id)
        if withdrawn:
            # Their own request to move the chat no longer stands: the other two are waiting for a time
            # again, as after a yes to a request with no time (an earlier time was the one it moved from).
            round_store.transition_group(session, ctx.group, GroupStatus.new.value,
                                         [GroupStatus.rescheduling.value], meeting_at=None)
        # The other two carry on with the request as it stands, so only the one stepping out is done with
        # it; unless they asked it themselves, when it no longer stands and nobody has anything to answer.
        result.send_now += _settle_notices(session, ctx, [row for row in live
                                                          if withdrawn or row.member_id == ctx.member.id],
                                           stepped_out=ctx.member.id)
        return result
    if not round_store.transition_group(session, ctx.group, GroupStatus.ended.value, _NOT_MET):
        return _result(ctx, Outcome.already)
    _, keys = _record_and_show(session, ctx, EventKind.stepped_out)
    member_store.set_priority(session, ctx.others, True)
    keys += _tell_others(session, ctx, lambda partner: partner_stepped_out.PartnerSteppedOutSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=partner.id, who=ctx.member.id))
    # A pair's match has ended, so whichever of the two holds the live notice has nothing to answer.
    keys += _settle_waiting_checks(session, ctx, moved_on=True)
    return _result(ctx, Outcome.done, keys + _settle_notices(session, ctx, live, stepped_out=ctx.member.id))


def _live_notices(session: Session, ctx: _Context) -> list:
    """The reschedule notices in DMs whose buttons still answer something: those of the latest request,
    while no time has been agreed for it (older ones were settled when it came)."""
    latest = latest_suggestion(session, ctx.group.id)
    if latest is None or ctx.group.status != GroupStatus.rescheduling.value:
        return []
    notices = outbox_store.sent_to_group(session, ctx.group.id, reschedule_notice.RescheduleNoticeSend.kind)
    return [row for row in notices if sends.load(row).event_id == latest[0].id]


def _settle_notices(session: Session, ctx: _Context, rows: list, **why) -> list[str]:
    """These notices of the latest request settle, their buttons gone, saying `why` (accepted_by,
    stepped_out or moved_on), so none keeps buttons that answer nothing any more (one still on its way
    settles itself when it lands: see RescheduleNoticeSend.sent)."""
    asker = latest_suggestion(session, ctx.group.id)[0].member_id if rows else None
    return [_queue(session, ctx, reschedule_settled.RescheduleSettledSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=row.member_id, asker=asker,
        channel=row.channel_id, ts=row.ts, **why)) for row in rows]


@_for_running_group
def mark_scheduled(session: Session, ctx: _Context, meeting_at: datetime | None) -> Result:
    if ctx.group.status == GroupStatus.scheduled.value and ctx.group.meeting_at == meeting_at:
        return _result(ctx, Outcome.already)
    if not round_store.transition_group(session, ctx.group, GroupStatus.scheduled.value, _NOT_MET,
                                        meeting_at=meeting_at):
        return _result(ctx, Outcome.already)
    return _result(ctx, Outcome.done, _record_scheduled(session, ctx, meeting_at))


def _record_scheduled(session: Session, ctx: _Context, meeting_at: datetime | None) -> list[str]:
    """The event, the intro edit and each person's reminder for a newly scheduled chat; any waiting
    check already sent ("no time is set yet") is edited to say the time is set, its buttons gone."""
    _, keys = _record_and_show(session, ctx, EventKind.scheduled, meeting_at=meeting_at)
    # Whoever is out of this match this round: the chat's time is no news to them.
    keys += _settle_waiting_checks(session, ctx, only={m.id for m in [ctx.member, *ctx.others]})
    if meeting_at is not None:
        for person in [ctx.member, *ctx.others]:
            # Each one's own links, named for the others: a new time brings new ones.
            keys.append(_queue(session, ctx, calendar_links.CalendarLinksSend(
                round_id=ctx.round.id, group_id=ctx.group.id, member_id=person.id, meeting_at=meeting_at)))
            send_at = reminder_send_time(meeting_at, person.timezone)
            if send_at is None:
                continue
            _queue(
                session,
                ctx,
                reminder.ReminderSend(
                    round_id=ctx.round.id,
                    group_id=ctx.group.id,
                    member_id=person.id,
                    meeting_at=meeting_at,
                    send_at=send_at,
                ),
            )
    return keys


def _settle_waiting_checks(session: Session, ctx: _Context, *, only: set[int] | None = None,
                           moved_on: bool = False) -> list[str]:
    """Each waiting check already sent ("no time is set yet", to `only` these members if given) is edited,
    its buttons gone: to say the time is set, or that the match has `moved_on` another way (met, missed,
    ended, someone out of it). One still on its way settles itself when it lands (WaitingCheckSend.sent)."""
    return [_queue(session, ctx, waiting_check_settled.WaitingCheckSettledSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=row.member_id, channel=row.channel_id,
        ts=row.ts, moved_on=moved_on))
        for row in outbox_store.sent_to_group(session, ctx.group.id, waiting_check.WaitingCheckSend.kind)
        if only is None or row.member_id in only]


@_for_running_group
def choose_time(session: Session, ctx: _Context, index: int) -> Result:
    """"That works for me" on one of the intro's suggested times. Once everyone in the group has
    picked the same one, the chat is scheduled for it (reminders and calendar links as for any
    scheduled chat); until then the intro shows who can do which time."""
    times = suggestions(ctx.group)
    if not 0 <= index < len(times):
        return _result(ctx, Outcome.not_yours)  # a forged or stale button
    at = times[index]
    if ctx.group.status == GroupStatus.scheduled.value and ctx.group.meeting_at == at:
        return _result(ctx, Outcome.already)
    if at <= now():
        return _result(ctx, Outcome.time_passed)
    # Held first, so a partner clicking at the same moment waits and then sees this choice.
    if not round_store.hold_group(session, ctx.group, WAITING):
        return _result(ctx, Outcome.already_met if ctx.group.status == GroupStatus.met.value else Outcome.already)
    event = _record(session, ctx, EventKind.time_chosen, meeting_at=at)
    chosen = meeting_store.latest_choices(session, ctx.group.id)
    everyone = [ctx.member, *ctx.others]
    if any(chosen.get(m.id) != at for m in everyone):
        return _result(ctx, Outcome.noted, [_update_intro(session, ctx, event.id)], meeting_at_chosen=at)
    if not round_store.transition_group(session, ctx.group, GroupStatus.scheduled.value, WAITING, meeting_at=at):
        return _result(ctx, Outcome.already)
    # How it was scheduled, for the organisers' counts: by agreeing on a suggestion.
    _record(session, ctx, EventKind.suggestion_agreed)
    return _result(ctx, Outcome.done, _record_scheduled(session, ctx, at))


def _move(session: Session, ctx: _Context, to_status: str, allowed_from, kind: EventKind, **fields) -> Result:
    """One click's change: the group moves (once, however many clicks), the event is recorded,
    and the intro is edited to show it; "already" when another click got there first."""
    if not round_store.transition_group(session, ctx.group, to_status, allowed_from, **fields):
        return _result(ctx, Outcome.already)
    _, keys = _record_and_show(session, ctx, kind)
    if to_status not in WAITING:
        keys += _settle_waiting_checks(session, ctx, moved_on=True)  # met or missed: no longer "no time set"
    return _result(ctx, Outcome.done, keys)


@_for_running_group
def mark_met(session: Session, ctx: _Context) -> Result:
    """"We've met"; too_late_to_rematch says the follow-up has already gone, so none is promised."""
    result = _move(session, ctx, GroupStatus.met.value, _NOT_MET, EventKind.met)
    result.too_late_to_rematch = not rematch_possible(ctx.round)
    return result


@_for_running_group
def ask_reschedule(session: Session, ctx: _Context, suggested_at: datetime | None, note: str) -> Result:
    """Record a reschedule and tell the partner kindly, with what was suggested."""
    note = clean_text(note, "note", limit=NOTE_MAX, required=False, field="note")
    if not round_store.transition_group(session, ctx.group, GroupStatus.rescheduling.value, _NOT_MET):
        return _result(ctx, Outcome.already_met)  # (or, in a race, the match has just moved on)
    event, keys = _record_and_show(session, ctx, EventKind.reschedule_asked, note, meeting_at=suggested_at)
    # The newer notice supersedes the older ones: they settle, so only one set of buttons is live.
    asks = {e.id: e.member_id for e in meeting_store.events(session, ctx.group.id, EventKind.reschedule_asked)}
    for row in outbox_store.sent_to_group(session, ctx.group.id, reschedule_notice.RescheduleNoticeSend.kind):
        old = sends.load(row)
        if old.event_id != event.id and asks.get(old.event_id):
            keys.append(_queue(session, ctx, reschedule_settled.RescheduleSettledSend(
                round_id=ctx.round.id, group_id=ctx.group.id, member_id=row.member_id, asker=asks[old.event_id],
                channel=row.channel_id, ts=row.ts)))
    keys += _tell_others(session, ctx, lambda partner: reschedule_notice.RescheduleNoticeSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=partner.id, event_id=event.id))
    return _result(ctx, Outcome.done, keys, offer_let_go=len(asks) >= LET_GO_FROM)


@_for_running_group
def let_go(session: Session, ctx: _Context) -> Result:
    """"Let's leave it this round", offered once a chat has been moved a few times: no blame, and
    everyone is matched again next round. The others are told."""
    if ctx.group.status == GroupStatus.met.value:
        return _result(ctx, Outcome.already_met)
    withdrawn = _request_withdrawn(session, ctx)
    if withdrawn is not None:
        return withdrawn  # offered with a request whose asker can't make this round after all
    if not round_store.transition_group(session, ctx.group, GroupStatus.missed.value, _CAN_MISS, meeting_at=None):
        return _result(ctx, Outcome.already)
    _, keys = _record_and_show(session, ctx, EventKind.left_there)
    keys += _settle_waiting_checks(session, ctx, moved_on=True)
    return _result(ctx, Outcome.done, keys + _tell_left(session, ctx, True))


def _tell_left(session: Session, ctx: _Context, after_reschedules: bool) -> list[str]:
    """The others hear, kindly, that this round's chat has been let go."""
    return _tell_others(session, ctx, lambda other: left_for_round.LeftForRoundSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=other.id, by=ctx.member.id,
        after_reschedules=after_reschedules))


def _request_withdrawn(session: Session, ctx: _Context) -> Result | None:
    """A click on a reschedule notice (yes, another time, let it go) whose request no longer stands: whoever
    asked has stepped out of this round since (a click that crossed the notice's settling). None otherwise."""
    latest = latest_suggestion(session, ctx.group.id)
    if latest is None or latest[0].member_id not in stepped_out_of(session, ctx.group.id):
        return None
    asker = member_store.get_member_by_id(session, latest[0].member_id)
    return _result(ctx, Outcome.request_withdrawn,
                   out_ids=(asker.slack_user_id,) if asker and asker.slack_user_id else ())


@_for_running_group
def check_counter(session: Session, ctx: _Context) -> Result:
    """"Suggest another time" on a reschedule notice: done if its form may open, request_withdrawn if
    the request it answers no longer stands. Changes nothing."""
    return _request_withdrawn(session, ctx) or _result(ctx, Outcome.done)


@_for_running_group
def accept_reschedule(session: Session, ctx: _Context) -> Result:
    withdrawn = _request_withdrawn(session, ctx)
    if withdrawn is not None:
        return withdrawn
    latest = latest_suggestion(session, ctx.group.id)
    if latest is None or ctx.group.status != GroupStatus.rescheduling.value:
        return _result(ctx, Outcome.already)
    asked, suggested_at, _ = latest
    if asked.member_id == ctx.member.id:
        return _result(ctx, Outcome.own_suggestion)
    # With a suggested time the pair is scheduled; with only a note they still need to find
    # one, so they go back to waiting (and the nudge still reaches them).
    to_status = GroupStatus.scheduled.value if suggested_at else GroupStatus.new.value
    if not round_store.transition_group(session, ctx.group, to_status, [GroupStatus.rescheduling.value],
                                        meeting_at=suggested_at):
        # Whoever asked may have stepped out a moment ago, taking the request with them.
        return _request_withdrawn(session, ctx) or _result(ctx, Outcome.already)
    keys = _record_scheduled(session, ctx, suggested_at) if suggested_at else []
    # The others' notices of this request settle, so none keeps buttons for a plan already agreed
    # (one still on its way settles itself when it lands: see RescheduleNoticeSend.sent).
    # Someone who stepped out has had theirs settled already, as stepping out: a yes isn't theirs to hear.
    gone = stepped_out_of(session, ctx.group.id)
    keys += _settle_notices(session, ctx, [
        row for row in outbox_store.sent_to_group(session, ctx.group.id, reschedule_notice.RescheduleNoticeSend.kind)
        if row.member_id != ctx.member.id and row.member_id not in gone and sends.load(row).event_id == asked.id],
        accepted_by=ctx.member.id)
    result = _result(ctx, Outcome.done, keys)
    accepted = _record(session, ctx, EventKind.reschedule_accepted)
    result.send_now.append(_queue(session, ctx, reschedule_accepted.RescheduleAcceptedSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=asked.member_id, event_id=accepted.id)))
    result.told = tuple(m.slack_user_id for m in ctx.others if m.id == asked.member_id)
    return result


@_for_running_group
def mark_missed(session: Session, ctx: _Context) -> Result:
    """A missed call, recorded without blame; the caller asks whether to try again."""
    if ctx.group.status == GroupStatus.met.value:
        return _result(ctx, Outcome.already_met)
    return _move(session, ctx, GroupStatus.missed.value, _CAN_MISS, EventKind.missed, meeting_at=None)


@_for_running_group
def try_again(session: Session, ctx: _Context) -> Result:
    return _move(session, ctx, GroupStatus.new.value, [GroupStatus.missed.value], EventKind.try_again)


@_for_running_group
def leave_it_there(session: Session, ctx: _Context) -> Result:
    if (ctx.group.status != GroupStatus.missed.value
            or meeting_store.latest_event(session, ctx.group.id, EventKind.left_there)):
        return _result(ctx, Outcome.already)
    _record(session, ctx, EventKind.left_there)
    return _result(ctx, Outcome.done, _tell_left(session, ctx, False))


def quiet_long_enough(group: Group, at: datetime | None = None) -> bool:
    """Still waiting, this many days after this pair was introduced (a fresh match starts its own count)."""
    return group.status in WAITING and (at or now()) >= group.created_at + timedelta(days=QUIET_DAYS)


@_for_running_group
def partner_silent(session: Session, ctx: _Context, *, rematch_now: bool) -> Result:
    """The partner never answered: a fresh match this round, or sit out and go first next time.

    The quiet partner is told kindly that the match has moved on; nobody is blamed.
    """
    silence = _silence_outcome(ctx.group)
    if silence is not Outcome.done:
        return _result(ctx, silence)
    nudge = meeting_store.latest_event(session, ctx.group.id, EventKind.quiet_nudge)
    if nudge is None or now() < nudge.created_at + NUDGE_GRACE:
        return _result(ctx, Outcome.too_soon)  # the quiet partner gets their nudge, and time to answer, first
    if not round_store.transition_group(session, ctx.group, GroupStatus.ended.value, WAITING):
        return _result(ctx, Outcome.in_touch)  # another click moved the pair on a moment ago
    _, keys = _record_and_show(session, ctx, EventKind.no_reply)
    keys += _settle_waiting_checks(session, ctx, moved_on=True)
    keys += _tell_others(session, ctx, lambda partner: partner_moved_on.PartnerMovedOnSend(
        round_id=ctx.round.id, group_id=ctx.group.id, member_id=partner.id))
    new_group_id = None
    # Once the follow-up has gone out there's no time left for a fresh hour this round.
    too_late = rematch_now and not rematch_possible(ctx.round)
    if rematch_now and not too_late:
        new_group_id = rematch.find_new_partner(session, ctx.round, ctx.member)
        if new_group_id is not None:
            _record(session, ctx, EventKind.rematched)
            keys.append(intro.IntroSend(round_id=ctx.round.id, group_id=new_group_id).key())
    if not rematch_now or too_late:
        _record(session, ctx, EventKind.sat_out)
    if new_group_id is None:
        # Sitting out, or nobody free yet: first in line next round. Until then, someone else
        # whose partner goes quiet this round may still be matched with them.
        member_store.set_priority(session, [ctx.member], True)
    return _result(ctx, Outcome.done, keys, new_group_id=new_group_id, too_late_to_rematch=too_late)


@dataclass(frozen=True)
class FollowUpForm:
    learned: str = ""
    shared: str = ""
    stay_in_touch: bool = False
    organisers_may_read: bool = False


def check_follow_up(form: FollowUpForm) -> FollowUpForm:
    return FollowUpForm(
        learned=clean_text(form.learned, "answer about what you learned", limit=ANSWER_MAX, required=False,
                           field="learned"),
        shared=clean_text(form.shared, "answer about what you shared", limit=ANSWER_MAX, required=False,
                          field="shared"),
        stay_in_touch=form.stay_in_touch,
        organisers_may_read=form.organisers_may_read,
    )


@_for_member_of_group(refused=lambda result: (result, FollowUpForm()))
def follow_up_prefill(session: Session, ctx: _Context) -> tuple[Result, FollowUpForm]:
    """Whether this member may answer for this group (done or not_yours), and what they answered before."""
    row = meeting_store.get_follow_up(session, ctx.group.id, ctx.member.id)
    form = FollowUpForm(row.learned, row.shared, row.stay_in_touch, row.organisers_may_read) if row else FollowUpForm()
    return _result(ctx, Outcome.done), form


def check_reschedule(suggested_at: datetime | None, note: str) -> None:
    """A reschedule needs a new day or a note; InputError naming the field otherwise."""
    if suggested_at is None and not (note or "").strip():
        raise InputError("Suggest a new day, or leave a note for your partner.", "note")
    clean_text(note, "note", limit=NOTE_MAX, required=False, field="note")


@_for_member_of_group(refused=lambda result: result)
def save_follow_up(session: Session, ctx: _Context, form: FollowUpForm) -> Result:
    """Store one member's answers (again replaces them). When everyone wants to stay in touch, all are told."""
    form = check_follow_up(form)
    # Two members answering at once would each read only their own answer (READ COMMITTED),
    # and neither would hear that everyone wants to stay in touch: take turns on the match.
    round_store.lock_group(session, ctx.group.id)
    meeting_store.save_follow_up(
        session, team_id=ctx.group.team_id, round_id=ctx.round.id, group_id=ctx.group.id, member_id=ctx.member.id,
        learned=form.learned, shared=form.shared, stay_in_touch=form.stay_in_touch,
        organisers_may_read=form.organisers_may_read,
    )
    keys = []
    answers = {row.member_id: row for row in meeting_store.follow_ups(session, ctx.group.id)}
    everyone = [ctx.member, *ctx.others]
    if all(answers.get(m.id) is not None and answers[m.id].stay_in_touch for m in everyone):
        for person in everyone:
            keys.append(_queue(session, ctx, stay_in_touch.StayInTouchSend(round_id=ctx.round.id, group_id=ctx.group.id,
                                                             member_id=person.id)))
    return _result(ctx, Outcome.done, keys)
