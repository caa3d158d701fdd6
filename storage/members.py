"""Queries about workspaces, members, organisers, settings and the organisation domain map."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from storage import avoids
from storage.bulk import one_of
from storage.clock import now
from storage.models import (
    FollowUp,
    Group,
    GroupMember,
    HandledRequest,
    MeetingEvent,
    Member,
    MemberStanding,
    MemberStatus,
    NoRejoin,
    OrganisationDomain,
    Organiser,
    Outbox,
    Setting,
    Workspace,
)
from storage.upsert import insert_missing, insert_or_update


def ensure_workspace(session: Session, team_id: str, name: str = "") -> Workspace:
    # Nearly always known already (every command and join asks): one read then, not an insert and
    # a read. Workspaces are never deleted, so one read here stays there.
    known = session.get(Workspace, team_id)
    if known is not None:
        return known
    insert_missing(session, Workspace, ["team_id"], {"team_id": team_id, "name": name})
    return session.get(Workspace, team_id)


def get_workspace(session: Session, team_id: str) -> Workspace | None:
    return session.get(Workspace, team_id)


def team_ids(session: Session) -> list[str]:
    return list(session.exec(select(Workspace.team_id).order_by(Workspace.team_id)))


def get_member(session: Session, team_id: str, slack_user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
    ).first()


def known_users(session: Session, team_id: str, slack_user_ids: Iterable[str]) -> set[str]:
    """Which of these Slack users are members (of any status) in the workspace: get_member for
    several at once."""
    wanted = list(dict.fromkeys(slack_user_ids))
    if not wanted:
        return set()
    return set(session.exec(select(Member.slack_user_id).where(Member.team_id == team_id,
                                                               Member.slack_user_id.in_(wanted))))


def get_member_by_id(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def lock_member(session: Session, member_id: int) -> None:
    """Hold the member's row until commit, so a change to their details (which updates the row)
    and whatever reads those details after a send lands either see each other or run one after the
    other. SQLite's writers already wait their turn."""
    session.exec(select(Member.id).where(Member.id == member_id).with_for_update(key_share=True)).first()


def upsert_member(session: Session, team_id: str, slack_user_id: str, **fields: Any) -> tuple[Member, bool]:
    """Create or update a member; returns (member, created). Joining again never duplicates.

    Two joins at once (a double-submitted modal) both land: the database's unique key picks
    which one creates the row, and the other updates it.
    """
    created = insert_missing(session, Member, ["team_id", "slack_user_id"],
                             {"team_id": team_id, "slack_user_id": slack_user_id, **fields})
    if not created:
        session.exec(
            update(Member)
            .where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
            .values(**fields, updated_at=now())
        )
    member = session.exec(
        select(Member)
        .where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
        .execution_options(populate_existing=True)
    ).one()
    return member, created


def set_status(session: Session, member: Member, status: MemberStatus) -> None:
    member.status = status.value
    member.updated_at = now()
    session.add(member)
    session.flush()


def set_usually_free(session: Session, member: Member, usually_free: str | None) -> None:
    member.usually_free = usually_free
    member.updated_at = now()
    session.add(member)
    session.flush()


def set_paused_until(session: Session, member: Member, until: datetime | None) -> None:
    member.paused_until = until
    member.updated_at = now()
    session.add(member)
    session.flush()


def paused_until_due(session: Session, team_id: str, at: datetime) -> list[Member]:
    return list(session.exec(
        select(Member).where(Member.team_id == team_id, Member.status == MemberStatus.paused.value,
                             Member.paused_until.is_not(None), Member.paused_until <= at).order_by(Member.id)
    ))


def set_priority(session: Session, members: Iterable[Member], priority: bool) -> None:
    """Put members first in line for the next round (or take them out of the front)."""
    # Only those whose place changes: a round of 10,000 would otherwise rewrite every row.
    changing = [m for m in members if m.priority != priority]
    if not changing:
        return
    session.flush()  # so every one has its id, and no change of theirs waits unwritten
    at = now()
    # One UPDATE per few thousand rather than one per member (SQLite binds at most 32,766 values).
    for start in range(0, len(changing), 5000):
        ids = [m.id for m in changing[start:start + 5000]]
        session.exec(update(Member).where(one_of(session, Member.id, ids))
                     .values(priority=priority, updated_at=at).execution_options(synchronize_session=False))
    for member in changing:
        # The loaded copies say what the rows now say, without being written a second time.
        set_committed_value(member, "priority", priority)
        set_committed_value(member, "updated_at", at)


