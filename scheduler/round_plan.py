"""A round's plan: the groups it would make (or, matched ahead, will introduce), before anything is sent.

Pure reading: nothing here stores or sends anything, so a preview and the opening itself draw
the same groups from the same seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session

from scheduler import avoid, organisations, quiet_rounds, reach
from scheduler.matching import Candidate, Odd, match, utc_offset_hours
from scheduler.schedule import RoundTimes, Schedule
from scheduler.sends.unmatched import UnmatchedReason, UnmatchedSend
from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.models import GroupStatus, Member, MemberStatus, Round


def round_seed(team_id: str, period: str) -> int:
    """The same round always draws the same groups, so a preview shows what opening will do."""
    digest = hashlib.sha256(f"{team_id}:{period}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _offset(timezone_name: str | None) -> float | None:
    try:
        return utc_offset_hours(timezone_name)
    except ValueError:
        return None  # a zone Slack knows and we don't: no preference rather than no match


@dataclass
class RoundPlan:
    """The groups a round would make, before anything is stored or sent."""

    period: str
    seed: int
    times: RoundTimes
    groups: list[list[Member]]
    unmatched: list[Member]
    counts: dict[str, int] = field(default_factory=dict)
    # Distinct organisations among the members this round was drawn from (colleagues counted
    # once), as plan_round found them; None for a plan built by hand.
    organisation_count: int | None = None

    @property
    def organisations(self) -> int:
        if self.organisation_count is not None:
            return self.organisation_count
        members = [m for group in self.groups for m in group] + list(self.unmatched)
        return len({m.organisation_key or m.organisation for m in members})


def plan_round(session: Session, team_id: str, times: RoundTimes, schedule: Schedule) -> RoundPlan:
    seed = round_seed(team_id, times.period)
    # Someone asked "Keep me in or pause?" isn't given a partner until they answer: if they
    # stay silent, nobody is left waiting on them.
    # Nor is anyone an intro can't reach as a member (scheduler.reach): they are left out quietly.
    reachable = reach.matchable(session, team_id, schedule.includes_guests)
    active = [m for m in member_store.members_with_status(session, team_id, [MemberStatus.active])
              if not quiet_rounds.awaiting_answer(m) and reachable(m)]
    by_id = {str(m.id): m for m in active}
    # Colleagues share a key however they spelt their organisation, or by their work email.
    keys = organisations.colleague_keys({m.id: (m.organisation, m.email_domain) for m in active},
                                        member_store.domain_map(session, team_id))
    candidates = [
        Candidate(
            id=str(m.id),
            organisation=keys[m.id],
            utc_offset_hours=_offset(m.timezone),
            priority=m.priority,
        )
        for m in active
    ]
    history = [(str(a), str(b)) for a, b in round_store.history_pairs(session, team_id)]
    # "Don't pair me with" is as hard a rule as "never the same pair twice", either way round.
    avoided = [(str(a), str(b)) for a, b in avoid.pairs(session, team_id)]
    result = match(candidates, history, seed, odd=schedule.odd, avoid=avoided)
    return RoundPlan(
        period=times.period,
        seed=seed,
        times=times,
        groups=[[by_id[i] for i in group] for group in result.groups],
        unmatched=[by_id[i] for i in result.unmatched],
        counts=member_store.count_by_status(session, team_id),
        organisation_count=len(set(keys.values())),
    )


def unmatched_reason(plan: RoundPlan, odd: str) -> UnmatchedReason:
    """Why people were left without a partner, as the unmatched DM will say it."""
    everyone = sum(len(g) for g in plan.groups) + len(plan.unmatched)
    if len(plan.unmatched) == 1 and everyone % 2 == 1:
        return UnmatchedReason.odd_number if odd == Odd.sit_out else UnmatchedReason.no_trio_possible
    return UnmatchedReason.no_partner_possible


def matched_plan(session: Session, round_: Round) -> RoundPlan:
    """The groups a round matched ahead will introduce, as they stand (without whoever has withdrawn)."""
    def still_in(people: list[Member]) -> list[Member]:
        return [m for m in people if m.status == MemberStatus.active.value and m.slack_user_id]

    groups, alone = [], []
    for group in round_store.groups_of_round(session, round_.id):
        if group.status != GroupStatus.ended.value:
            people = still_in(round_store.group_members(session, group.id))
            (groups if len(people) >= 2 else alone).append(people)
    unmatched_ids = outbox.members_sent(session, round_.id, UnmatchedSend.kind)
    unmatched = still_in([member_store.get_member_by_id(session, i) for i in sorted(unmatched_ids)])
    times = RoundTimes(round_.period, round_.opens_at, round_.opens_at, round_.nudge_at, round_.follow_up_at,
                       round_.closes_at)
    return RoundPlan(round_.period, round_.seed, times, groups, unmatched + [m for g in alone for m in g],
                     counts=member_store.count_by_status(session, round_.team_id))
