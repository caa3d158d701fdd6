"""Someone leaves (or is removed) mid-round: whoever they were matched with is looked after at once.

Nobody is left in a group with a gap in it. A pair's match ends, and the one left is told it
was nothing they did, with a fresh match this round or first place next round. A trio's two
carry on as a pair, introduced again in a conversation of their own (the old group DM still
holds the one who left). The old intro is edited to say the match ended.

The edit is made by the caller straight after the erasure commits, not queued: a queued edit
would have to keep the old conversation's ID, and after erasure nothing may tie a row to the
person who left (a group DM's ID says who was in it). If the process dies in between, the old
intro is simply left as it was; the one left is still told, through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from scheduler import meetings, rematch, sends
from scheduler.meetings import Outcome, Result
from scheduler.sends.intro import IntroSend
from scheduler.sends.partner_left import GroupEnded, PartnerLeftSend, rematch_possible
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.models import EventKind, GroupStatus, Member, RoundState


@dataclass
class Departure:
    """What leaving set off: sends queued (keys, to deliver at once) and intro edits to make now."""

    keys: list[str] = field(default_factory=list)
    edits: list[tuple[str, str, GroupEnded]] = field(default_factory=list)  # (channel, ts, what it says)


def before_leaving(session: Session, member: Member) -> Departure:
    """Run just before the member's data is erased: look after everyone in their running groups."""
    departure = Departure()
    for group in round_store.running_groups_of(session, member.id):
        if group.status in (GroupStatus.ended.value, GroupStatus.met.value):
            continue  # nothing waits on them: the match had moved on, or they've had their hour
        round_ = round_store.get_round(session, group.round_id)
        if round_.state == RoundState.matched.value:
            continue  # not yet open, nobody told: the opening takes them out and looks after the partner
        staying = [m for m in round_store.group_members(session, group.id) if m.id != member.id and m.slack_user_id]
        # No member_id: after erasure nothing should tie the group to the person.
        meeting_store.add_event(session, group.team_id, group.id, EventKind.partner_left)
        if group.intro_ts and group.channel_id:
            departure.edits.append((group.channel_id, group.intro_ts,
                                    GroupEnded(round_.number, tuple(m.slack_user_id for m in staying))))
        if len(staying) >= 2:
            # Erasure lets go of the old conversation; the intro goes again, to a new one without them.
            queued = [IntroSend(round_id=round_.id, group_id=group.id, without=(member.id,))]
        else:
            round_store.set_group_fields(session, group, status=GroupStatus.ended.value)
            # First in line next round, and free to be someone else's fresh match this round.
            member_store.set_priority(session, staying, True)
            queued = [PartnerLeftSend(round_id=round_.id, group_id=group.id, member_id=m.id) for m in staying]
        sends.queue(session, group.team_id, queued)
        departure.keys += [send.key() for send in queued]
    return departure


def step_out_of_this_round(session: Session, member: Member) -> Result | None:
    """Someone pausing mid-round is out of this round's match too, exactly as "I can't make this
    round" takes them out: the others are told kindly and looked after, and nobody waits on them.

    The step-out's Result (its sends to deliver now, who was told), or None when no running match
    waits on them (none, not open yet, already ended, or they've had their hour)."""
    for group in round_store.running_groups_of(session, member.id):
        round_ = round_store.get_round(session, group.round_id)
        if round_.state == RoundState.matched.value or group.status in (GroupStatus.ended.value,
                                                                          GroupStatus.met.value):
            continue
        result = meetings.step_out(session, member.team_id, member.slack_user_id, group.id)
        if result.outcome is Outcome.done:
            return result
    return None


def after_partner_left(session: Session, team_id: str, user_id: str, group_id: int | None, *,
                       rematch_now: bool):
    """The one left chose: a fresh match this round, or wait and go first next round.

    A Result from scheduler.meetings: done (with new_group_id when someone was found), already
    (they chose before), not_yours, round_ended, or done with too_late_to_rematch.
    """
    member = member_store.get_member(session, team_id, user_id)
    group = round_store.get_group(session, group_id) if group_id is not None else None
    if member is None or group is None or group.team_id != team_id or \
            member.id not in {m.id for m in round_store.group_members(session, group.id)}:
        return Result(Outcome.not_yours)
    member_store.set_quiet_rounds(session, member, 0)  # a click is an answer
    round_ = round_store.get_round(session, group.round_id)
    if not rematch_possible(round_):
        outcome = Outcome.round_ended if round_.state == RoundState.closed.value else Outcome.done
        return Result(outcome, group.id, round_.number, too_late_to_rematch=rematch_now)
    if any(e.member_id == member.id and e.kind in (EventKind.rematched, EventKind.sat_out)
           for e in meeting_store.events(session, group.id)):
        return Result(Outcome.already, group.id, round_.number)
    if not rematch_now:
        meeting_store.add_event(session, team_id, group.id, EventKind.sat_out, member.id)
        return Result(Outcome.done, group.id, round_.number)
    new_group_id = rematch.find_new_partner(session, round_, member)
    if new_group_id is None:
        # Nobody free yet: they stay first in line, and may ask again (or be someone else's fresh match).
        member_store.set_priority(session, [member], True)
        return Result(Outcome.done, group.id, round_.number)
    meeting_store.add_event(session, team_id, group.id, EventKind.rematched, member.id)
    return Result(Outcome.done, group.id, round_.number, new_group_id=new_group_id,
                  send_now=[IntroSend(round_id=round_.id, group_id=new_group_id).key()])
