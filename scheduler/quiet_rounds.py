"""Pausing is for silence, not honesty: only someone who answered nothing at all, two rounds running, is asked.

"Answered" means any click at all on their match (the intro, its reminder, the nudge, a
follow-up): "Couldn't make it" and "Leave it there" are answers, and so is the report of a
partner who went quiet. Someone silent two rounds running gets one message, "Keep me in" or
"Pause for now", and is paused only if a week passes with no answer. Any click resets the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from scheduler import sends
from scheduler.sends.paused_quietly import PausedQuietlySend
from scheduler.sends.still_in import StillInSend
from storage import meetings as meeting_store
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.models import EventKind, GroupStatus, Member, MemberStatus, Round

# Silent rounds in a row before someone is asked whether to stay in (the ask says the number
# too; the count stays there while the ask waits for an answer).
QUIET_ROUNDS_BEFORE_PAUSE = 2
# How long the ask waits for an answer before pausing them.
ANSWER_WITHIN = timedelta(days=7)


def awaiting_answer(member: Member) -> bool:
    """Asked whether to stay in after two silent rounds, and not answered yet: given no new partner meanwhile."""
    return member.quiet_rounds >= QUIET_ROUNDS_BEFORE_PAUSE


def account_for_round(session: Session, round_: Round) -> list[Member]:
    """At close: count a silent round for whoever answered nothing; ask those silent twice running. Returns them.

    Only people who took part count: anyone not in this round (skipping, paused, unmatched)
    starts again from nothing, since "two rounds running" means in a row.
    """
    answered = meeting_store.answered_in_round(session, round_.id)
    taking_part: dict[int, Member] = {}
    for group in round_store.groups_of_round(session, round_.id):
        if group.status == GroupStatus.ended.value and meeting_store.events(session, group.id, EventKind.stepped_out):
            continue  # their partner couldn't make it: nothing was asked of the one left, so no silence to count
        for person in round_store.group_members(session, group.id):
            if person.slack_user_id:
                taking_part[person.id] = person
    asked = []
    for person in taking_part.values():
        if person.id in answered:
            member_store.set_quiet_rounds(session, person, 0)
            continue
        count = person.quiet_rounds + 1
        member_store.set_quiet_rounds(session, person, count)
        if count >= QUIET_ROUNDS_BEFORE_PAUSE and person.status == MemberStatus.active.value:
            asked.append(person)
    member_store.reset_quiet_rounds_except(session, round_.team_id, set(taking_part))
    sends.queue(session, round_.team_id, [StillInSend(round_id=round_.id, member_id=m.id,
                                                      pause_at=now() + ANSWER_WITHIN) for m in asked])
    return asked


def pause_unanswered(session: Session, team_id: str, at: datetime | None = None) -> list[Member]:
    """A week after the ask, with no answer of any kind: paused kindly, and told how to come back."""
    at = at or now()
    paused = []
    for row in outbox.of_kind_since(session, team_id, StillInSend.kind, before=at - ANSWER_WITHIN):
        person = member_store.get_member_by_id(session, row.member_id)
        if person is None or person.status != MemberStatus.active.value or not awaiting_answer(person):
            continue  # they answered (any click resets the count), left, or paused themselves
        member_store.set_status(session, person, MemberStatus.paused)
        member_store.set_quiet_rounds(session, person, 0)
        paused.append(person)
        sends.queue(session, team_id, [PausedQuietlySend(round_id=row.round_id, member_id=person.id)])
    return paused


def keep_in(session: Session, team_id: str, user_id: str) -> bool:
    """"Keep me in" (or "Match me next round"): the count starts again, and a pause for silence is undone."""
    person = member_store.get_member(session, team_id, user_id)
    if person is None or person.slack_user_id is None or person.status == MemberStatus.left.value:
        return False
    member_store.set_quiet_rounds(session, person, 0)
    if person.status == MemberStatus.paused.value and person.paused_until is None:
        member_store.set_status(session, person, MemberStatus.active)
    return True
