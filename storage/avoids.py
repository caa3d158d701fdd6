"""Queries for members' private "don't pair me with" lists."""

from __future__ import annotations

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from storage.models import Avoid, Member
from storage.upsert import insert_missing


def add(session: Session, member: Member, avoided_user_id: str) -> bool:
    """True when newly added; False when already on their list (or the same click twice at once added it)."""
    return insert_missing(session, Avoid, ["member_id", "avoided_user_id"],
                          {"member_id": member.id, "avoided_user_id": avoided_user_id, "team_id": member.team_id})


def remove(session: Session, member: Member, avoided_user_id: str) -> bool:
    result = session.exec(delete(Avoid).where(Avoid.member_id == member.id, Avoid.avoided_user_id == avoided_user_id))
    return result.rowcount > 0


def listed(session: Session, member: Member) -> list[str]:
    """The Slack IDs on a member's own list, oldest first."""
    return list(
        session.exec(
            select(Avoid.avoided_user_id)
            .where(Avoid.member_id == member.id)
            .order_by(Avoid.created_at, Avoid.avoided_user_id)
        )
    )


def count(session: Session, member: Member) -> int:
    return session.exec(select(func.count()).select_from(Avoid).where(Avoid.member_id == member.id)).one()


def pairs(session: Session, team_id: str) -> list[tuple[int, int]]:
    """(member id, member id) for every avoid where both are members, whoever asked."""
    avoided = Member.__table__.alias("avoided")
    rows = session.exec(
        select(Avoid.member_id, avoided.c.id)
        .join(avoided, (avoided.c.team_id == Avoid.team_id) & (avoided.c.slack_user_id == Avoid.avoided_user_id))
        .where(Avoid.team_id == team_id)
    )
    return [(a, b) for a, b in rows]


def avoided_by_or_avoiding(session: Session, member: Member) -> set[int]:
    """Member ids this member must never be paired with: on their list, or with them on theirs."""
    return {b if a == member.id else a for a, b in pairs(session, member.team_id) if member.id in (a, b)}


def forget(session: Session, member: Member) -> None:
    """A member leaves: their list goes, and so does every mention of them on anyone else's."""
    conditions = [Avoid.member_id == member.id]
    if member.slack_user_id:
        conditions.append((Avoid.team_id == member.team_id) & (Avoid.avoided_user_id == member.slack_user_id))
    session.exec(delete(Avoid).where(or_(*conditions)))
