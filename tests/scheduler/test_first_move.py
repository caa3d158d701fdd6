"""Who makes the first move: named in every intro, by a rule that takes turns."""

from __future__ import annotations

import random
from collections import Counter

from freezegun import freeze_time
from sqlmodel import select

from scheduler import first_move, membership, rounds
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.schedule import Schedule, round_times
from storage.db import session_scope
from storage.models import Group, GroupMember, Round
from tests.personas import TEAM, heads_up_went


def test_whoever_started_fewest_goes_first_and_between_equals_whoever_started_longest_ago():
    rng = random.Random(1)
    assert first_move.choose([1, 2], {1: (1, 10)}, rng) == 2        # 2 has never started
    assert first_move.choose([1, 2], {1: (1, 10), 2: (1, 4)}, rng) == 2  # 2 started longer ago
    assert first_move.choose([1, 2, 3], {1: (2, 3), 2: (1, 9), 3: (1, 5)}, rng) == 3


def test_over_many_rounds_everyone_takes_a_turn_and_nobody_starts_while_a_partner_has_started_less(engine):
    with session_scope(engine) as session:
        for i in range(6):
            membership.save_profile(session, TEAM, f"U{i}", ProfileForm(organisation=f"Org{i}"),
                                    SlackProfile(timezone="Europe/London"))
    heads_up_went(engine)
    for month in range(5):
        with freeze_time(round_times(Schedule(), 2026 * 12 + 11 + month).opens_at, tick=True):
            assert rounds.open_round(engine, TEAM).reason == "opened"
        with session_scope(engine) as session:
            for r in session.exec(select(Round)).all():
                r.state = "closed"
                session.add(r)
    starts: Counter = Counter()
    with session_scope(engine) as session:
        groups = session.exec(select(Group).order_by(Group.id)).all()
        assert len(groups) == 15
        for group in groups:
            people = [gm.member_id for gm in session.exec(select(GroupMember).where(GroupMember.group_id == group.id))]
            assert group.first_mover_id in people
            # The one named had started no more chats than anyone else in the group.
            assert all(starts[group.first_mover_id] <= starts[p] for p in people)
            starts[group.first_mover_id] += 1
    assert len(starts) == 6 and max(starts.values()) - min(starts.values()) <= 1
