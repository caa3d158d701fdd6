"""Seeded synthetic matching instances (skewed organisations, realistic past rounds) for benchmarks and tests."""

from __future__ import annotations

import random
from dataclasses import dataclass

from scheduler.matching import Candidate, lower_bound_unmatched, match, organisation_key

# Offsets where members of a workspace plausibly live; organisations cluster
# around a home zone, as real ones do.
_ZONES = (-8.0, -7.0, -6.0, -5.0, -3.0, 0.0, 1.0, 2.0, 3.0, 5.5, 8.0, 9.0, 10.0, 12.0)


@dataclass(frozen=True)
class Instance:
    candidates: list[Candidate]
    history: list[tuple[str, str]]
    lower_bound: int  # fewest unmatched any matching can achieve (counting bound)


def skewed_sizes(n: int, n_orgs: int, largest_fraction: float = 0.2) -> list[int]:
    """Organisation sizes summing to n: the largest exactly largest_fraction of n, the rest Zipf-like."""
    largest = round(n * largest_fraction)
    rest, k = n - largest, n_orgs - 1
    if k <= 0 or rest < k or rest > k * largest:
        raise ValueError(f"cannot split {n} members into {n_orgs} organisations with the largest {largest}")
    weights = [1.0 / (i + 1) for i in range(k)]
    total = sum(weights)
    sizes = [min(largest, max(1, int(rest * w / total))) for w in weights]
    i = 0
    while sum(sizes) < rest:  # rounding and clipping leftovers, handed out from the top
        if sizes[i % k] < largest:
            sizes[i % k] += 1
        i += 1
    while sum(sizes) > rest:
        j = max(range(k), key=sizes.__getitem__)
        sizes[j] -= 1
    return [largest] + sizes


def make_members(n: int, n_orgs: int, seed: int, largest_fraction: float = 0.2) -> list[Candidate]:
    rng = random.Random(seed)
    members = []
    for o, size in enumerate(skewed_sizes(n, n_orgs, largest_fraction)):
        home = rng.choice(_ZONES)
        for _ in range(size):
            zone = home if rng.random() < 0.7 else rng.choice(_ZONES)
            members.append((f"Org {o:03d}", zone))
    rng.shuffle(members)
    return [Candidate(f"m{i:05d}", org, zone) for i, (org, zone) in enumerate(members)]


def make_history(candidates: list[Candidate], rounds: int, seed: int) -> list[tuple[str, str]]:
    """Past rounds produced the way production does: match() round after round, each
    round's sit-outs getting priority in the next; a past trio yields its three pairs."""
    history: list[tuple[str, str]] = []
    waiting: set[str] = set()
    for r in range(rounds):
        people = [Candidate(c.id, c.organisation, c.utc_offset_hours, c.id in waiting) for c in candidates]
        result = match(people, history, seed * 1000 + r, "trio")
        for g in result.groups:
            history.extend((g[i], g[j]) for i in range(len(g)) for j in range(i + 1, len(g)))
        waiting = set(result.unmatched)
    return history


def make_instance(n: int, n_orgs: int, rounds: int, seed: int, largest_fraction: float = 0.2) -> Instance:
    candidates = make_members(n, n_orgs, seed, largest_fraction)
    history = make_history(candidates, rounds, seed)
    sizes: dict[str, int] = {}
    for c in candidates:
        key = organisation_key(c.organisation)
        sizes[key] = sizes.get(key, 0) + 1
    return Instance(candidates, history, lower_bound_unmatched(sizes.values()))
