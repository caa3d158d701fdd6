"""Trio placement is exact: nobody is left out whom some grouping into pairs and trios could place.

Checked against brute force (every grouping of small instances into pairs and trios) on
instances of every shape: a few organisations, long histories, one dominant organisation,
and arbitrary sparse graphs, with and without people who have priority.
"""

from __future__ import annotations

import itertools
import random
from functools import lru_cache

import pytest

from scheduler.matching import Candidate, match, organisation_key
from scheduler.matching.blossom import Matcher
from tests.scheduler.matching.test_matching import assert_valid


def best_grouping(cands, history, avoid=()) -> tuple[int, int]:
    """(fewest unmatched, then fewest of them with priority) over every grouping into pairs and trios."""
    ids = [c.id for c in cands]
    n = len(ids)
    keys = [organisation_key(c.organisation) for c in cands]
    barred = {frozenset(p) for p in history} | {frozenset(p) for p in avoid}
    ok = [[i != j and keys[i] != keys[j] and frozenset((ids[i], ids[j])) not in barred for j in range(n)]
          for i in range(n)]
    prio = [int(c.priority) for c in cands]

    @lru_cache(maxsize=None)
    def best(mask: int) -> tuple[int, int]:
        # The best (placed, placed with priority) for the people in mask; the lowest one
        # sits out, or pairs up, or makes a trio.
        if not mask:
            return (0, 0)
        v = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << v)
        options = [best(rest)]
        others = [u for u in range(n) if rest >> u & 1 and ok[v][u]]
        for u in others:
            placed, with_prio = best(rest & ~(1 << u))
            options.append((placed + 2, with_prio + prio[v] + prio[u]))
        for u, w in itertools.combinations(others, 2):
            if ok[u][w]:
                placed, with_prio = best(rest & ~(1 << u) & ~(1 << w))
                options.append((placed + 3, with_prio + prio[v] + prio[u] + prio[w]))
        return max(options)

    placed, with_prio = best((1 << n) - 1)
    return n - placed, sum(prio) - with_prio


def outcome(cands, result) -> tuple[int, int]:
    prio = {c.id for c in cands if c.priority}
    return len(result.unmatched), sum(v in prio for v in result.unmatched)


def past_rounds(cands, rounds, rng) -> list[tuple[str, str]]:
    """Rounds of random cross-organisation pairs, made without the matcher under test."""
    met: set[frozenset] = set()
    for _ in range(rounds):
        pool = list(cands)
        rng.shuffle(pool)
        while pool:
            a = pool.pop()
            for i, b in enumerate(pool):
                apart = organisation_key(b.organisation) != organisation_key(a.organisation)
                if apart and frozenset((a.id, b.id)) not in met:
                    met.add(frozenset((a.id, pool.pop(i).id)))
                    break
    return sorted(tuple(sorted(p)) for p in met)


