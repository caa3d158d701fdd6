"""What happens between an intro and the end of a round: scheduled, met, moved, missed, a quiet partner, and what each learned.

Every click is safe to repeat: each function checks where the group already is, and a
second identical click answers "already" and changes nothing. Messages the click sets off
are queued in the outbox (by unique keys) and returned, so the caller can send them now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from scheduler import rematch
from scheduler.membership import InputError, clean_text
from storage import meetings as store
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.models import GroupStatus, MatchGroup, Member, MemberStatus, Round, RoundState

# "My partner hasn't replied" is offered once a group has been quiet this long.
QUIET_DAYS = 4
# Reminders arrive the day before, at this hour in each person's own time zone.
REMINDER_HOUR = 10
NOTE_MAX = 500
ANSWER_MAX = 1000
WAITING = (GroupStatus.new.value, GroupStatus.rescheduling.value)
# Where a group can be moved from, by each kind of click.
_NOT_MET = (GroupStatus.new.value, GroupStatus.scheduled.value, GroupStatus.rescheduling.value,
            GroupStatus.missed.value)
_CAN_MISS = (GroupStatus.new.value, GroupStatus.scheduled.value, GroupStatus.rescheduling.value)


class Outcome(str, Enum):
    done = "done"
    already = "already"            # the same click again: nothing changed
    round_ended = "round_ended"    # a button on an earlier round's message
    match_ended = "match_ended"    # this match moved on (a partner went quiet or couldn't be reached)
    not_yours = "not_yours"        # not a member of that group (or a forged value)
    not_now = "not_now"            # e.g. "partner hasn't replied" after the pair has met


@dataclass
class Result:
    outcome: Outcome
    group_id: int | None = None
    round_number: int | None = None
    partner_ids: tuple[str, ...] = ()
    send_now: list[str] = field(default_factory=list)  # outbox keys to deliver straight away
    new_group_id: int | None = None
    short_notice: bool = False
    too_late_to_rematch: bool = False
    channel_id: str | None = None       # the pair's conversation, for replies after a modal
    meeting_at: datetime | None = None


@dataclass
class _Context:
    group: MatchGroup
    round: Round
    member: Member
    others: list[Member]


def _context(session: Session, team_id: str, user_id: str, group_id: int | None) -> _Context | Outcome:
    member = member_store.get_member(session, team_id, user_id)
    group = round_store.get_group(session, group_id) if group_id is not None else None
    if member is None or group is None or group.team_id != team_id:
        return Outcome.not_yours
    people = round_store.group_members(session, group.id)
    if member.id not in {m.id for m in people}:
        return Outcome.not_yours
    round_ = round_store.get_round(session, group.round_id)
    others = [m for m in people if m.id != member.id and m.slack_user_id]
    return _Context(group, round_, member, others)


def _result(ctx: _Context, outcome: Outcome, keys: list[str] | None = None, **extra) -> Result:
    return Result(outcome, ctx.group.id, ctx.round.number, tuple(m.slack_user_id for m in ctx.others),
                  keys or [], channel_id=ctx.group.channel_id, meeting_at=ctx.group.meeting_at, **extra)


def _queue(session: Session, ctx: _Context, kind: str, key: str, member_id: int | None = None,
           not_before: datetime | None = None) -> str:
    outbox.queue(session, ctx.group.team_id, [{
        "key": key, "kind": kind, "round_id": ctx.round.id, "group_id": ctx.group.id, "member_id": member_id,
        "not_before": not_before,
    }])
    return key


def _update_intro(session: Session, ctx: _Context, event_id: int) -> str:
    """Queue an edit of the intro so everyone in the conversation sees where things stand."""
    return _queue(session, ctx, "intro_update", f"intro_update:{ctx.group.id}:{event_id}")


def _open(session: Session, team_id: str, user_id: str, group_id: int | None) -> _Context | Result:
    ctx = _context(session, team_id, user_id, group_id)
    if isinstance(ctx, Outcome):
        return Result(ctx)
    if ctx.round.state == RoundState.closed.value:
        return _result(ctx, Outcome.round_ended)
    if ctx.group.status == GroupStatus.ended.value:
        return _result(ctx, Outcome.match_ended)
    return ctx


def check_open(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    """Whether a button's group is the clicker's and still running (done), changing nothing."""
    ctx = _open(session, team_id, user_id, group_id)
    return ctx if isinstance(ctx, Result) else _result(ctx, Outcome.done)


def check_silence_report(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    """Whether "My partner hasn't replied" may be acted on: done, or not_now when the pair is in touch."""
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    return _result(ctx, Outcome.done if quiet_long_enough(ctx.group) else Outcome.not_now)


def reminder_time(meeting_at: datetime, timezone_name: str | None) -> datetime:
    """The day before the meeting, at REMINDER_HOUR in the person's own time zone."""
    try:
        zone = ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
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
    try:
        zone = ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, at or time(12, 0), tzinfo=zone)


