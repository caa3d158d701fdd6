"""At a round's close: who didn't meet counts a quiet round, and two in a row pause them kindly."""

from __future__ import annotations

from sqlmodel import Session

from scheduler import sends
from scheduler.sends.paused_quietly import PausedQuietlySend
from storage import meetings as store
from storage import members as member_store
from storage import rounds as round_store
from storage.models import GroupStatus, Member, MemberStatus, Round

# Rounds in a row without meeting before a member is paused (the paused-quietly message says it too).
QUIET_ROUNDS_BEFORE_PAUSE = 2


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
            if person.quiet_rounds + 1 >= QUIET_ROUNDS_BEFORE_PAUSE and person.status == MemberStatus.active.value:
                member_store.set_status(session, person, MemberStatus.paused)
                member_store.set_quiet_rounds(session, person, 0)
                paused.append(person)
            else:
                member_store.set_quiet_rounds(session, person, person.quiet_rounds + 1)
    member_store.reset_quiet_rounds_except(session, round_.team_id, taking_part)
    if paused:
        sends.queue(session, round_.team_id, [PausedQuietlySend(round_id=round_.id, member_id=m.id) for m in paused])
    return paused