def set_slack_standings(session: Session, team_id: str, standings: dict[int, str]) -> None:
    """Record what Slack said of each member (member id -> SlackStanding), in place of what it said before."""
    ids = list(standings)
    for start in range(0, len(ids), 5000):
        session.exec(delete(MemberStanding).where(one_of(session, MemberStanding.member_id, ids[start:start + 5000])))
    at = now()
    if ids:
        session.exec(insert(MemberStanding), params=[
            {"member_id": i, "team_id": team_id, "standing": standings[i], "checked_at": at} for i in ids])


def slack_standings(session: Session, team_id: str) -> dict[int, str]:
    """Member id -> what Slack said of them when a round was last matched (no entry: never asked)."""
    return dict(session.exec(select(MemberStanding.member_id, MemberStanding.standing)
                             .where(MemberStanding.team_id == team_id)).all())


def set_email_domain(session: Session, member: Member, domain: str) -> None:
    member.email_domain = domain[:255]
    member.updated_at = now()
    session.add(member)
    session.flush()


def set_quiet_rounds(session: Session, member: Member, count: int) -> None:
    member.quiet_rounds = count
    member.updated_at = now()
    session.add(member)
    session.flush()


def reset_quiet_rounds_except(session: Session, team_id: str, member_ids: set[int]) -> None:
    """Members who sat a round out (or weren't matched) start their count again: 'running' means in a row."""
    query = update(Member).where(Member.team_id == team_id, Member.quiet_rounds > 0)
    if member_ids:
        query = query.where(Member.id.not_in(list(member_ids)))
    session.exec(query.values(quiet_rounds=0))


def forget_member(session: Session, member: Member) -> None:
    """Delete a member's personal data and answers, keeping an anonymous row for counts.

    Afterwards nothing ties a row to the person: not their Slack ID, nor the IDs of the
    conversations they were in (with the bot token, a DM or group DM's ID says who was in
    it and everything said there), nor their place on an organiser list.
    """
    session.exec(delete(FollowUp).where(FollowUp.member_id == member.id))
    groups = select(GroupMember.group_id).where(GroupMember.member_id == member.id)
    session.exec(update(Group).where(Group.id.in_(groups)).values(channel_id=None, intro_ts=None))
    session.exec(
        update(Outbox)
        .where(or_(Outbox.member_id == member.id, Outbox.group_id.in_(groups)))
        .values(channel_id=None, ts=None, error=None)
    )
    if member.slack_user_id:
        who = member.slack_user_id
        session.exec(delete(Organiser).where(Organiser.team_id == member.team_id, Organiser.slack_user_id == who))
        session.exec(
            update(Organiser)
            .where(Organiser.team_id == member.team_id, Organiser.added_by == who)
            .values(added_by=None)
        )
    # The commit is followed by a WAL checkpoint on SQLite, so deleted text leaves the files too.
    bind = session.get_bind()
    session.info["erased"] = getattr(bind, "engine", bind)
    # Their "don't pair me with" list, and their place on anyone else's.
    avoids.forget(session, member)
    session.exec(delete(MemberStanding).where(MemberStanding.member_id == member.id))
    # Notes they wrote (a reschedule message, say) are their words too, and the times they named go with them.
    session.exec(update(MeetingEvent).where(MeetingEvent.member_id == member.id).values(note="", meeting_at=None))
    member.slack_user_id = None
    member.organisation = ""
    member.organisation_key = ""
    member.role = ""
    member.talk_about = ""
    member.could_share = ""
    member.timezone = None
    member.email_domain = None
    member.name = None
    member.usually_free = None
    member.paused_until = None
    member.priority = False
    member.status = MemberStatus.left.value
    member.left_at = now()
    member.updated_at = member.left_at
    session.add(member)
    session.flush()


def members_with_status(session: Session, team_id: str, statuses: Iterable[MemberStatus]) -> list[Member]:
    wanted = [s.value for s in statuses]
    return list(
        session.exec(
            select(Member)
            .where(Member.team_id == team_id, Member.status.in_(wanted))
            .order_by(Member.id)
        )
    )


def count_by_status(session: Session, team_id: str) -> dict[str, int]:
    rows = session.exec(
        select(Member.status, func.count()).where(Member.team_id == team_id).group_by(Member.status)
    )
    counts = {status.value: 0 for status in MemberStatus}
    counts.update({status: n for status, n in rows})
    return counts