def mark_scheduled(session: Session, team_id: str, user_id: str, group_id: int | None,
                   meeting_at: datetime | None) -> Result:
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    if ctx.group.status == GroupStatus.scheduled.value and ctx.group.meeting_at == meeting_at:
        return _result(ctx, Outcome.already)
    if not round_store.transition_group(session, ctx.group, GroupStatus.scheduled.value, _NOT_MET,
                                        meeting_at=meeting_at):
        return _result(ctx, Outcome.already)
    return _result(ctx, Outcome.done, _record_scheduled(session, ctx, meeting_at))


def _record_scheduled(session: Session, ctx: _Context, meeting_at: datetime | None) -> list[str]:
    """The event, the intro edit and each person's reminder for a newly scheduled chat."""
    event = store.add_event(session, ctx.group.team_id, ctx.group.id, "scheduled", ctx.member.id,
                            meeting_at.isoformat() if meeting_at else "")
    keys = [_update_intro(session, ctx, event.id)]
    if meeting_at is not None:
        for person in [ctx.member, *ctx.others]:
            send_at = reminder_send_time(meeting_at, person.timezone)
            if send_at is None:
                continue
            # The date is in the key: a new date means a new reminder, and the old one is dropped.
            _queue(session, ctx, "reminder", f"reminder:{ctx.group.id}:{person.id}:{meeting_at.isoformat()}",
                   member_id=person.id, not_before=send_at)
    return keys


def _move(session: Session, ctx: _Context, to_status: str, allowed_from, kind: str, **fields) -> Result:
    """One click's change: the group moves (once, however many clicks), the event is recorded,
    and the intro is edited to show it; "already" when another click got there first."""
    if not round_store.transition_group(session, ctx.group, to_status, allowed_from, **fields):
        return _result(ctx, Outcome.already)
    event = store.add_event(session, ctx.group.team_id, ctx.group.id, kind, ctx.member.id)
    return _result(ctx, Outcome.done, [_update_intro(session, ctx, event.id)])


