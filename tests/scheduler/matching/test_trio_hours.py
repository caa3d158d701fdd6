"""A trio shares working hours whenever moving one person between groups could give it some:
three people who can find no hour in common get an intro with no times to suggest."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from playground import demo
from scheduler import suggested_times
from scheduler.matching import Candidate, match, organisation_key, utc_offset_hours, zones
from tests.scheduler.matching.test_matching import assert_valid


def shares_hours(offsets) -> bool:
    return all(zones.hours_overlap(a, b) for a, b in itertools.combinations(offsets, 2))


def better_trio(cands, history, groups):
    """A trio with no hours in common and a move that would give one: one of its three joins a
    pair whose two they may meet, and all three there share hours. None when there is no such."""
    by_id = {c.id: c for c in cands}
    barred = {frozenset(p) for p in history}

    def may_meet(a, b):
        return (organisation_key(by_id[a].organisation) != organisation_key(by_id[b].organisation)
                and frozenset((a, b)) not in barred)

    for trio in (g for g in groups if len(g) == 3):
        if shares_hours([by_id[x].utc_offset_hours for x in trio]):
            continue
        for x in trio:
            for pair in (g for g in groups if len(g) == 2):
                joined = (*pair, x)
                if all(may_meet(x, y) for y in pair) and shares_hours([by_id[v].utc_offset_hours for v in joined]):
                    return trio, joined
    return None


OFFSETS = st.sampled_from([None, -8.0, -5.0, 0.0, 1.0, 5.5, 8.0, 9.0, 12.0, -10.0, 13.0])


@st.composite
def instances(draw):
    n = draw(st.integers(3, 15))
    orgs = draw(st.lists(st.integers(0, draw(st.integers(1, 5))), min_size=n, max_size=n))
    cands = [Candidate(f"p{i:02d}", f"Org {o}", draw(OFFSETS), draw(st.booleans())) for i, o in enumerate(orgs)]
    pairs = list(itertools.combinations([c.id for c in cands], 2))
    history = draw(st.lists(st.sampled_from(pairs), max_size=n)) if pairs else []
    return cands, history, draw(st.integers(0, 2**32))


@settings(max_examples=300, deadline=None)
@given(instances())
def test_a_trio_shares_working_hours_whenever_some_placement_would(instance):
    cands, history, seed = instance
    result = match(cands, history, seed, odd="trio")
    assert_valid(cands, history, result, "trio")
    assert better_trio(cands, history, result.groups) is None


def test_the_demo_workspaces_trios_are_always_suggested_times():
    # London, New York and Singapore: a Singapore member left over used to join a London and
    # New York pair, and their intro had no time to suggest.
    starts = datetime(2026, 1, 12, tzinfo=timezone.utc)  # a Monday with no holiday near it
    for count in (5, 7, 9, 11, 23):
        people = {p.user_id: p for p in demo.people(count)}
        cands = [Candidate(p.user_id, p.organisation, utc_offset_hours(p.timezone)) for p in people.values()]
        for seed in range(20):
            result = match(cands, [], seed, odd="trio")
            assert result.unmatched == []
            for trio in (g for g in result.groups if len(g) == 3):
                members = [suggested_times.Availability(people[x].timezone) for x in trio]
                times = suggested_times.suggest(members, None, starts, starts + suggested_times.SPREAD)
                assert times, (count, seed, [people[x].timezone for x in trio])
