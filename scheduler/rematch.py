"""Nobody is left hanging: a member whose partner can't be reached gets a fresh match this round,
or goes first next time."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from sqlmodel import Session

from scheduler import avoid, first_move, organisations, reach, sends
from scheduler import prompts as prompt_library
from scheduler.quiet_rounds import awaiting_answer
from scheduler.sends import intro, intro_failed, partner_unreachable, unmatched
from scheduler.sends.base import REFUSED_AS_INVALID
from scheduler.sends.partner_left import rematch_possible
from scheduler.workspace_schedule import load_schedule
from storage import meetings as meeting_store
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.models import EventKind, GroupStatus, Member, MemberStatus, Round


def after_giving_up(session: Session, send: sends.Send, code: str, is_reachable: Callable[[str], bool]) -> None:
    """Slack refused a send for good. An intro's match is looked after here (the rest rematched or told);
    any other kind does what its own `gave_up` says."""
    if not isinstance(send, intro.IntroSend):
        send.gave_up(session, code, is_reachable)
    elif code in REFUSED_AS_INVALID:
        # Our message was at fault, not anyone's account: ask Slack about nobody.
        after_failed_intro(session, send.group_id, lambda _user_id: True)
    else:
        after_failed_intro(session, send.group_id, is_reachable)


def after_failed_intro(session: Session, group_id: int, is_reachable: Callable[[str], bool]) -> None:
    """An intro Slack refused for good: drop whoever can't be reached and look after the rest."""
    group = round_store.get_group(session, group_id)
    round_ = round_store.get_round(session, group.round_id)
    members = [m for m in round_store.group_members(session, group.id) if m.slack_user_id]
    gone = [m for m in members if not is_reachable(m.slack_user_id)]
    stay = [m for m in members if m not in gone]
    for member in gone:
        round_store.remove_from_group(session, group.id, member.id)
        # Slack says they can't be reached (deactivated, say): stop matching them until they resume.
        member_store.set_status(session, member, MemberStatus.paused)
    if gone and len(stay) >= 2:
        sends.queue(session, group.team_id, [intro.IntroSend(
            round_id=round_.id, group_id=group.id, without=tuple(m.id for m in gone))])
        return
    round_store.set_group_fields(session, group, status=GroupStatus.ended.value)
    # The match is lost: organisers see it on App Home (failed_intros), with how many found another.
    meeting_store.add_event(session, group.team_id, group.id, EventKind.intro_failed)
    if not gone:
        # Slack refused for another reason; nobody to blame. Each gets a fresh match while one is still
        # possible (once a round: a second failure may be the same fault), else is told what happened
        # as it is, nobody here "unreachable", and goes first next round.
        for member in members:
            if _one_more_try(session, round_, group, member) and find_new_partner(session, round_, member):
                continue
            member_store.set_priority(session, [member], True)
            sends.queue(session, group.team_id, [intro_failed.IntroFailedSend(
                round_id=round_.id, group_id=group.id, member_id=member.id)])
        return
    for member in stay:
        if find_new_partner(session, round_, member) is None:
            release(session, round_, member)


def _one_more_try(session: Session, round_: Round, group, member: Member) -> bool:
    """A fresh match after a failed intro, while the round has time for one and this was their first match."""
    return rematch_possible(round_) and not round_store.matched_earlier_in_round(session, group, [member.id])


@dataclass(frozen=True)
class FailedIntros:
    """What organisers see of intros Slack wouldn't take in the running round: counts, no names."""

    round_number: int
    intros: int
    people: int
    rematched: int  # of those people, how many have another match going


def failed_intros(session: Session, team_id: str) -> FailedIntros | None:
    round_ = round_store.running_round(session, team_id)
    if round_ is None:
        return None
    intros, people, rematched = round_store.failed_intros(session, round_.id)
    return FailedIntros(round_.number, intros, people, rematched) if intros else None


