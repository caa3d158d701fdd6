"""Queries about what happened to a group: meeting events and follow-up answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import EventKind, FollowUp, Group, GroupMember, GroupStatus, MeetingEvent
from storage.upsert import insert_missing


def add_event(session: Session, team_id: str, group_id: int, kind: EventKind, member_id: int | None = None,
              note: str = "", *, meeting_at: datetime | None = None) -> MeetingEvent:
    event = MeetingEvent(team_id=team_id, group_id=group_id, member_id=member_id, kind=EventKind(kind).value,
                         meeting_at=meeting_at, note=note)
    session.add(event)
    session.flush()
    return event


def events(session: Session, group_id: int, kind: EventKind | None = None) -> list[MeetingEvent]:
    query = select(MeetingEvent).where(MeetingEvent.group_id == group_id)
    if kind:
        query = query.where(MeetingEvent.kind == EventKind(kind).value)
    return list(session.exec(query.order_by(MeetingEvent.id)))


def kinds_had(session: Session, group_id: int, kinds) -> set[str]:
    """Which of these kinds of event the group has had (several questions, one query)."""
    wanted = [EventKind(kind).value for kind in kinds]
    return set(session.exec(select(MeetingEvent.kind).where(MeetingEvent.group_id == group_id,
                                                            MeetingEvent.kind.in_(wanted)).distinct()))


def latest_event(session: Session, group_id: int, kind: EventKind) -> MeetingEvent | None:
    return session.exec(
        select(MeetingEvent).where(MeetingEvent.group_id == group_id, MeetingEvent.kind == EventKind(kind).value)
        .order_by(MeetingEvent.id.desc())
    ).first()


def get_follow_up(session: Session, group_id: int, member_id: int) -> FollowUp | None:
    return session.exec(
        select(FollowUp).where(FollowUp.group_id == group_id, FollowUp.member_id == member_id)
    ).first()


def save_follow_up(session: Session, **fields) -> tuple[FollowUp, bool]:
    """Create or replace one member's answers for one group; (row, created).

    A modal submitted twice at once lands both times: the unique key decides which one
    creates the row, and the other replaces its answers.
    """
    which = (FollowUp.group_id == fields["group_id"], FollowUp.member_id == fields["member_id"])
    created = insert_missing(session, FollowUp, ["group_id", "member_id"], fields)
    if not created:
        answers = {name: value for name, value in fields.items() if name not in ("group_id", "member_id")}
        session.exec(update(FollowUp).where(*which).values(**answers))
    row = session.exec(select(FollowUp).where(*which).execution_options(populate_existing=True)).one()
    return row, created


def follow_ups(session: Session, group_id: int) -> list[FollowUp]:
    return list(session.exec(select(FollowUp).where(FollowUp.group_id == group_id).order_by(FollowUp.member_id)))


def unavailable_in_round(session: Session, round_id: int) -> set[int]:
    """Members not to offer as a fresh match this round.

    Those whose partner said they never replied (they've gone quiet), those who chose
    to sit the rest of the round out, and those out of their match this round (they said
    they can't make it, or a trio carried on without them).
    """
    stepped_out = set(session.exec(select(MeetingEvent.member_id).join(
        Group, Group.id == MeetingEvent.group_id).where(
        Group.round_id == round_id, MeetingEvent.kind == EventKind.stepped_out.value,
        MeetingEvent.member_id.is_not(None))))
    reported = select(MeetingEvent.group_id, MeetingEvent.member_id, MeetingEvent.kind).join(
        Group, Group.id == MeetingEvent.group_id
    ).where(Group.round_id == round_id, Group.status == GroupStatus.ended.value,
            MeetingEvent.kind.in_([EventKind.no_reply.value, EventKind.sat_out.value]))
    reporters: dict[int, set[int]] = {}
    sat_out: set[int] = set()
    for group_id, member_id, kind in session.exec(reported):
        if kind == EventKind.sat_out:
            sat_out.add(member_id)
        else:
            reporters.setdefault(group_id, set()).add(member_id)
    if not reporters:
        return sat_out | stepped_out
    rows = session.exec(select(GroupMember.group_id, GroupMember.member_id).where(
        GroupMember.group_id.in_(list(reporters))))
    return sat_out | stepped_out | {member_id for group_id, member_id in rows
                                    if member_id not in reporters[group_id]}


def members_with_events(session: Session, group_id: int) -> set[int]:
    """Who has clicked anything on this group's match (every click is an event by its clicker)."""
    return {m for m in session.exec(select(MeetingEvent.member_id).where(
        MeetingEvent.group_id == group_id, MeetingEvent.member_id.is_not(None)).distinct())}


def answered_in_round(session: Session, round_id: int) -> set[int]:
    """Members who answered anything in this round: a click on any of their matches, or a follow-up."""
    clicked = select(MeetingEvent.member_id).join(Group, Group.id == MeetingEvent.group_id).where(
        Group.round_id == round_id, MeetingEvent.member_id.is_not(None))
    followed_up = select(FollowUp.member_id).where(FollowUp.round_id == round_id)
    return set(session.exec(clicked)) | set(session.exec(followed_up))


def latest_choices(session: Session, group_id: int) -> dict[int, datetime]:
    """Each member's latest "that works for me" on a suggested time (a later click replaces an earlier one)."""
    rows = session.exec(select(MeetingEvent.member_id, MeetingEvent.meeting_at).where(
        MeetingEvent.group_id == group_id, MeetingEvent.kind == EventKind.time_chosen.value,
        MeetingEvent.member_id.is_not(None), MeetingEvent.meeting_at.is_not(None)).order_by(MeetingEvent.id))
    return dict(rows.all())
