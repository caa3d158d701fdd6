"""Tests for scheduler.matching: exact maximum matchings (checked against networkx) that keep every pairing rule."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from benchmarks.instances import make_instance
from scheduler.matching import (
    Candidate,
    MatchResult,
    blossom,
    lower_bound_unmatched,
    match,
    organisation_key,
    utc_offset_hours,
    zones,
)


# ----------------------------------------------------------------- helpers
def assert_valid(cands, history, result: MatchResult, odd: str) -> None:
    """The hard rules every result must keep, whatever else is being tested."""
    by_id = {c.id: c for c in cands}
    past = {frozenset(p) for p in history}
    grouped = []
    for g in result.groups:
        assert len(g) == 2 or (odd == "trio" and len(g) == 3), g
        for a, b in itertools.combinations(g, 2):
            assert organisation_key(by_id[a].organisation) != organisation_key(by_id[b].organisation), g
            assert frozenset((a, b)) not in past, f"{g} repeats a past pair"
        grouped.extend(g)
    assert len(grouped) == len(set(grouped)), "someone is in two groups"
    assert sorted(set(by_id) - set(grouped)) == result.unmatched
    assert not set(result.unmatched) & set(grouped)


def allowed_graph(cands, history, weight_priority=False) -> nx.Graph:
    past = {frozenset(p) for p in history}
    g = nx.Graph()
    g.add_nodes_from(c.id for c in cands)
    for a, b in itertools.combinations(cands, 2):
        if organisation_key(a.organisation) != organisation_key(b.organisation) and frozenset((a.id, b.id)) not in past:
            # A tiny bonus per priority endpoint: among maximum-cardinality
            # matchings networkx then also covers the most priority people.
            w = 1 + 1e-3 * (a.priority + b.priority) if weight_priority else 1
            g.add_edge(a.id, b.id, weight=w)
    return g


def prior_rounds(cands, rounds, rng) -> list[tuple[str, str]]:
    history: list[tuple[str, str]] = []
    for _ in range(rounds):
        res = match(cands, history, rng.randrange(10**9), rng.choice(["trio", "sit_out"]))
        for g in res.groups:
            history.extend(itertools.combinations(g, 2))
    return history


def random_instance(rng: random.Random, kind: str):
    n = rng.randint(2, 40)
    zones = [None, -8.0, -5.0, 0.0, 1.0, 5.5, 9.0, 12.0]
    if kind == "dominant":  # one organisation holds about two thirds
        orgs = [0 if i < (2 * n) // 3 else rng.randint(1, 6) for i in range(n)]
    else:
        orgs = [rng.randint(0, rng.randint(1, 8)) for _ in range(n)]
    spellings = ["Org {}", " org  {} ", "ORG {}"]
    cands = [
        Candidate(f"p{i:02d}", rng.choice(spellings).format(o), rng.choice(zones), rng.random() < 0.2)
        for i, o in enumerate(orgs)
    ]
    rng.shuffle(cands)
    history = []
    if kind in ("dense", "dominant"):
        history = prior_rounds(cands, rng.randint(1, 6), rng)
        ids = [c.id for c in cands]
        history += [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2 * n))]
    return cands, history


def sparse_instance(rng: random.Random):
    """An arbitrary sparse graph (everyone in their own organisation, every non-edge in
    history): odd cycles everywhere, so the search has to shrink blossoms."""
    n = rng.randint(3, 30)
    p = rng.choice([0.08, 0.12, 0.2, 0.3])
    cands = [Candidate(f"s{i:02d}", f"Solo {i}", None, rng.random() < 0.25) for i in range(n)]
    history = [(a.id, b.id) for a, b in itertools.combinations(cands, 2) if rng.random() >= p]
    return cands, history


def covered_priority(cands, groups) -> int:
    prio = {c.id for c in cands if c.priority}
    return sum(v in prio for g in groups for v in g)


# ------------------------------------------------------------- exactness
@pytest.mark.parametrize("kind", ["plain", "dense", "dominant", "sparse"])
def test_maximum_matching_and_priority_coverage_equal_networkx(kind):
    rng = random.Random(f"exact-{kind}")
    for trial in range(60):
        cands, history = sparse_instance(rng) if kind == "sparse" else random_instance(rng, kind)
        reference = nx.max_weight_matching(allowed_graph(cands, history, True), maxcardinality=True)
        for odd in ("sit_out", "trio"):
            res = match(cands, history, seed=trial, odd=odd)
            assert_valid(cands, history, res, odd)
            pairs = [g for g in res.groups if len(g) == 2]
            if odd == "sit_out":
                assert len(pairs) == len(reference), (kind, trial)
                assert covered_priority(cands, res.groups) == covered_priority(cands, reference), (kind, trial)
            else:
                trios = [g for g in res.groups if len(g) == 3]
                # A trio is a maximum-matching pair plus one left-over person.
                assert len(pairs) + len(trios) == len(reference), (kind, trial)


def test_search_alone_is_exact_on_odd_cycles(monkeypatch):
    """With no greedy head start every pair comes from the blossom search, so a broken
    blossom shrink or path expansion shows up as a smaller matching or an invalid pair."""
    monkeypatch.setattr(blossom.Matcher, "greedy", lambda self: None)
    rng = random.Random("blossoms")
    for trial in range(150):
        cands, history = sparse_instance(rng)
        graph = allowed_graph(cands, history, True)
        reference = nx.max_weight_matching(graph, maxcardinality=True)
        res = match(cands, history, seed=trial, odd="sit_out")
        assert all(graph.has_edge(*g) for g in res.groups)
        assert len(res.groups) == len(reference)
        assert covered_priority(cands, res.groups) == covered_priority(cands, reference)


@pytest.mark.parametrize("head_start", [True, False])
def test_flower_needs_a_blossom(monkeypatch, head_start):
    # A 5-cycle a..e with a stem f-a has a perfect matching, but from a state like
    # {a-b, c-d} with e free, f is reachable only through the odd cycle.
    if not head_start:
        monkeypatch.setattr(blossom.Matcher, "greedy", lambda self: None)
    edges = {("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "e"), ("a", "f")}
    names = "abcdef"
    cands = [Candidate(x, f"Org {x}") for x in names]
    history = [pair for pair in itertools.combinations(names, 2) if pair not in edges]
    for seed in range(40):
        res = match(cands, history, seed, odd="sit_out")
        assert_valid(cands, history, res, "sit_out")
        assert len(res.groups) == 3 and res.unmatched == [], seed


def test_dominant_organisation_leaves_exactly_its_surplus_unmatched():
    rng = random.Random("dominant")
    cands = [
        Candidate(f"d{i:03d}", "Giant Corp" if i < 200 else f"Small {i % 17}", rng.choice([0.0, 9.0]))
        for i in range(300)
    ]
    history = prior_rounds(cands, 3, rng)
    res = match(cands, history, seed=5)
    assert_valid(cands, history, res, "trio")
    assert len(res.unmatched) == 2 * 200 - 300
    assert all(c.startswith("d") and int(c[1:]) < 200 for c in res.unmatched)


def test_thousand_members_with_a_year_of_history_reach_the_bound():
    inst = make_instance(1000, 100, 12, seed=3)
    res = match(inst.candidates, inst.history, seed=9, odd="sit_out")
    assert_valid(inst.candidates, inst.history, res, "sit_out")
    assert len(res.unmatched) == inst.lower_bound


def test_lower_bound():
    assert lower_bound_unmatched([3, 3, 3]) == 1
    assert lower_bound_unmatched([10, 2, 1]) == 7
    assert lower_bound_unmatched([2, 2]) == 0
    assert lower_bound_unmatched([]) == 0


# -------------------------------------------------------------- hard rules
def test_organisation_names_compare_ignoring_case_and_spacing():
    assert organisation_key("Acme Ltd") == organisation_key(" acme   ltd")
    assert organisation_key("ＡＣＭＥ\u00a0Ltd") == organisation_key("acme ltd")  # full-width, no-break space
    assert organisation_key("Straße") == organisation_key("STRASSE")
    assert organisation_key("Acme Ltd") != organisation_key("Acme Labs")
    cands = [Candidate("a", "Acme Ltd"), Candidate("b", " acme   ltd"), Candidate("c", "ACME LTD\t")]
    for seed in range(10):
        res = match(cands, [], seed)
        assert res.groups == [] and res.unmatched == ["a", "b", "c"]


def test_same_org_spelled_differently_is_never_paired_in_a_crowd():
    rng = random.Random("spelling")
    spellings = ["Acme Ltd", " acme   ltd", "ACME LTD", "Beta", "beta ", "Gamma"]
    cands = [Candidate(f"x{i}", rng.choice(spellings)) for i in range(40)]
    for seed in range(20):
        assert_valid(cands, [], match(cands, [], seed), "trio")


def test_past_pairs_are_never_repeated_even_if_that_leaves_people_out():
    cands = [Candidate(x, x.upper()) for x in "abcde"]
    history = [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")]
    for seed in range(10):
        for odd in ("sit_out", "trio"):
            res = match(cands, history, seed, odd=odd)
            assert_valid(cands, history, res, odd)
            assert res.unmatched == ["a"] and len(res.groups) == 2


def test_history_with_unknown_people_and_self_pairs_is_ignored():
    cands = [Candidate("a", "A"), Candidate("b", "B")]
    res = match(cands, [("a", "gone"), ("ghost", "b"), ("a", "a")], seed=1)
    assert res.groups == [("a", "b")]


def test_duplicate_ids_and_bad_odd_mode_are_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        match([Candidate("a", "A"), Candidate("a", "B")], [], 1)
    with pytest.raises(ValueError, match="odd"):
        match([Candidate("a", "A")], [], 1, odd="triples")


def test_empty_and_single():
    assert match([], [], 1) == MatchResult(groups=[], unmatched=[])
    assert match([Candidate("a", "A")], [], 1) == MatchResult(groups=[], unmatched=["a"])


# ---------------------------------------------------------- determinism
def crowd(n=24, orgs=5, seed=0):
    rng = random.Random(seed)
    return [Candidate(f"c{i:02d}", f"Org {rng.randrange(orgs)}", rng.choice([None, 0.0, 2.0, 9.0])) for i in range(n)]


def test_same_seed_gives_identical_output_whatever_the_input_order():
    cands = crowd()
    history = prior_rounds(cands, 2, random.Random(1))
    first = match(cands, history, seed=42)
    shuffled = list(cands)
    random.Random(2).shuffle(shuffled)
    again = match(shuffled, list(reversed(history)), seed=42)
    assert again == first
    assert first.groups == sorted(first.groups)
    assert all(list(g) == sorted(g) for g in first.groups)


def test_different_seeds_give_different_groups():
    cands = crowd()
    outcomes = {tuple(match(cands, [], seed=s).groups) for s in range(10)}
    assert len(outcomes) >= 8


def test_match_does_not_touch_global_random_state():
    random.seed(123)
    expected = random.random()
    random.seed(123)
    match(crowd(), [], seed=7)
    assert random.random() == expected


# -------------------------------------------------------------- priority
def test_priority_person_is_the_one_who_gets_matched():
    # One A and two Bs: exactly one B must sit out, and never the priority one.
    for favoured in ("b1", "b2"):
        cands = [
            Candidate("a", "A"),
            Candidate("b1", "B", priority=favoured == "b1"),
            Candidate("b2", "B", priority=favoured == "b2"),
        ]
        for seed in range(30):
            res = match(cands, [], seed, odd="trio")
            assert res.groups == [tuple(sorted(("a", favoured)))], (favoured, seed)
            assert res.unmatched == [{"b1": "b2", "b2": "b1"}[favoured]]


def test_priority_needs_rearranging_not_just_going_first():
    # p can only meet q; q's only other option is r. Whoever is paired first, the
    # answer must be p-q with r left out, because p has priority and r does not.
    cands = [Candidate("p", "P", priority=True), Candidate("q", "Q"), Candidate("r", "R")]
    history = [("p", "r")]
    for seed in range(30):
        res = match(cands, history, seed, odd="sit_out")
        assert res.groups == [("p", "q")] and res.unmatched == ["r"]


def test_unmatchable_priority_person_does_not_hold_others_back():
    cands = [Candidate("x", "X", priority=True)] + [Candidate(f"o{i}", f"Org {i}") for i in range(4)]
    history = [("x", f"o{i}") for i in range(4)]  # x has met everyone
    for seed in range(10):
        res = match(cands, history, seed, odd="sit_out")
        assert_valid(cands, history, res, "sit_out")
        assert res.unmatched == ["x"] and len(res.groups) == 2


def test_priority_picks_among_several_who_could_sit_out():
    # y can meet x, z or w, and only one of them: the priority one gets y.
    cands = [Candidate(v, v.upper(), priority=v == "w") for v in "xyzw"]
    history = [("x", "z"), ("x", "w"), ("z", "w")]
    for seed in range(20):
        assert match(cands, history, seed, odd="sit_out").groups == [("w", "y")]


# -------------------------------------------------------------- timezones
def test_partners_share_working_hours_when_possible():
    cands = [Candidate(f"{org}{zone}-{i}", org, float(zone)) for org in "XY" for zone in (0, 9) for i in range(4)]
    for seed in range(20):
        res = match(cands, [], seed)
        assert len(res.groups) == 8
        for a, b in res.groups:
            assert a.split("-")[0][1:] == b.split("-")[0][1:], (seed, a, b)


def test_working_hours_wrap_around_the_date_line():
    # +13 and -10 are one hour apart on the clock face, not 23: only then does
    # pairing east with west (and +3 with +8) beat the alternative.
    cands = [
        Candidate("x_east", "X", 13.0),
        Candidate("x_mid", "X", 3.0),
        Candidate("y_west", "Y", -10.0),
        Candidate("y_b", "Y", 8.0),
    ]
    for seed in range(20):
        assert match(cands, [], seed).groups == [("x_east", "y_west"), ("x_mid", "y_b")]


def test_working_hours_preference_is_strong_in_a_realistic_crowd():
    rng = random.Random("zones")
    cands = [Candidate(f"z{i:03d}", f"Org {rng.randrange(12)}", float(rng.randrange(-11, 13))) for i in range(300)]
    res = match(cands, [], seed=3, odd="sit_out")
    offsets = {c.id: c.utc_offset_hours for c in cands}
    share = sum(zones.hours_overlap(offsets[a], offsets[b]) for a, b in res.groups) / len(res.groups)
    assert share >= 0.9  # random pairing gives about 11/24


def test_time_zones_never_cost_a_match():
    cands = [Candidate("a", "A", 0.0), Candidate("b", "B", 12.0)]
    assert match(cands, [], 1).groups == [("a", "b")]


# ------------------------------------------------------------ odd counts
def test_odd_count_sit_out_leaves_one_and_trio_makes_exactly_one_trio():
    cands = [Candidate(f"o{i}", f"Org {i}") for i in range(7)]
    for seed in range(10):
        out = match(cands, [], seed, odd="sit_out")
        assert len(out.unmatched) == 1 and all(len(g) == 2 for g in out.groups) and len(out.groups) == 3
        trio = match(cands, [], seed, odd="trio")
        assert_valid(cands, [], trio, "trio")
        assert trio.unmatched == [] and sorted(len(g) for g in trio.groups) == [2, 2, 3]


def test_trio_only_when_all_three_may_meet():
    # Three from A, two from B: every pair contains an A, so the spare A cannot join.
    cands = [Candidate(f"a{i}", "A") for i in range(3)] + [Candidate(f"b{i}", "B") for i in range(2)]
    res = match(cands, [], 1, odd="trio")
    assert len(res.groups) == 2 and all(len(g) == 2 for g in res.groups) and len(res.unmatched) == 1
    # The spare person has met one member of the only candidate pair: no trio.
    cands = [Candidate("a", "A"), Candidate("b", "B"), Candidate("c", "C")]
    res = match(cands, [("a", "c"), ("b", "c")], 1, odd="trio")
    assert res.groups == [("a", "b")] and res.unmatched == ["c"]


def test_several_left_over_people_join_distinct_pairs():
    # Two triangles that have met each other across: two pairs, two people left over,
    # and each of them can only join the pair from their own triangle.
    tri = [("a1", "a2", "a3"), ("b1", "b2", "b3")]
    cands = [Candidate(x, f"Org {x}") for t in tri for x in t]
    history = [(x, y) for x in tri[0] for y in tri[1]]
    for seed in range(10):
        sit_out = match(cands, history, seed, odd="sit_out")
        assert len(sit_out.groups) == 2 and len(sit_out.unmatched) == 2
        res = match(cands, history, seed, odd="trio")
        assert_valid(cands, history, res, "trio")
        assert res.groups == tri and res.unmatched == []


# -------------------------------------------------------------- zone names
def test_iana_zones_are_read_at_the_fixed_reference_date():
    assert utc_offset_hours("Europe/London") == 0.0
    assert utc_offset_hours("America/New_York") == -5.0  # winter time in mid-January
    assert utc_offset_hours("Australia/Sydney") == 11.0  # southern summer time
    assert utc_offset_hours("Asia/Kolkata") == 5.5
    assert utc_offset_hours(-3) == -3.0
    assert utc_offset_hours(None) is None