def end_skips(session: Session, team_id: str) -> int:
    """Members who skipped a round are back for the one after."""
    result = session.exec(
        update(Member)
        .where(Member.team_id == team_id, Member.status == MemberStatus.skipping.value)
        .values(status=MemberStatus.active.value, updated_at=now())
        # Loaded copies are brought up to date by the ids the UPDATE returns, rather than by
        # testing the condition against every member the session holds (10,000 at an opening).
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


# Organisers -------------------------------------------------------------------------


def is_listed_organiser(session: Session, team_id: str, slack_user_id: str) -> bool:
    return session.get(Organiser, (team_id, slack_user_id)) is not None


def list_organisers(session: Session, team_id: str) -> list[str]:
    return list(
        session.exec(
            select(Organiser.slack_user_id).where(Organiser.team_id == team_id).order_by(Organiser.added_at)
        )
    )


def add_organiser(session: Session, team_id: str, slack_user_id: str, added_by: str | None) -> bool:
    return insert_missing(session, Organiser, ["team_id", "slack_user_id"],
                          {"team_id": team_id, "slack_user_id": slack_user_id, "added_by": added_by})


def remove_organiser(session: Session, team_id: str, slack_user_id: str) -> bool:
    result = session.exec(
        delete(Organiser).where(Organiser.team_id == team_id, Organiser.slack_user_id == slack_user_id)
    )
    return result.rowcount > 0


# Removed by an organiser, not to rejoin ------------------------------------------


def keep_from_rejoining(session: Session, team_id: str, slack_user_id: str, removed_by: str | None) -> None:
    insert_or_update(session, NoRejoin, ["team_id", "slack_user_id"],
                     {"team_id": team_id, "slack_user_id": slack_user_id, "removed_by": removed_by},
                     update=["removed_by"])


def kept_from_rejoining(session: Session, team_id: str, slack_user_id: str) -> NoRejoin | None:
    return session.get(NoRejoin, (team_id, slack_user_id))


def allow_rejoining(session: Session, team_id: str, slack_user_id: str) -> bool:
    result = session.exec(delete(NoRejoin).where(NoRejoin.team_id == team_id, NoRejoin.slack_user_id == slack_user_id))
    return result.rowcount > 0


# Settings ---------------------------------------------------------------------------


def get_setting(session: Session, team_id: str, key: str, default: Any = None) -> Any:
    row = session.get(Setting, (team_id, key))
    return default if row is None else json.loads(row.value)


def put_setting(session: Session, team_id: str, key: str, value: Any) -> None:
    insert_or_update(session, Setting, ["team_id", "key"],
                     {"team_id": team_id, "key": key, "value": json.dumps(value), "updated_at": now()},
                     update=["value", "updated_at"])


def delete_setting(session: Session, team_id: str, key: str) -> None:
    session.exec(delete(Setting).where(Setting.team_id == team_id, Setting.key == key))


# The organisation domain map ----------------------------------------------------------


def organisation_for_domain(session: Session, team_id: str, domain: str) -> str | None:
    row = session.get(OrganisationDomain, (team_id, domain.lower()))
    return row.organisation if row else None


def set_domain(session: Session, team_id: str, domain: str, organisation: str) -> None:
    insert_or_update(session, OrganisationDomain, ["team_id", "domain"],
                     {"team_id": team_id, "domain": domain.lower(), "organisation": organisation},
                     update=["organisation"])


def remove_domain(session: Session, team_id: str, domain: str) -> bool:
    result = session.exec(
        delete(OrganisationDomain).where(
            OrganisationDomain.team_id == team_id, OrganisationDomain.domain == domain.lower()
        )
    )
    return result.rowcount > 0


def domain_map(session: Session, team_id: str) -> dict[str, str]:
    rows = session.exec(
        select(OrganisationDomain).where(OrganisationDomain.team_id == team_id).order_by(OrganisationDomain.domain)
    )
    return {row.domain: row.organisation for row in rows}


# Handled requests (Slack retries, double clicks) ---------------------------------------


def claim_request(session: Session, team_id: str, key: str) -> bool:
    """True the first time a key is seen; False for a retry or a double click."""
    return insert_missing(session, HandledRequest, ["key"], {"key": key, "team_id": team_id})
