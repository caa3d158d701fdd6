"""Queries about rounds, their groups and who was matched with whom."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from storage.bulk import insert_rows, insert_rows_returning_ids, one_of
from storage.clock import now
from storage.models import EventKind, Group, GroupMember, GroupStatus, MeetingEvent, Member, Round, RoundState


def current_group_for(session: Session, member_id: int) -> tuple[int, list[str]] | None:
    """(round number, partners' Slack IDs) of the member's group in a round still running."""
    row = session.exec(
        select(Round.number, Group.id)
        .join(Group, Group.round_id == Round.id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.member_id == member_id,
               # Matched ahead of its opening: nobody sees their partner before the intro says who.
               Round.state.not_in([RoundState.closed.value, RoundState.matched.value]),
               Group.status != GroupStatus.ended.value)  # a match that moved on is no longer theirs to show
        .order_by(Round.number.desc(), Group.id.desc())
    ).first()
    if row is None:
        return None
    number, group_id = row
    partners = session.exec(
        select(Member.slack_user_id)
        .join(GroupMember, GroupMember.member_id == Member.id)
        .where(GroupMember.group_id == group_id, Member.id != member_id, Member.slack_user_id.is_not(None))
        .order_by(Member.id)
    )
    return number, list(partners)


def current_meeting_at(session: Session, member_id: int) -> datetime | None:
    """When the member's chat this round is, once it's scheduled (for their status and App Home)."""
    return session.exec(
        select(Group.meeting_at)
        .join(Round, Group.round_id == Round.id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.member_id == member_id, Group.status == GroupStatus.scheduled.value,
               Round.state.not_in([RoundState.closed.value, RoundState.matched.value]))
        .order_by(Round.number.desc(), Group.id.desc())
    ).first()


def past_partners(session: Session, member_id: int, limit: int = 6) -> list[tuple[int, list[str]]]:
    """(round number, partners' Slack IDs) of the member's earlier groups, newest first."""
    a, b = aliased(GroupMember), aliased(GroupMember)
    rows = session.exec(
        select(Round.number, Group.id, Member.slack_user_id)
        .join(Group, Group.round_id == Round.id)
        .join(a, a.group_id == Group.id)
        .join(b, (b.group_id == Group.id) & (b.member_id != a.member_id))
        .join(Member, Member.id == b.member_id)
        .where(a.member_id == member_id, Round.state == RoundState.closed.value,
               Group.status != GroupStatus.ended.value, Member.slack_user_id.is_not(None))
        .order_by(Round.number.desc(), Group.id.desc(), Member.id)
    )
    by_group: dict[int, tuple[int, list[str]]] = {}
    for number, group_id, user_id in rows:
        by_group.setdefault(group_id, (number, []))[1].append(user_id)
    return list(by_group.values())[:limit]


def running_round(session: Session, team_id: str) -> Round | None:
    return session.exec(
        select(Round)
        .where(Round.team_id == team_id, Round.state != RoundState.closed.value)
        .order_by(Round.number.desc())
    ).first()


def round_for_period(session: Session, team_id: str, period: str) -> Round | None:
    return session.exec(select(Round).where(Round.team_id == team_id, Round.period == period)).first()


def periods_used(session: Session, team_id: str) -> set[str]:
    """Every period a round has taken, open or closed (each period has one round at most)."""
    return set(session.exec(select(Round.period).where(Round.team_id == team_id)))


def latest_opening(session: Session, team_id: str):
    """When the workspace's latest round opened (or opens, matched ahead); None before its first."""
    # max() keeps the column's type, so the answer comes back an aware UTC time like the column's.
    return session.exec(select(func.max(Round.opens_at)).where(Round.team_id == team_id)).first()




def lock_round(session: Session, round_id: int) -> None:
    """Hold the round's row until commit (SQLite's BEGIN IMMEDIATE already serialises).

    FOR NO KEY UPDATE, not FOR UPDATE: rows inserted earlier in the transaction that refer
    to the round (outbox, groups) hold KEY SHARE locks on it, which FOR UPDATE would wait on
    from both sides at once (a deadlock); NO KEY UPDATE only waits for another NO KEY UPDATE.
    """
    session.exec(select(Round.id).where(Round.id == round_id).with_for_update(key_share=True)).first()


def lock_group(session: Session, group_id: int) -> None:
    """Hold the group's row until commit, so whatever else touches the group (its members' follow-up
    answers, a reschedule request and its notice landing) waits for us or we for it, and each reads
    what the other wrote. SQLite's writers already wait their turn.

    FOR NO KEY UPDATE, as for lock_round: answers and events inserted earlier in the
    transaction hold KEY SHARE locks on the group, which this does not wait on.
    """
    session.exec(select(Group.id).where(Group.id == group_id).with_for_update(key_share=True)).first()


def get_round(session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def create_round(session: Session, **fields) -> Round | None:
    """Insert the round for a period; None when another process already has (the unique keys decide)."""
    number = (session.exec(select(func.max(Round.number)).where(Round.team_id == fields["team_id"])).one() or 0) + 1
    round_ = Round(number=number, **fields)
    try:
        with session.begin_nested():
            session.add(round_)
    except IntegrityError:
        return None
    return round_


def claim_phase(session: Session, round_id: int, from_states: Iterable[RoundState], to_state: RoundState,
                stamp: str) -> bool:
    """Move a round on to a phase; True only for the one process whose update changed the row.

    One conditional update, so of two processes claiming at once exactly one succeeds. A
    phase passed over (by hand, say) keeps its stamp empty: that is the record it was skipped.
    """
    result = session.exec(
        update(Round)
        .where(Round.id == round_id, Round.state.in_([state.value for state in from_states]))
        .values(state=to_state.value, **{stamp: now()})
    )
    return result.rowcount == 1


def close_unopened(session: Session, round_id: int) -> bool:
    """A round matched ahead and never opened (found too late) ends without a word; its groups never
    met, so their memberships go too, and nobody counts as having been paired."""
    if not claim_phase(session, round_id, [RoundState.matched], RoundState.closed, "closed_at"):
        return False
    groups = select(Group.id).where(Group.round_id == round_id)
    session.exec(delete(GroupMember).where(GroupMember.group_id.in_(groups)))
    session.exec(update(Group).where(Group.round_id == round_id)
                 .values(status=GroupStatus.ended.value, updated_at=now()))
    return True


def members_in_round(session: Session, round_id: int) -> set[int]:
    """Everyone in any of a round's groups, going on or ended."""
    return set(session.exec(
        select(GroupMember.member_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.round_id == round_id)
    ))


def live_group_of(session: Session, round_id: int, member_id: int) -> int | None:
    """The member's group in this round that is still going, if any."""
    return session.exec(
        select(Group.id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.round_id == round_id, GroupMember.member_id == member_id,
               Group.status != GroupStatus.ended.value)
    ).first()


def matched_earlier_in_round(session: Session, group: Group, member_ids: list[int]) -> set[int]:
    """Of these members of a group, those who had another match in its round before it: still in an
    earlier group of the round, or stepped out of one."""
    earlier = select(Group.id).where(Group.round_id == group.round_id, Group.id < group.id)
    in_one = session.exec(select(GroupMember.member_id).where(
        GroupMember.group_id.in_(earlier), GroupMember.member_id.in_(member_ids)))
    stepped_out = session.exec(select(MeetingEvent.member_id).where(
        MeetingEvent.group_id.in_(earlier), MeetingEvent.kind == EventKind.stepped_out.value,
        MeetingEvent.member_id.in_(member_ids)))
    return set(in_one) | set(stepped_out)


def failed_intros(session: Session, round_id: int) -> tuple[int, int, int]:
    """(matches of the round that ended because Slack wouldn't take their intro, the people still named
    in them, how many of those have another match going this round)."""
    failed = set(session.exec(select(MeetingEvent.group_id).join(Group, Group.id == MeetingEvent.group_id)
                              .where(Group.round_id == round_id,
                                     MeetingEvent.kind == EventKind.intro_failed.value)))
    if not failed:
        return 0, 0, 0
    people = set(session.exec(select(GroupMember.member_id).where(GroupMember.group_id.in_(failed))))
    going = set(session.exec(select(GroupMember.member_id).join(Group, Group.id == GroupMember.group_id)
                             .where(Group.round_id == round_id, Group.id.not_in(failed),
                                    Group.status != GroupStatus.ended.value,
                                    GroupMember.member_id.in_(people)))) if people else set()
    return len(failed), len(people), len(going)


def history_pairs(session: Session, team_id: str) -> list[tuple[int, int]]:
    """Every pair of members who were ever in a group together (a trio gives three pairs)."""
    a, b = aliased(GroupMember), aliased(GroupMember)
    rows = session.exec(
        select(a.member_id, b.member_id)
        .join(b, (a.group_id == b.group_id) & (a.member_id < b.member_id))
        .where(a.team_id == team_id)
    )
    pairs = [(x, y) for x, y in rows]
    # Someone out of a trio (scheduler.meetings) is out of the group, but was introduced to the rest.
    stepped_out = session.exec(
        select(MeetingEvent.member_id, GroupMember.member_id)
        .join(GroupMember, GroupMember.group_id == MeetingEvent.group_id)
        .where(MeetingEvent.team_id == team_id, MeetingEvent.kind == EventKind.stepped_out.value,
               MeetingEvent.member_id.is_not(None), MeetingEvent.member_id != GroupMember.member_id)
    )
    return pairs + [(min(x, y), max(x, y)) for x, y in stepped_out]


def add_group(session: Session, round_: Round, member_ids: Iterable[int], prompts: list[str],
              first_mover_id: int | None = None) -> Group:
    member_ids = list(member_ids)
    # The organisers' cross-organisation rate is read from this flag, so it is written here,
    # from the organisation keys the members carry, whatever made the group (a round, a
    # trio, a fresh match): no two members may share one.
    keys = session.exec(select(Member.organisation_key, Member.organisation).where(Member.id.in_(member_ids))).all()
    cross = len({key or name for key, name in keys}) == len(member_ids)
    group = Group(team_id=round_.team_id, round_id=round_.id, prompts=json.dumps(prompts),
                  first_mover_id=first_mover_id, cross_organisation=cross)
    session.add(group)
    session.flush()
    for member_id in member_ids:
        session.add(GroupMember(group_id=group.id, member_id=member_id, team_id=round_.team_id))
    session.flush()
    return group


def add_groups(session: Session, round_: Round, groups: list[tuple[list[int], list[str], int | None]]) -> list[int]:
    """A round's groups (members, prompts, who moves first) in a few statements, not three per group:
    opening 5,000 groups one by one is 15,000 round trips. Returns the new groups' ids, in order."""
    everyone = [member_id for member_ids, _, _ in groups for member_id in member_ids]
    keys: dict[int, str] = {}
    for start in range(0, len(everyone), 5000):
        chunk = everyone[start:start + 5000]
        for member_id, key, name in session.exec(
                select(Member.id, Member.organisation_key, Member.organisation)
                .where(one_of(session, Member.id, chunk))):
            keys[member_id] = key or name
    # The model's defaults (status, timestamps) once, rather than a validated model per group.
    base = Group(team_id=round_.team_id, round_id=round_.id).model_dump(exclude={"id"})
    rows = []
    for member_ids, prompts, first_mover_id in groups:
        # As add_group: the cross-organisation flag comes from the members' organisation keys.
        cross = len({keys.get(m) for m in member_ids}) == len(member_ids)
        rows.append({**base, "prompts": json.dumps(prompts), "first_mover_id": first_mover_id,
                     "cross_organisation": cross})
    ids = insert_rows_returning_ids(session, Group, rows)
    insert_rows(session, GroupMember, [{"group_id": group_id, "member_id": member_id, "team_id": round_.team_id}
                                       for group_id, (member_ids, _, _) in zip(ids, groups)
                                       for member_id in member_ids])
    return ids


def group_members(session: Session, group_id: int) -> list[Member]:
    return list(
        session.exec(
            select(Member)
            .join(GroupMember, GroupMember.member_id == Member.id)
            .where(GroupMember.group_id == group_id)
            .order_by(Member.id)
        )
    )


def remove_from_group(session: Session, group_id: int, member_id: int) -> None:
    row = session.get(GroupMember, (group_id, member_id))
    if row is not None:
        session.delete(row)
        session.flush()


def members_in_live_groups(session: Session, round_id: int) -> set[int]:
    """Members of a round's groups that are still going (not ended)."""
    return set(
        session.exec(
            select(GroupMember.member_id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.round_id == round_id, Group.status != GroupStatus.ended.value)
        )
    )


def groups_of_round(session: Session, round_id: int) -> list[Group]:
    return list(session.exec(select(Group).where(Group.round_id == round_id).order_by(Group.id)))


def get_group(session: Session, group_id: int) -> Group | None:
    return session.get(Group, group_id)


def set_group_fields(session: Session, group: Group, **fields) -> None:
    for name, value in fields.items():
        setattr(group, name, value)
    group.updated_at = now()
    session.add(group)
    session.flush()


def set_suggested_times(session: Session, group: Group, times_json: str, was: str | None = None) -> None:
    """Set a group's suggested times if they are still `was` (none yet, by default): whoever sets
    them first wins, and everyone reads those."""
    still = Group.suggested_times.is_(None) if was is None else Group.suggested_times == was
    session.exec(update(Group).where(Group.id == group.id, still).values(suggested_times=times_json))
    session.refresh(group)


def hold_group(session: Session, group: Group, allowed_from) -> bool:
    """Take the group's row for this transaction, if it is still in one of `allowed_from`.

    A conditional update: on PostgreSQL a second click on the same group waits here until the
    first commits, then reads what it wrote (on SQLite every writer already waits its turn). So
    two people agreeing at the same moment each see the other's choice, and it is scheduled once.
    """
    result = session.exec(update(Group).where(Group.id == group.id,
                                              Group.status.in_(list(allowed_from)))
                          .values(updated_at=now()))
    session.refresh(group)
    return result.rowcount == 1


def transition_group(session: Session, group: Group, to_status: str, allowed_from, **fields) -> bool:
    """Move a group to `to_status` only from one of `allowed_from`; True for the one caller whose update did it.

    Two clicks at the same moment both read the old status; only one of their updates matches.
    """
    result = session.exec(
        update(Group)
        .where(Group.id == group.id, Group.status.in_(list(allowed_from)))
        .values(status=to_status, updated_at=now(), **fields)
    )
    session.refresh(group)
    return result.rowcount == 1


def first_moves(session: Session, member_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """For each member, (how many times they made the first move, the latest group where they did; -1 for never)."""
    ids = list(member_ids)
    moves = {member_id: (0, -1) for member_id in ids}
    if not ids:
        return moves
    rows = session.exec(
        select(Group.first_mover_id, func.count(), func.max(Group.id))
        .where(one_of(session, Group.first_mover_id, ids)).group_by(Group.first_mover_id)
    )
    for member_id, count, latest in rows:
        moves[member_id] = (count, latest)
    return moves


def prompts_last_seen(session: Session, member_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For each member, the prompts they have been given and when they last had each.

    "When" is the group's id: groups are numbered in the order they are made, so a bigger
    id is a later intro, without trusting two clocks to agree.
    """
    ids = list(member_ids)
    seen: dict[int, dict[str, int]] = {member_id: {} for member_id in ids}
    if not ids:
        return seen
    rows = session.exec(
        select(GroupMember.member_id, Group.id, Group.prompts)
        .join(Group, Group.id == GroupMember.group_id)
        .where(one_of(session, GroupMember.member_id, ids))
    )
    for member_id, group_id, prompts in rows:
        mine = seen[member_id]
        for prompt_id in json.loads(prompts or "[]"):
            mine[prompt_id] = max(group_id, mine.get(prompt_id, group_id))
    return seen


def running_groups_of(session: Session, member_id: int) -> list[Group]:
    """The member's groups in rounds not yet closed."""
    return list(
        session.exec(
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Round, Round.id == Group.round_id)
            .where(GroupMember.member_id == member_id, Round.state != RoundState.closed.value)
            .order_by(Group.id)
        )
    )
