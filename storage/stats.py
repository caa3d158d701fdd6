"""Aggregate queries for organisers' round statistics: counts per round, never a person's row."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from storage.models import (
    EventKind,
    FollowUp,
    Group,
    GroupMember,
    GroupStatus,
    MeetingEvent,
    Member,
    Round,
    RoundState,
)
from storage.types import UTCDateTime

# Before anyone joined anything: the lower bound of the first round's interval.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Event kinds counted as group outcomes, and the name each count goes by.
OUTCOME_EVENTS = {
    EventKind.met: "met",
    EventKind.scheduled: "scheduled",
    EventKind.reschedule_asked: "rescheduled",
    EventKind.missed: "missed",
    # Scheduled by everyone picking the same suggested time (the rest of "scheduled" used a form).
    EventKind.suggestion_agreed: "scheduled_by_suggestion",
}
# Someone in the group told us the chat didn't happen this round: they missed it, let it go,
# stepped out or left, or heard nothing back (and then sat out or took a fresh match). A
# no_reply event with nobody's name on it is the bot's own, written when the round closed on
# a group that never said how it went: that is not being told, so it doesn't count here.
SAID_NOT_MET = (EventKind.missed, EventKind.left_there, EventKind.stepped_out, EventKind.partner_left,
                EventKind.sat_out, EventKind.rematched)
# Of those, someone going from the group (and a member's "heard nothing back", which may drop a quiet
# third): they say the group didn't meet only when it ended there. A trio's other two carry on as a
# pair in the same group, which goes on running, and counts by what those two say.
GONE_FROM_GROUP = (EventKind.stepped_out, EventKind.partner_left)

ROUND_COLUMNS = (
    "number", "period", "state", "opened_at",
    "members_active", "members_paused", "members_skipping", "organisations", "unmatched",
)
# Events that end a group whose intro went out: it still counts among the round's groups made.
MADE_THEN_ENDED = (EventKind.no_reply, EventKind.partner_left, EventKind.stepped_out)
COUNT_COLUMNS = (
    "members_new", "members_left", "groups", "cross_organisation",
    *OUTCOME_EVENTS.values(), "didnt_meet", "heard_nothing_back", "members_matched", "answered", "stay_in_touch",
)


def _ones(condition):
    """1 where the condition holds, else 0: summed, it counts rows on both databases."""
    return case((condition, 1), else_=0)


def round_counts(session: Session, team_id: str, number: int | None = None) -> list[dict]:
    """One dict per round (oldest first, or only round `number`): the round's own columns and
    the counts in COUNT_COLUMNS, all computed by the database in one statement.

    - members_new / members_left: members whose joined_at / left_at falls in
      [previous round's opened_at, this round's opened_at); for the first round, everything
      before it opened.
    - groups: groups of the round whose status is not "ended", plus ended groups whose intro
      had gone out (an event in MADE_THEN_ENDED: a partner never replied, left the network or
      stepped out; the match was made, and didn't happen), so a round's count never drops
      after it opened; every other count below is over those groups only. Groups that ended
      because an intro couldn't reach someone, or before their round opened, were never
      really made, and don't count.
    - cross_organisation: groups made flagged cross_organisation.
    - met, scheduled, rescheduled, missed: groups with at least one meeting event of kind
      met, scheduled, reschedule_asked, missed (a group counts once per kind however many
      events it has, and may count under several kinds).
    - didnt_meet: groups that never said they met, where someone said it didn't happen (an
      event in SAID_NOT_MET, or a no_reply clicked by a member; one in GONE_FROM_GROUP, or
      that no_reply, only if the group ended: a trio whose two carried on is counted by what
      they said); heard_nothing_back: those of them where a member said they heard nothing
      back. Groups made that are neither met nor didnt_meet never told us how it went (the
      caller's not_told).
    - members_matched: places in groups made (group_member rows);
      answered: of those places, how many have a follow-up row;
      stay_in_touch: of those answers, how many said they'd stay in touch.
    """
    # The previous round's opening bounds each round's interval (the first round's reaches
    # back to EARLIEST); the window runs before the filter on `number` so one round still
    # sees its predecessor.
    rounds = (
        select(
            Round.id, *(getattr(Round, name) for name in ROUND_COLUMNS),
            func.coalesce(func.lag(Round.opened_at).over(order_by=Round.number), literal(EARLIEST, UTCDateTime))
            .label("previous_opened_at"),
        )
        .where(Round.team_id == team_id)
        .cte("rounds")
    )

    made_then_ended = select(MeetingEvent.group_id).where(MeetingEvent.team_id == team_id,
                                                          MeetingEvent.kind.in_([k.value for k in MADE_THEN_ENDED]))
    live = [Group.team_id == team_id,
            or_(Group.status != GroupStatus.ended.value, Group.id.in_(made_then_ended))]
    counted = [*OUTCOME_EVENTS, *SAID_NOT_MET, EventKind.no_reply]
    event_scope = [MeetingEvent.team_id == team_id, MeetingEvent.kind.in_([k.value for k in counted])]
    if number is not None:
        # One round: keep every scan to that round's groups (index lookups by round and group).
        round_ids = select(Round.id).where(Round.team_id == team_id, Round.number == number)
        live.append(Group.round_id.in_(round_ids))
        event_scope.append(MeetingEvent.group_id.in_(select(Group.id).where(Group.round_id.in_(round_ids))))

    # Which outcome kinds each group ever had (0/1 each), summed per round below. Separate
    # per-round aggregates joined on the few round rows beat joining everything per group
    # first (0.25 s against 0.44 s in benchmarks/bench_stats.py): each is one hash pass.
    heard_nothing = and_(MeetingEvent.kind == EventKind.no_reply.value, MeetingEvent.member_id.is_not(None))
    outcomes = (
        select(
            MeetingEvent.group_id,
            *(func.max(_ones(MeetingEvent.kind == kind.value)).label(name) for kind, name in OUTCOME_EVENTS.items()),
            func.max(_ones(heard_nothing)).label("heard_nothing"),
            func.max(_ones(MeetingEvent.kind.in_([k.value for k in SAID_NOT_MET if k not in GONE_FROM_GROUP])))
            .label("said_not_met"),
            func.max(_ones(MeetingEvent.kind.in_([k.value for k in GONE_FROM_GROUP]))).label("gone"),
        )
        .where(*event_scope)
        .group_by(MeetingEvent.group_id)
        .subquery("outcomes")
    )
    ended = Group.status == GroupStatus.ended.value
    groups = (
        select(
            Group.round_id,
            func.count().label("groups"),
            func.sum(_ones(Group.cross_organisation)).label("cross_organisation"),
            *(func.sum(outcomes.c[name]).label(name) for name in OUTCOME_EVENTS.values()),
            # Told it didn't happen, and never that it did (a missed chat met at a second try is met).
            func.sum(_ones(and_(func.coalesce(outcomes.c.met, 0) == 0, or_(
                outcomes.c.said_not_met == 1,
                and_(ended, or_(outcomes.c.gone == 1, outcomes.c.heard_nothing == 1))))))
            .label("didnt_meet"),
            func.sum(_ones(and_(func.coalesce(outcomes.c.met, 0) == 0, ended, outcomes.c.heard_nothing == 1)))
            .label("heard_nothing_back"),
        )
        .select_from(Group)
        .outerjoin(outcomes, outcomes.c.group_id == Group.id)
        .where(*live)
        .group_by(Group.round_id)
        .subquery("groups")
    )
    # Places in groups made, the answers given for them, and those wanting to stay in touch.
    people = (
        select(
            Group.round_id,
            func.count().label("members_matched"),
            func.count(FollowUp.id).label("answered"),
            func.sum(_ones(FollowUp.stay_in_touch)).label("stay_in_touch"),
        )
        .select_from(GroupMember)
        .join(Group, Group.id == GroupMember.group_id)
        .outerjoin(FollowUp, and_(FollowUp.group_id == GroupMember.group_id,
                                  FollowUp.member_id == GroupMember.member_id))
        .where(GroupMember.team_id == team_id, *live)
        .group_by(Group.round_id)
        .subquery("people")
    )

    def arrived(column, label: str):
        # Both bounds are plain comparisons on the member's column, so an index on
        # (team_id, column) could make each round's count a range scan; at 10k members a
        # scan is a few tens of ms, so the benchmark shows no need for one yet.
        return (
            select(func.count())
            .where(Member.team_id == team_id, column < rounds.c.opened_at, column >= rounds.c.previous_opened_at)
            .scalar_subquery()
            .label(label)
        )

    counts = {
        "members_new": arrived(Member.joined_at, "members_new"),
        "members_left": arrived(Member.left_at, "members_left"),
        **{name: column for part in (groups, people) for name, column in part.c.items() if name in COUNT_COLUMNS},
    }
    statement = (
        select(
            *(rounds.c[name] for name in ROUND_COLUMNS),
            *(func.coalesce(counts[name], literal(0)).label(name) for name in COUNT_COLUMNS),
        )
        .select_from(rounds)
        .outerjoin(groups, groups.c.round_id == rounds.c.id)
        .outerjoin(people, people.c.round_id == rounds.c.id)
        .order_by(rounds.c.number)
    )
    if number is not None:
        statement = statement.where(rounds.c.number == number)
    return [{name: row[name] if name in ROUND_COLUMNS else int(row[name]) for name in row.keys()}
            for row in session.execute(statement).mappings()]


def _readable(team_id: str):
    """Answers the writer let organisers read, with some text in them."""
    return and_(
        FollowUp.team_id == team_id,
        FollowUp.organisers_may_read == True,  # noqa: E712  (SQL comparison, not Python's)
        or_(func.trim(FollowUp.learned) != "", func.trim(FollowUp.shared) != ""),
    )


def consented_answer_counts(session: Session, team_id: str, number: int | None = None,
                            at_least: int = 1) -> list[tuple[int, int, int]]:
    """(round number, round seed, readable answers) per closed round with at least `at_least`, newest first."""
    statement = (
        select(Round.number, Round.seed, func.count(FollowUp.id))
        .join(Round, Round.id == FollowUp.round_id)
        .where(_readable(team_id), Round.team_id == team_id, Round.state == RoundState.closed.value)
        .group_by(Round.number, Round.seed)
        .having(func.count(FollowUp.id) >= at_least)
        .order_by(Round.number.desc())
    )
    if number is not None:
        statement = statement.where(Round.number == number)
    return [(n, seed, count) for n, seed, count in session.execute(statement)]


def consented_answers(session: Session, team_id: str, numbers: list[int]) -> list[tuple[int, str, str]]:
    """(round number, learned, shared) of readable answers in those rounds: text only, in no
    meaningful order (the caller shuffles), never who wrote it."""
    if not numbers:
        return []
    statement = (
        select(Round.number, FollowUp.learned, FollowUp.shared)
        .join(Round, Round.id == FollowUp.round_id)
        .where(_readable(team_id), Round.team_id == team_id, Round.number.in_(numbers))
    )
    return [(n, learned, shared) for n, learned, shared in session.execute(statement)]