def _nobody_free_notes(session: Session, round_: Round, member: Member) -> list[str]:
    """The keys of the notes that tell a member there's nobody for them this round."""
    return [partner_unreachable.PartnerUnreachableSend(round_id=round_.id, member_id=member.id).key(),
            unmatched.UnmatchedSend(round_id=round_.id, member_id=member.id, reason="").key(),
            *outbox.keys_for_member(session, round_.id, member.id, intro_failed.IntroFailedSend.kind)]


def _free_for_an_intro(session: Session, round_: Round, member: Member) -> bool:
    """Whether someone free this round can be given a fresh intro now, without two messages that disagree.

    A note saying nobody was free that hasn't gone yet is taken back: the intro is the one message.
    One that has gone is followed by the intro, which says what changed (scheduler.sends.intro's
    fresh_group): better a match after all than a round alone while someone else needs one. One on
    its way, in doubt, is left to land first."""
    notes = _nobody_free_notes(session, round_, member)
    if outbox.withdraw_unsent(session, round_.team_id, notes, "paired instead"):
        return True
    return outbox.none_on_the_way(session, round_.team_id, notes)


def release(session: Session, round_: Round, member: Member) -> None:
    """Their partner can't be reached and nobody else is free: say so kindly, and put them first next round."""
    member_store.set_priority(session, [member], True)
    sends.queue(session, round_.team_id, [partner_unreachable.PartnerUnreachableSend(
        round_id=round_.id, member_id=member.id)])


def find_new_partner(session: Session, round_: Round, member: Member) -> int | None:
    """Pair `member` with someone else still free this round (from another organisation, never met); new group id.

    Someone already in a group that is going on (picked as another's fresh partner a moment ago)
    keeps that one: its id is returned, and nobody is given two partners in one round."""
    # One re-match at a time per round: two people asking at once must not get the same partner.
    round_store.lock_round(session, round_.id)
    current = round_store.live_group_of(session, round_.id, member.id)
    if current is not None:
        return current
    # Free this round: not in a live group, not gone quiet, and not sitting the round out.
    taken = (round_store.members_in_live_groups(session, round_.id)
                   | meeting_store.unavailable_in_round(session, round_.id))
    met = {b if a == member.id else a for a, b in round_store.history_pairs(session, round_.team_id)
           if member.id in (a, b)}
    met |= avoid.never_with(session, member)
    reachable = reach.matchable(session, round_.team_id, load_schedule(session, round_.team_id).includes_guests)
    active = [m for m in member_store.members_with_status(session, round_.team_id, [MemberStatus.active])
              if not awaiting_answer(m) and reachable(m)]
    keys = organisations.colleague_keys({m.id: (m.organisation, m.email_domain) for m in [member, *active]},
                                        member_store.domain_map(session, round_.team_id))
    mine = keys[member.id]
    free = [
        m for m in active
        if m.id != member.id and m.id not in met and m.slack_user_id
        and m.id not in taken
        and keys[m.id] != mine
    ]
    rng = random.Random(f"{round_.seed}:{member.id}")
    # Someone left without a partner goes first, as they would next round.
    free.sort(key=lambda m: (not m.priority, rng.random()))
    partner = next((m for m in free if _free_for_an_intro(session, round_, m)), None)
    if partner is None:
        return None
    library = prompt_library.library_for(session, round_.team_id)
    seen = round_store.prompts_last_seen(session, [member.id, partner.id])
    chosen = prompt_library.choose(library, prompt_library.group_last_seen(seen.values()), rng)
    starter = first_move.choose([member.id, partner.id], round_store.first_moves(session, [member.id, partner.id]), rng)
    group = round_store.add_group(session, round_, [member.id, partner.id], [p.id for p in chosen], starter)
    meeting_store.add_event(session, round_.team_id, group.id, EventKind.fresh_group)  # so its intro says why
    member_store.set_priority(session, [member, partner], False)
    sends.queue(session, round_.team_id, [intro.IntroSend(round_id=round_.id, group_id=group.id)])
    return group.id

