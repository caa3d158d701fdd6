"""Monthly unmentoring pairs: a maximum matching across organisations that never repeats a past pair."""

from __future__ import annotations

import itertools
import random
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from scheduler.matching import refine
from scheduler.matching.blossom import Matcher
from scheduler.matching.trios import place_trios


class Odd(str, Enum):
    """What becomes of the one left over when the number of people is odd."""

    trio = "trio"        # joins a pair as a group of three
    sit_out = "sit_out"  # sits this round out, first in line next time


ODD_MODES = tuple(mode.value for mode in Odd)


@dataclass(frozen=True)
class Candidate:
    id: str
    organisation: str
    utc_offset_hours: float | None = None  # for the working-hours preference
    priority: bool = False  # sat out last round: matched first if at all possible


@dataclass(frozen=True)
class MatchResult:
    groups: list[tuple[str, ...]]  # pairs, and trios when odd="trio"
    unmatched: list[str]


def organisation_key(name: str) -> str:
    """Compare organisation names ignoring case, Unicode compatibility forms and spacing."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def lower_bound_unmatched(org_sizes: Iterable[int]) -> int:
    """Fewest people any matching can leave out: the parity, or the surplus of the largest organisation."""
    sizes = list(org_sizes)
    n = sum(sizes)
    largest = max(sizes, default=0)
    return max(n % 2, 2 * largest - n)


def match(
    candidates: Sequence[Candidate],
    history: Iterable[tuple[str, str]],
    seed: int,
    odd: str = Odd.trio.value,
    avoid: Iterable[tuple[str, str]] = (),
) -> MatchResult:
    """Pair people from different organisations who have never met, leaving out as few as possible.

    avoid holds pairs who must never be grouped, in either order (a member's "don't pair
    me with"): as hard a rule as history, never paired nor in a trio together.

    Exact maximum cardinality on the 'allowed pairs' graph; among maximum matchings,
    as many priority people as possible are covered; then, without changing who is
    matched, pairs are nudged towards shared working hours. With odd="trio", people
    still left over join a distinct pair when all three may meet, and the matching is
    chosen so that trios leave out as few people as any grouping into pairs and trios
    could (then as few with priority); a trio whose three share no working hours then
    hands one of them to a pair where all three would, when there is one. Deterministic in (candidates, history, seed,
    odd, avoid), whatever the order of each.
    """
    if odd not in ODD_MODES:
        raise ValueError(f"odd must be one of {ODD_MODES}, not {odd!r}")
    people, matcher, bound = build_matcher(candidates, itertools.chain(history, avoid), seed)
    matcher.run(bound)
    groups, left = _groups(matcher, odd)
    ids = [c.id for c in people]
    out = sorted(tuple(sorted(ids[v] for v in g)) for g in groups)
    return MatchResult(groups=out, unmatched=sorted(ids[v] for v in left))


def build_matcher(
    candidates: Sequence[Candidate], barred: Iterable[tuple[str, str]], seed: int
) -> tuple[list[Candidate], Matcher, int]:
    """People in a fixed order (by id), a matcher over them (never grouping a barred pair:
    met before, or avoided), and the fewest any matching can leave out."""
    people = sorted(candidates, key=lambda c: c.id)
    for a, b in zip(people, people[1:]):
        if a.id == b.id:
            raise ValueError(f"duplicate candidate id {a.id!r}")
    n = len(people)
    index = {c.id: i for i, c in enumerate(people)}
    org_index: dict[str, int] = {}
    org = [org_index.setdefault(organisation_key(c.organisation), len(org_index)) for c in people]
    hist: list[set[int]] = [set() for _ in range(n)]
    for pair in barred:
        a, b = pair
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue  # people who have left, or a malformed self-pair: nothing to avoid
        hist[ia].add(ib)
        hist[ib].add(ia)
    offsets = [c.utc_offset_hours for c in people]
    prio = [bool(c.priority) for c in people]
    sizes = [0] * len(org_index)
    for o in org:
        sizes[o] += 1
    return people, Matcher(org, hist, offsets, prio, random.Random(seed)), lower_bound_unmatched(sizes)


def _groups(matcher: Matcher, odd: str) -> tuple[list[list[int]], list[int]]:
    """Pairs (and trios) from a maximum matching, and who is left out."""
    n, mate = matcher.n, matcher.mate
    pairs = [[v, mate[v]] for v in range(n) if v < mate[v]]
    left = [v for v in range(n) if mate[v] < 0]
    refine.improve_overlap(matcher, pairs)
    groups = [list(pr) for pr in pairs]
    if odd != Odd.trio or not left or not pairs:
        return groups, left
    owner = refine.add_trios(matcher, pairs, left)
    for i, u in owner.items():
        groups[i].append(u)
    taken = set(owner.values())
    left = [u for u in left if u not in taken]
    if not left:
        return _trios_share_hours(matcher, groups), left
    # The quick pass left someone out: another maximum matching may let a trio place
    # them, so the arrangement is found exactly.
    for a, b in pairs:
        mate[a], mate[b] = b, a
    before = {(min(pr), max(pr)) for pr in pairs}
    trios = place_trios(matcher)
    in_trio = {v for t in trios for v in t}
    pairs = [[v, mate[v]] for v in range(n) if v < mate[v] and v not in in_trio]
    # Only pairs the placement made need another look for shared working hours.
    refine.improve_overlap(matcher, pairs, only=[i for i, (a, b) in enumerate(pairs) if (a, b) not in before])
    groups = [list(pr) for pr in pairs] + [list(t) for t in trios]
    return _trios_share_hours(matcher, groups), [v for v in range(n) if mate[v] < 0 and v not in in_trio]


def _trios_share_hours(matcher: Matcher, groups: list[list[int]]) -> list[list[int]]:
    """Trios moved towards shared working hours; the pairs that leaves get their own look."""
    made = set(refine.trios_share_hours(matcher, groups))
    at = [i for i, g in enumerate(groups) if len(g) == 2]
    pairs = [groups[i] for i in at]
    refine.improve_overlap(matcher, pairs, only=[k for k, i in enumerate(at) if i in made])
    for k, i in enumerate(at):
        groups[i] = pairs[k]
    return groups
