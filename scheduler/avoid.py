"""Don't pair me with: a member's private list of people they are never matched with, either way round.

Nobody but the member ever sees their list, the person on it included: nothing here is
shown to organisers, in previews or in anyone else's messages.
"""

from __future__ import annotations

from enum import Enum

from sqlmodel import Session

from storage import avoids as avoid_store
from storage import members as member_store
from storage.models import MemberStatus

# Enough for anyone's real reasons, small enough that nobody can opt out of the whole network by list.
LIST_MAX = 50


class AvoidChange(Enum):
    done = "done"
    already = "already"
    yourself = "yourself"
    full = "full"
    not_member = "not_member"


def _member(session: Session, team_id: str, user_id: str):
    member = member_store.get_member(session, team_id, user_id)
    return None if member is None or member.status == MemberStatus.left.value else member


def avoid(session: Session, team_id: str, user_id: str, avoided_user_id: str) -> AvoidChange:
    member = _member(session, team_id, user_id)
    if member is None:
        return AvoidChange.not_member
    if avoided_user_id == user_id:
        return AvoidChange.yourself
    if avoided_user_id in avoid_store.listed(session, member):
        return AvoidChange.already
    if avoid_store.count(session, member) >= LIST_MAX:
        return AvoidChange.full
    return AvoidChange.done if avoid_store.add(session, member, avoided_user_id) else AvoidChange.already


def unavoid(session: Session, team_id: str, user_id: str, avoided_user_id: str) -> AvoidChange:
    member = _member(session, team_id, user_id)
    if member is None:
        return AvoidChange.not_member
    return AvoidChange.done if avoid_store.remove(session, member, avoided_user_id) else AvoidChange.already


def replace_list(session: Session, team_id: str, user_id: str, chosen: list[str]) -> AvoidChange:
    """The whole list at once (App Home's people picker): yourself left out, at most LIST_MAX kept."""
    member = _member(session, team_id, user_id)
    if member is None:
        return AvoidChange.not_member
    wanted = list(dict.fromkeys(u for u in chosen if u != user_id))[:LIST_MAX]
    current = avoid_store.listed(session, member)
    for gone in set(current) - set(wanted):
        avoid_store.remove(session, member, gone)
    for new in wanted:
        if new not in current:
            avoid_store.add(session, member, new)
    return AvoidChange.done


def listed(session: Session, team_id: str, user_id: str) -> list[str]:
    """The member's own list (Slack IDs); empty for anyone not a member."""
    member = _member(session, team_id, user_id)
    return avoid_store.listed(session, member) if member else []


def pairs(session: Session, team_id: str) -> list[tuple[int, int]]:
    """Every pair of members who must never be matched, as member ids, for the matcher."""
    return avoid_store.pairs(session, team_id)


def never_with(session: Session, member) -> set[int]:
    """Member ids this member can't be matched with: on their list, or with them on theirs."""
    return avoid_store.avoided_by_or_avoiding(session, member)
