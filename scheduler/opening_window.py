"""The opening window: a scheduled round is matched, and its group DMs opened, before its opening
time, so every intro lands at that time instead of trickling out over the hour opening takes.

Slack lets an app open about 50 conversations a minute; 5,000 groups take 100 minutes. Posting
into a conversation already open goes much faster, so the slow part is done ahead: the round is
matched (state "matched") a window before its time, sized from the number of groups and the
pace measured so far; its intros are queued held until the opening time, and the clock opens
their conversations meanwhile (open_ahead, below). Nobody is told anything, and
nobody's Home shows a partner, until the opening.

Plans change in the window. Whoever pauses, skips or leaves before the opening is taken out of
their group at the opening, unseen: they get no intro. A partner left alone is given someone else
still free this round, or told kindly that there's nobody this time and they go first next round.
An opening by hand doesn't wait: it posts as each group is opened, as it always has.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler import delivery, pacing, reach, rematch, sends, slack_trouble
from scheduler.gateway import Gateway, SendError
from scheduler.paced_gateway import PacedGateway, paced
from scheduler.quiet_rounds import awaiting_answer
from scheduler.schedule import RoundTimes
from scheduler.sending import Sending
from scheduler.sends.intro import IntroSend
from scheduler.sends.unmatched import UnmatchedReason, UnmatchedSend
from scheduler.workspace_schedule import load_schedule
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.clock import now
from storage.db import session_scope
from storage.models import GroupStatus, Member, MemberStatus, Round, RoundState


def window(session: Session, team_id: str) -> timedelta:
    """How long before a scheduled opening to match and start opening conversations."""
    groups = max(member_store.count_by_status(session, team_id).get(MemberStatus.active.value, 0) // 2, 1)
    pacer = pacing.for_workspace(team_id)
    gap = pacer.gap(pacing.OPEN)
    if pacer.counts().get(pacing.OPEN, (0, 0))[1] == 0:
        # Never yet refused: a faster pace is only a guess until Slack has said where its limit is,
        # and a window too short would leave intros trickling out after the time. Slack's floor holds.
        gap = max(gap, pacing.STARTING_GAP[pacing.OPEN])
    return timedelta(seconds=pacing.opening_window(groups, gap))


def in_window(upcoming: RoundTimes, at: datetime, length: timedelta) -> bool:
    return upcoming.opens_at - length <= at < upcoming.opens_at


def held_until(round_: Round) -> datetime | None:
    """When the round's intros may go: its opening time while it waits for it, else at once."""
    return round_.opens_at if round_.state == RoundState.matched.value else None


def open_matched(session: Session, round_: Round, at: datetime, look_up: reach.LookUp | None = None) -> bool:
    """The round matched ahead opens (at its time, or brought forward by hand); True for the one process that did it.

    In the same transaction, whoever paused, skipped or left since the match is taken out of
    their group, so the intro goes only to those still in; anyone left alone, and anyone who
    joined or came back since the match, is given a fresh partner still free or told kindly.
    With `look_up`, Slack is first asked about those who came since the match, as everyone was
    before it (scheduler.reach): whom it lets us reach, and their work email's domain.
    """
    if look_up is not None:
        newcomers = _here_since_the_match(session, round_)
        if newcomers:
            reach.check(session, round_.team_id, newcomers, look_up)
    # One conditional update, as every phase is claimed: of two processes here, exactly one opens it.
    if not round_store.claim_phase(session, round_.id, [RoundState.matched], RoundState.open, "opened_at"):
        return False
    if at < round_.opens_at:
        outbox.release_held(session, round_.id, at)  # brought forward: the held intros go now
    lonely: list[Member] = []
    for group in round_store.groups_of_round(session, round_.id):
        members = round_store.group_members(session, group.id)
        gone = [m for m in members if m.status != MemberStatus.active.value or not m.slack_user_id]
        if not gone:
            continue
        for member in gone:
            round_store.remove_from_group(session, group.id, member.id)
        # The conversation opened ahead has the one who withdrew in it (and its ID says so): never used.
        outbox.forget_channel(session, round_.team_id, IntroSend(round_id=round_.id, group_id=group.id).key())
        staying = [m for m in members if m not in gone]
        if len(staying) < 2:
            round_store.set_group_fields(session, group, status=GroupStatus.ended.value)
            lonely += staying
    for member in lonely:
        # They never knew who it was going to be: a fresh partner, or the same kind word as anyone unmatched.
        _pair_or_tell(session, round_, member, UnmatchedReason.partner_withdrew)
    for member in _here_since_the_match(session, round_):
        _pair_or_tell(session, round_, member, UnmatchedReason.round_already_matched)
    # Matching left everyone's place in line as it was; now it's known who is in, it moves on.
    in_round = round_store.members_in_live_groups(session, round_.id)
    member_store.set_priority(session, [m for m in member_store.members_with_status(
        session, round_.team_id, [MemberStatus.active]) if m.id in in_round and m.priority], False)
    # After the re-matching, so nobody who skipped this round is given as someone's fresh partner.
    member_store.end_skips(session, round_.team_id)
    return True