def mark_met(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    return _move(session, ctx, GroupStatus.met.value, _NOT_MET, "met")


def ask_reschedule(session: Session, team_id: str, user_id: str, group_id: int | None,
                   suggested_at: datetime | None, note: str) -> Result:
    """Record a reschedule and tell the partner kindly, with what was suggested."""
    note = clean_text(note, "note", limit=NOTE_MAX, required=False, field="note")
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    short_notice = ctx.group.meeting_at is not None and ctx.group.meeting_at - now() < timedelta(days=1)
    if not round_store.transition_group(session, ctx.group, GroupStatus.rescheduling.value, _NOT_MET):
        return _result(ctx, Outcome.not_now)  # they've met (or the match has moved on)
    event = store.add_event(session, team_id, ctx.group.id, "reschedule_asked", ctx.member.id,
                            _encode_suggestion(suggested_at, note))
    keys = [_update_intro(session, ctx, event.id)]
    for partner in ctx.others:
        keys.append(_queue(session, ctx, "reschedule_notice", f"reschedule_notice:{event.id}:{partner.id}",
                           member_id=partner.id))
    return _result(ctx, Outcome.done, keys, short_notice=short_notice)


def _encode_suggestion(suggested_at: datetime | None, note: str) -> str:
    # One text column holds both: the time (if any) on the first line, the note after.
    return (suggested_at.isoformat() if suggested_at else "") + "\n" + note


def decode_suggestion(raw: str) -> tuple[datetime | None, str]:
    first, _, note = (raw or "").partition("\n")
    return (datetime.fromisoformat(first) if first else None), note


def latest_suggestion(session: Session, group_id: int):
    """(asker member id, suggested time, note) of the latest reschedule request, or None."""
    event = store.latest_event(session, group_id, "reschedule_asked")
    if event is None:
        return None
    suggested_at, note = decode_suggestion(event.note)
    return event, suggested_at, note


def accept_reschedule(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    latest = latest_suggestion(session, ctx.group.id)
    if latest is None or ctx.group.status != GroupStatus.rescheduling.value:
        return _result(ctx, Outcome.already)
    asked, suggested_at, _ = latest
    if asked.member_id == ctx.member.id:
        return _result(ctx, Outcome.not_now)  # one can't accept one's own suggestion
    # With a suggested time the pair is scheduled; with only a note they still need to find
    # one, so they go back to waiting (and the nudge still reaches them).
    to_status = GroupStatus.scheduled.value if suggested_at else GroupStatus.new.value
    if not round_store.transition_group(session, ctx.group, to_status, [GroupStatus.rescheduling.value],
                                        meeting_at=suggested_at):
        return _result(ctx, Outcome.already)
    keys = _record_scheduled(session, ctx, suggested_at) if suggested_at else []
    result = _result(ctx, Outcome.done, keys)
    accepted = store.add_event(session, team_id, ctx.group.id, "reschedule_accepted", ctx.member.id)
    result.send_now.append(_queue(session, ctx, "reschedule_accepted", f"reschedule_accepted:{accepted.id}",
                                  member_id=asked.member_id))
    return result


def mark_missed(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    """A missed call, recorded without blame; the caller asks whether to try again."""
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    if ctx.group.status == GroupStatus.met.value:
        return _result(ctx, Outcome.not_now)
    return _move(session, ctx, GroupStatus.missed.value, _CAN_MISS, "missed", meeting_at=None)


def try_again(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    return _move(session, ctx, GroupStatus.new.value, [GroupStatus.missed.value], "try_again")


def leave_it_there(session: Session, team_id: str, user_id: str, group_id: int | None) -> Result:
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    if ctx.group.status != GroupStatus.missed.value or store.latest_event(session, ctx.group.id, "left_there"):
        return _result(ctx, Outcome.already)
    store.add_event(session, team_id, ctx.group.id, "left_there", ctx.member.id)
    return _result(ctx, Outcome.done)


def quiet_long_enough(group: MatchGroup, at: datetime | None = None) -> bool:
    """Still waiting, this many days after this pair was introduced (a fresh match starts its own count)."""
    return group.status in WAITING and (at or now()) >= group.created_at + timedelta(days=QUIET_DAYS)


def partner_silent(session: Session, team_id: str, user_id: str, group_id: int | None, *, rematch_now: bool) -> Result:
    """The partner never answered: a fresh match this round, or sit out and go first next time.

    The quiet partner is told kindly that the match has moved on; nobody is blamed.
    """
    ctx = _open(session, team_id, user_id, group_id)
    if isinstance(ctx, Result):
        return ctx
    if not quiet_long_enough(ctx.group):
        return _result(ctx, Outcome.not_now)
    if not round_store.transition_group(session, ctx.group, GroupStatus.ended.value, WAITING):
        return _result(ctx, Outcome.not_now)
    event = store.add_event(session, team_id, ctx.group.id, "no_reply", ctx.member.id)
    keys = [_update_intro(session, ctx, event.id)]
    for partner in ctx.others:
        keys.append(_queue(session, ctx, "partner_moved_on", f"partner_moved_on:{ctx.group.id}:{partner.id}",
                           member_id=partner.id))
    new_group_id = None
    # Once the follow-up has gone out there's no time left for a fresh hour this round.
    too_late = rematch_now and ctx.round.state not in (RoundState.open.value, RoundState.nudged.value)
    if rematch_now and not too_late:
        new_group_id = rematch.find_new_partner(session, ctx.round, ctx.member)
        if new_group_id is not None:
            store.add_event(session, team_id, ctx.group.id, "rematched", ctx.member.id)
            keys.append(f"intro:{new_group_id}")
    if not rematch_now or too_late:
        store.add_event(session, team_id, ctx.group.id, "sat_out", ctx.member.id)
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


def follow_up_prefill(session: Session, team_id: str, user_id: str,
                      group_id: int | None) -> tuple[Result, FollowUpForm]:
    """Whether this member may answer for this group (done or not_yours), and what they answered before."""
    ctx = _context(session, team_id, user_id, group_id)
    if isinstance(ctx, Outcome):
        return Result(ctx), FollowUpForm()
    row = store.get_follow_up(session, ctx.group.id, ctx.member.id)
    form = FollowUpForm(row.learned, row.shared, row.stay_in_touch, row.organisers_may_read) if row else FollowUpForm()
    return _result(ctx, Outcome.done), form


def check_reschedule(suggested_at: datetime | None, note: str) -> None:
    """A reschedule needs a new day or a note; InputError naming the field otherwise."""
    if suggested_at is None and not (note or "").strip():
        raise InputError("Suggest a new day, or leave a note for your partner.", "note")
    clean_text(note, "note", limit=NOTE_MAX, required=False, field="note")


def save_follow_up(session: Session, team_id: str, user_id: str, group_id: int | None, form: FollowUpForm) -> Result:
    """Store one member's answers (again replaces them). When everyone wants to stay in touch, all are told."""
    form = check_follow_up(form)
    ctx = _context(session, team_id, user_id, group_id)
    if isinstance(ctx, Outcome):
        return Result(ctx)
    store.save_follow_up(
        session, team_id=team_id, round_id=ctx.round.id, group_id=ctx.group.id, member_id=ctx.member.id,
        learned=form.learned, shared=form.shared, stay_in_touch=form.stay_in_touch,
        organisers_may_read=form.organisers_may_read,
    )
    keys = []
    answers = {row.member_id: row for row in store.follow_ups(session, ctx.group.id)}
    everyone = [ctx.member, *ctx.others]
    if all(answers.get(m.id) is not None and answers[m.id].stay_in_touch for m in everyone):
        for person in everyone:
            keys.append(_queue(session, ctx, "stay_in_touch", f"stay_in_touch:{ctx.group.id}:{person.id}",
                               member_id=person.id))
    return _result(ctx, Outcome.done, keys)


def account_for_round(session: Session, round_: Round) -> list[Member]:
    """At close: count a quiet round for whoever didn't meet; two in a row pause them, kindly. Returns those paused.

    Only people who took part count: anyone not in this round (skipping, paused, unmatched)
    starts again from nothing, since "two rounds running" means in a row.
    """
    paused, taking_part = [], set()
    for group in round_store.groups_of_round(session, round_.id):
        people = [m for m in round_store.group_members(session, group.id) if m.slack_user_id]
        taking_part.update(m.id for m in people)
        if group.status == GroupStatus.ended.value:
            reporters = {e.member_id for e in store.events(session, group.id, "no_reply")}
            # In a pair the quiet one is clear; in a trio nobody can say who it was, so nobody counts.
            quiet = [m for m in people if m.id not in reporters] if reporters and len(people) == 2 else []
        elif group.status in (GroupStatus.met.value, GroupStatus.scheduled.value):
            for person in people:
                member_store.set_quiet_rounds(session, person, 0)
            continue
        else:
            quiet = people
        for person in quiet:
            if person.quiet_rounds + 1 >= 2 and person.status == MemberStatus.active.value:
                member_store.set_status(session, person, MemberStatus.paused)
                member_store.set_quiet_rounds(session, person, 0)
                paused.append(person)
            else:
                member_store.set_quiet_rounds(session, person, person.quiet_rounds + 1)
    member_store.reset_quiet_rounds_except(session, round_.team_id, taking_part)
    if paused:
        outbox.queue(session, round_.team_id, [
            {"key": f"paused_quiet:{round_.id}:{m.id}", "kind": "paused_quiet", "round_id": round_.id,
             "member_id": m.id} for m in paused
        ])
    return paused


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
