"""'Don't pair me with': avoided pairs are a hard rule for the matcher, both ways, never paired nor in a trio."""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx

from scheduler.matching import Candidate, match
from tests.scheduler.matching.test_input import run_match
from tests.scheduler.matching.test_matching import allowed_graph, assert_valid
from tests.scheduler.matching.test_trios import best_grouping, outcome, small_instance


def assert_never_together(result, avoid) -> None:
    barred = {frozenset(p) for p in avoid}
    for g in result.groups:
        for a, b in itertools.combinations(g, 2):
            assert frozenset((a, b)) not in barred, f"{g} groups an avoided pair"


def random_avoid(rng: random.Random, cands) -> list[tuple[str, str]]:
    ids = [c.id for c in cands]
    # Each pair in a random order: whoever asked, the rule holds both ways.
    return [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(1, len(ids)))]


def test_avoided_pairs_are_never_grouped_and_nobody_else_is_left_out_for_it():
    rng = random.Random("avoid")
    for trial in range(400):
        cands, history = small_instance(rng, rng.choice(["organisations", "history", "dominant", "sparse"]))
        avoid = random_avoid(rng, cands)
        trio = match(cands, history, seed=trial, odd="trio", avoid=avoid)
        assert_valid(cands, history, trio, "trio")
        assert_never_together(trio, avoid)
        assert outcome(cands, trio) == best_grouping(cands, history, avoid), trial
        sit_out = match(cands, history, seed=trial, odd="sit_out", avoid=avoid)
        assert_never_together(sit_out, avoid)
        reference = nx.max_weight_matching(allowed_graph(cands, history + avoid), maxcardinality=True)
        assert len(sit_out.groups) == len(reference), trial


def test_an_avoided_pair_stays_apart_even_when_that_leaves_both_out():
    cands = [Candidate("ana", "Acme"), Candidate("ben", "Beta")]
    for avoid in ([("ana", "ben")], [("ben", "ana")]):
        for seed in range(10):
            assert match(cands, [], seed, avoid=avoid).unmatched == ["ana", "ben"]


def test_an_avoided_pair_is_never_in_a_trio_together():
    # Three people, all allowed to meet: the trio would be everyone, but cy asked not
    # to be paired with ana, so only ana-ben or ben-cy can happen.
    cands = [Candidate("ana", "Acme"), Candidate("ben", "Beta"), Candidate("cy", "Cyan")]
    assert match(cands, [], 1, odd="trio").groups == [("ana", "ben", "cy")]
    for seed in range(20):
        res = match(cands, [], seed, odd="trio", avoid=[("cy", "ana")])
        assert res.groups in ([("ana", "ben")], [("ben", "cy")]) and len(res.unmatched) == 1


def test_unmentor_match_reads_avoid_from_its_input():
    doc = {
        "members": [{"id": x, "organisation": x.upper()} for x in ("ana", "ben", "cy", "dee")],
        "history": [],
        "avoid": [["ben", "ana"], ["ana", "cy"]],
        "odd": "sit_out",
    }
    for seed in range(10):
        out = run_match({**doc, "seed": seed})
        assert ["ana", "dee"] in out["groups"] and ["ben", "cy"] in out["groups"], json.dumps(out)
