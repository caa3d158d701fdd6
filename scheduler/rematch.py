"""Nobody is left hanging: a member whose partner can't be reached gets a fresh match this round,
or goes first next time."""

from __future__ import annotations

import random
from typing import Callable

from sqlmodel import Session

from scheduler import avoid, first_move, organisations, reach, sends
from scheduler import prompts as prompt_library
from scheduler.quiet_rounds import awaiting_answer
from scheduler.sends import intro, intro_failed, partner_unreachable, unmatched
from scheduler.sends.base import REFUSED_AS_INVALID
from scheduler.workspace_schedule import load_schedule
from storage import meetings as meeting_store
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.models import GroupStatus, Member, MemberStatus, Round


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
    if not gone:
        # Slack refused for another reason; nobody to blame, so give everyone another chance,
        # and say what happened as it is: nobody here is "unreachable".
        round_store.set_group_fields(session, group, status=GroupStatus.ended.value)
        for member in members:
            member_store.set_priority(session, [member], True)
            sends.queue(session, group.team_id, [intro_failed.IntroFailedSend(
                round_id=round_.id, group_id=group.id, member_id=member.id)])
        return
    if len(stay) >= 2:
        sends.queue(session, group.team_id, [intro.IntroSend(
            round_id=round_.id, group_id=group.id, without=tuple(m.id for m in gone))])
        return
    round_store.set_group_fields(session, group, status=GroupStatus.ended.value)
    for member in stay:
        if find_new_partner(session, round_, member) is None:
            release(session, round_, member)


def _nobody_free_notes(round_: Round, member: Member) -> list[str]:
    """The keys of the notes that tell a member there's nobody for them this round."""
    return [partner_unreachable.PartnerUnreachableSend(round_id=round_.id, member_id=member.id).key(),
            unmatched.UnmatchedSend(round_id=round_.id, member_id=member.id, reason="").key()]


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
    reachable = reach.matchable(session, round_.team_id, load_schedule(session, round_.team_id).guests == "include")
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
    # One told already that nobody was free this round keeps that word, never a fresh intro after it;
    # one whose note hasn't gone yet gets the intro instead of it. Either way, one message.
    partner = next((m for m in free if outbox.withdraw_unsent(session, round_.team_id, _nobody_free_notes(
        round_, m), "paired instead")), None)
    if partner is None:
        return None
    library = prompt_library.library_for(session, round_.team_id)
    seen = round_store.prompts_last_seen(session, [member.id, partner.id])
    chosen = prompt_library.choose(library, prompt_library.group_last_seen(seen.values()), rng)
    starter = first_move.choose([member.id, partner.id], round_store.first_moves(session, [member.id, partner.id]), rng)
    group = round_store.add_group(session, round_, [member.id, partner.id], [p.id for p in chosen], starter)
    member_store.set_priority(session, [member, partner], False)
    sends.queue(session, round_.team_id, [intro.IntroSend(round_id=round_.id, group_id=group.id)])
    return group.id

