"""Refinements that keep who is matched: working-hours swaps between pairs, and trios for the people left over."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from scheduler.matching.blossom import Matcher

# Caps on the best-effort passes so that pathological inputs stay fast; the
# exact phases (cardinality, priority and trio placement) have no caps.
_OVERLAP_SWAP_BUDGET = 200_000
_OVERLAP_SWAP_TRIES = 64
_TRIO_SCAN_BUDGET = 5_000_000
_TRIO_HOURS_BUDGET = 2_000_000


def shares_hours(m: Matcher, group: Sequence[int]) -> bool:
    """Whether everyone in the group shares working hours, by the same test as a pair: in a trio
    every two of the three do, so all three fall within OVERLAP_HOURS of each other (round the
    clock) and their 09:00-17:30 days still have hours in common for the intro to suggest."""
    return all(m.overlap(x, y) for x, y in combinations(group, 2))


def improve_overlap(m: Matcher, pairs: list[list[int]], only: Iterable[int] | None = None) -> None:
    """Swap partners between two pairs when that gives more pairs with shared working
    hours; the set of matched people, hence cardinality and priority, is unchanged.
    With only, just those pairs (by index) are tried: the others had their turn."""
    ov, ok = m.overlap, m.allowed
    bad = [i for i in (range(len(pairs)) if only is None else only) if not ov(*pairs[i])]
    if not bad or len(pairs) < 2:
        return
    order = list(range(len(pairs)))
    m.rng.shuffle(order)
    budget = _OVERLAP_SWAP_BUDGET
    start = 0
    for i in bad:
        if budget <= 0:
            break
        a, b = pairs[i]
        if ov(a, b):
            continue
        # Other mismatched pairs are the likeliest partners for a swap; a
        # rotating window over all pairs covers the rest.
        window = [order[(start + j) % len(order)] for j in range(min(_OVERLAP_SWAP_TRIES, len(order)))]
        tries = bad[:_OVERLAP_SWAP_TRIES] + window
        start += _OVERLAP_SWAP_TRIES
        for j in tries:
            if j == i:
                continue
            budget -= 1
            c, d = pairs[j]
            before = ov(c, d)
            if ok(a, c) and ok(b, d) and ov(a, c) + ov(b, d) > before:
                pairs[i], pairs[j] = [a, c], [b, d]
                break
            if ok(a, d) and ok(b, c) and ov(a, d) + ov(b, c) > before:
                pairs[i], pairs[j] = [a, d], [b, c]
                break


def add_trios(m: Matcher, pairs: list[list[int]], left: list[int]) -> dict[int, int]:
    """Give each left-over person a pair that all three may share.

    No two left-over people u1, u2 can both fit one pair (a, b): u1-a=b-u2 would
    be an augmenting path, and the matching is maximum. So taking any fitting
    pair never blocks anyone else, and no search is needed.
    """
    org, hist, prio, rng = m.org, m.hist, m.prio, m.rng
    order = list(range(len(pairs)))
    rng.shuffle(order)
    per_org: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    budget = _TRIO_SCAN_BUDGET
    for u in sorted(left, key=lambda u: not prio[u]):
        o, hu = org[u], hist[u]
        opts = per_org.get(o)
        if opts is None:
            opts = [i for i in order if org[pairs[i][0]] != o and org[pairs[i][1]] != o]
            per_org[o] = opts
        pick = -1
        for i in opts:
            budget -= 1
            if budget < 0:
                break
            a, b = pairs[i]
            if i in owner or a in hu or b in hu:
                continue
            if pick < 0:
                pick = i
            if shares_hours(m, (u, a, b)):
                pick = i
                break
        if pick >= 0:
            owner[pick] = u
    return owner


def trios_share_hours(m: Matcher, groups: list[list[int]]) -> list[int]:
    """Where a trio shares no working hours, one of its three joins another pair instead, when
    all three there share hours and may meet; the two it leaves stay together as a pair.

    Everyone stays in a group (cardinality, priority and trio placement are unchanged), and no
    one is worse off for it: before, the three in the trio could find no time, and after, two at
    most can't. Among such moves, one that leaves a pair sharing hours too comes first.
    Returns the indexes of the groups that became pairs, for another look at their hours.
    """
    ok = m.allowed
    budget = _TRIO_HOURS_BUDGET
    made: list[int] = []
    moved = True
    while moved and budget > 0:
        moved = False
        for i, trio in enumerate(groups):
            if len(trio) != 3 or shares_hours(m, trio):
                continue
            best = None
            for x in trio:
                rest = [v for v in trio if v != x]
                for j, pair in enumerate(groups):
                    budget -= 1
                    if len(pair) != 2 or not (ok(x, pair[0]) and ok(x, pair[1])):
                        continue
                    if shares_hours(m, pair + [x]):
                        if best is None or (m.overlap(*rest) and not m.overlap(*best[2])):
                            best = (x, j, rest)
                        if m.overlap(*rest):
                            break
                if best is not None and m.overlap(*best[2]):
                    break
            if best is not None:
                x, j, rest = best
                groups[j] = groups[j] + [x]
                groups[i] = rest
                made.append(i)
                moved = True
    return made