def _pair_or_tell(session: Session, round_: Round, member: Member, reason: UnmatchedReason) -> None:
    # Someone already picked as another's fresh partner keeps that match (find_new_partner returns it).
    if rematch.find_new_partner(session, round_, member) is None:
        member_store.set_priority(session, [member], True)
        told = UnmatchedSend(round_id=round_.id, member_id=member.id, reason=reason.value)
        sends.queue(session, round_.team_id, [told])


def _here_since_the_match(session: Session, round_: Round) -> list[Member]:
    """Active members the match never saw: joined, resumed or back from a pause since; not in any of
    the round's groups and not among those it left unmatched (they have their note already)."""
    seen = (round_store.members_in_round(session, round_.id)
                  | outbox.members_sent(session, round_.id, UnmatchedSend.kind))
    reachable = reach.matchable(session, round_.team_id, load_schedule(session, round_.team_id).includes_guests)
    return [m for m in member_store.members_with_status(session, round_.team_id, [MemberStatus.active])
            if m.id not in seen and m.slack_user_id and not awaiting_answer(m) and reachable(m)]


def close_too_late(session: Session, round_: Round) -> bool:
    """A round matched ahead whose opening passed long ago (the bot was down): it ends without a word.

    Intros weeks late, edited to "this round has ended" moments after, would only confuse; nobody
    was told anything yet, so nothing is taken back. Skips end, as at any opening."""
    if not round_store.close_unopened(session, round_.id):
        return False
    outbox.drop_unsent(session, round_.id, "too late: the round's opening passed while the bot was down")
    member_store.end_skips(session, round_.team_id)
    return True


def open_ahead(engine: Engine, team_id: str, gateway: Gateway, *, pace: float | None = None,
               budget: float | None = None, batch: int = 100, sending: Sending | None = None) -> int:
    """Open the conversations of intros held for a scheduled opening, so at its time they need only posting.

    Nothing is posted and nobody is told. conversations.open gives the same people the same
    group DM, so a crash here, or two processes at it at once, costs a call, never a duplicate;
    a conversation Slack won't open now is left for the opening to try, as any intro would be.
    Returns how many were opened; stops early when `sending` (the running process's) is stopped.
    """
    sending = sending if sending is not None else Sending()
    if not isinstance(gateway, PacedGateway):
        gateway = paced(gateway, team_id, pace, sending)
    if slack_trouble.holding(engine, team_id) is not None:
        return 0  # Slack refuses the token or is failing: the workspace's next try isn't due yet
    opened, after, started = 0, 0, time.monotonic()
    while True:
        with session_scope(engine) as session:
            rows = outbox.held_to_open(session, team_id, IntroSend.kind, now(), after, batch)
        for row in rows:
            if (budget is not None and time.monotonic() - started > budget) or sending.stopping():
                return opened
            after = row.id
            with session_scope(engine) as session:
                plan = sends.plan(session, row)
            if plan is None or not plan.users:
                continue  # nobody left to introduce: the opening drops it
            channel = _open_for_later(engine, team_id, gateway, plan.users)
            if channel is _TROUBLE:
                return opened  # nothing more until the workspace's next try
            if channel is None:
                continue
            with session_scope(engine) as session:
                # Kept only for the same people (someone may have left, and been erased, while Slack
                # answered: the conversation's ID says who was in it) and only while still held.
                still = sends.plan(session, row)
                if still is not None and set(still.users) == set(plan.users):
                    opened += outbox.set_channel_ahead(session, row.id, channel, now())
        if len(rows) < batch:
            return opened


_TROUBLE = "trouble"


def _open_for_later(engine: Engine, team_id: str, gateway: Gateway, users: Sequence[str]) -> str | None:
    # A 429 has already made the pacer wait as long as Slack asked: try the same conversation again.
    for _ in range(delivery.MAX_ATTEMPTS):
        try:
            return gateway.open_conversation(users)
        except SendError as error:
            if error.code == "ratelimited":
                continue
            trouble = slack_trouble.kind_of(error.code, in_doubt=error.in_doubt)
            if trouble is not None:
                slack_trouble.met(engine, team_id, error.code, trouble)
                return _TROUBLE
            return None
    return None