def small_instance(rng: random.Random, shape: str):
    n = rng.randint(3, 11)
    if shape == "sparse":  # everyone in their own organisation, any graph at all
        cands = [Candidate(f"s{i:02d}", f"Solo {i}", None, rng.random() < 0.25) for i in range(n)]
        p = rng.choice([0.2, 0.35, 0.5, 0.7])
        history = [(a.id, b.id) for a, b in itertools.combinations(cands, 2) if rng.random() >= p]
        return cands, history
    if shape == "dominant":
        orgs = [0 if i < (n + 1) // 2 else rng.randint(1, 4) for i in range(n)]
    else:
        orgs = [rng.randrange(rng.randint(2, 5)) for _ in range(n)]
    zones = [None, -5.0, 0.0, 1.0, 9.0]
    cands = [Candidate(f"p{i:02d}", f"Org {o}", rng.choice(zones), rng.random() < 0.25) for i, o in enumerate(orgs)]
    history = []
    if shape in ("history", "dominant"):
        history = past_rounds(cands, rng.randint(1, 6), rng)
        history += [tuple(rng.sample([c.id for c in cands], 2)) for _ in range(rng.randint(0, n))]
    return cands, history


@pytest.mark.parametrize("shape", ["organisations", "history", "dominant", "sparse"])
def test_trios_leave_out_no_one_whom_any_grouping_could_place(shape):
    rng = random.Random(f"trios-{shape}")
    for trial in range(400):
        cands, history = small_instance(rng, shape)
        expected = best_grouping(cands, history)
        for seed in range(2):
            res = match(cands, history, seed=trial * 2 + seed, odd="trio")
            assert_valid(cands, history, res, "trio")
            assert outcome(cands, res) == expected, (shape, trial, seed)


def test_trios_are_exact_without_the_greedy_head_start(monkeypatch):
    # Every pair then comes from the blossom search, so the trio placement starts
    # from matchings the greedy would rarely make.
    monkeypatch.setattr(Matcher, "greedy", lambda self: None)
    rng = random.Random("trios-no-greedy")
    for trial in range(200):
        cands, history = small_instance(rng, rng.choice(["history", "sparse"]))
        res = match(cands, history, seed=trial, odd="trio")
        assert_valid(cands, history, res, "trio")
        assert outcome(cands, res) == best_grouping(cands, history), trial


def test_a_hub_pairs_with_its_only_option_so_a_trio_places_everyone():
    # solo can meet only hub; ann, bea and cat can all meet. Pairing hub with ann or bea
    # strands solo, who fits no trio; hub-solo and the trio ann-bea-cat place all five.
    names = ["hub", "solo", "ann", "bea", "cat"]
    allowed = {("hub", "solo"), ("hub", "ann"), ("hub", "bea"), ("ann", "bea"), ("bea", "cat"), ("ann", "cat")}
    history = [p for p in itertools.combinations(names, 2) if p not in allowed]
    cands = [Candidate(x, f"Org {x}") for x in names]
    for seed in range(30):
        res = match(cands, history, seed, odd="trio")
        assert res.groups == [("ann", "bea", "cat"), ("hub", "solo")] and res.unmatched == [], seed


def test_twenty_three_people_in_three_organisations_after_fourteen_rounds_are_all_placed():
    # An odd count, so every maximum matching leaves someone out; a trio can place them,
    # but only if the matching leaves out the right person (before, it never did here).
    rng = random.Random("23-233")
    sizes = rng.choice([(8, 8, 7), (9, 7, 7), (10, 7, 6), (11, 6, 6), (9, 8, 6)])
    cands = [Candidate(f"m{i:02d}", f"Org {o}") for i, o in enumerate(o for o, s in enumerate(sizes) for _ in range(s))]
    history = past_rounds(cands, 14, rng)
    assert len(cands) == 23 and len(history) > 140
    for seed in range(20):
        res = match(cands, history, seed, odd="trio")
        assert_valid(cands, history, res, "trio")
        assert res.unmatched == [] and sum(len(g) == 3 for g in res.groups) == 1, seed


def test_among_equal_groupings_the_one_left_out_is_not_someone_with_priority():
    # pri (priority) and plain can each meet only hub; ann, bea, cat can all meet and hub.
    # Someone must sit out (six people, one trio at most, and pri and plain can't both be
    # placed): the best placements leave out plain, never pri.
    names = ["hub", "pri", "plain", "ann", "bea", "cat"]
    allowed = {("hub", "pri"), ("hub", "plain"), ("hub", "ann"), ("ann", "bea"), ("bea", "cat"), ("ann", "cat")}
    history = [p for p in itertools.combinations(names, 2) if p not in allowed]
    cands = [Candidate(x, f"Org {x}", priority=x == "pri") for x in names]
    assert best_grouping(cands, history) == (1, 0)
    for seed in range(30):
        res = match(cands, history, seed, odd="trio")
        assert_valid(cands, history, res, "trio")
        assert res.unmatched == ["plain"], seed


def test_exact_placement_gives_the_same_groups_whatever_the_input_order():
    rng = random.Random("order")
    for trial in range(60):
        cands, history = small_instance(rng, rng.choice(["history", "sparse", "dominant"]))
        first = match(cands, history, seed=trial, odd="trio")
        shuffled, past = list(cands), [tuple(reversed(p)) for p in history]
        rng.shuffle(shuffled)
        rng.shuffle(past)
        assert match(shuffled, past, seed=trial, odd="trio") == first, trial
