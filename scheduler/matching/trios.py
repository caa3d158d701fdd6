"""Exact trio placement: a maximum matching rearranged so that trios leave out as few people as possible.

The Gallai–Edmonds theorem says which people some maximum matching leaves out (the set D)
and how every maximum matching treats them. D falls into connected components (connected
by allowed pairs inside D); each component is either joined to one partner from outside
(from A, the people next to D, each matched into a different component) or has exactly
one of its own members left over, and everyone else in it is matched inside it. The rest
(C) is always matched within itself. So a person left over can only join a pair from
their own component (nobody in C is next to them, and someone from A is paired into
another component, or into theirs, which then has nobody left over), and a trio
saves a component's left-over member exactly when some trio inside it leaves the rest
perfectly matched: call such a component saveable.

Which components keep a left-over member is the one free choice, and the sets of people
a maximum matching can cover form a matroid; so covering, most important first, members
of unsaveable components with priority, then the rest of the unsaveable, with the same
exchange searches as the priority phase, leaves over members of saveable components
wherever any maximum matching could. Each of them then gets their trio.
"""

from __future__ import annotations

from itertools import combinations

from scheduler.matching import refine
from scheduler.matching.blossom import Matcher

Trio = tuple[int, int, int]  # (the person joining, and the pair they join)


def place_trios(m: Matcher) -> list[Trio]:
    """On a maximum matching, rearrange m.mate and return the trios that save the most people.

    The pairs of the returned trios stay in m.mate (each trio's third person is unmatched
    there). Who is left out is as few as any maximum matching plus trios allows, and among
    those as few people with priority.
    """
    mate, prio = m.mate, m.prio
    comp_of, witnesses = _saveable_components(m)
    if not witnesses:
        return []  # no trio can save anyone, and priority was settled with the matching
    members = {}
    for v, i in comp_of.items():
        members.setdefault(i, []).append(v)

    def weight(v: int) -> int:
        i = comp_of.get(v)
        if i is None:
            return 3  # in A or C: every maximum matching covers them
        if i in witnesses:
            return 0  # left over here, they are saved by a trio
        return 2 if prio[v] else 1

    for tier in (2, 1):
        m.restart()
        roots = [v for v in range(m.n) if mate[v] < 0 and weight(v) == tier]
        m.rng.shuffle(roots)
        for r in roots:
            if m.alive[r] and mate[r] < 0:
                m.search(r, swap_to=lambda w, tier=tier: weight(w) < tier)

    left = [v for v in range(m.n) if mate[v] < 0]
    pairs = [[v, mate[v]] for v in range(m.n) if v < mate[v]]
    # A pair already in place is preferred when one fits (it may share working hours);
    # otherwise the component's own arrangement, found when it was judged, is used.
    owner = refine.add_trios(m, pairs, left)
    trios: list[Trio] = [(u, pairs[i][0], pairs[i][1]) for i, u in owner.items()]
    placed = set(owner.values())
    for u in left:
        i = comp_of.get(u)
        if u in placed or i not in witnesses:
            continue
        joining, a, b, rest = witnesses[i]
        for x in members[i]:
            mate[x] = -1
        for x, y in rest + [(a, b)]:
            mate[x], mate[y] = y, x
        trios.append((joining, a, b))
    return trios


def _saveable_components(m: Matcher) -> tuple[dict[int, int], dict[int, tuple]]:
    """Components of D (by index, for each of their members) and, for the saveable ones, a
    witness: (joining, a, b, pairs) with a-b the trio's pair and pairs matching the rest."""
    m.restart()
    outer: list[int] = []
    for r in [v for v in range(m.n) if m.mate[v] < 0]:
        if m.alive[r]:
            # The matching is maximum, so the search fails; its tree's even vertices
            # are exactly the people some maximum matching leaves out.
            m.search(r, record=outer)
    comp_of: dict[int, int] = {}
    witnesses: dict[int, tuple] = {}
    for i, comp in enumerate(_components(m, outer)):
        for v in comp:
            comp_of[v] = i
        if len(comp) >= 3 and len({m.org[v] for v in comp}) >= 3:
            found = _trio_witness(m, comp)
            if found is not None:
                witnesses[i] = found
    return comp_of, witnesses


def _components(m: Matcher, vertices: list[int]) -> list[list[int]]:
    """Connected components of the allowed-pairs graph on these vertices.

    Unreached people are kept per organisation; a scan that keeps someone has found a
    past pair, so the whole walk costs the people, the organisations and the history.
    """
    org, hist = m.org, m.hist
    unreached: dict[int, dict[int, None]] = {}
    for v in sorted(vertices):
        unreached.setdefault(org[v], {})[v] = None
    comps: list[list[int]] = []
    for s in sorted(vertices):
        bucket = unreached.get(org[s])
        if bucket is None or s not in bucket:
            continue
        del bucket[s]
        if not bucket:
            del unreached[org[s]]
        comp, i = [s], 0
        while i < len(comp):
            x = comp[i]
            i += 1
            ox, hx = org[x], hist[x]
            for o in list(unreached):
                if o == ox:
                    continue
                bucket = unreached[o]
                reached = [y for y in bucket if y not in hx]
                for y in reached:
                    del bucket[y]
                if not bucket:
                    del unreached[o]
                comp.extend(reached)
        comps.append(comp)
    return comps


def _trio_witness(m: Matcher, comp: list[int]) -> tuple | None:
    """A trio inside this component that leaves the rest of it perfectly matched, or None.

    The component is factor-critical (any one member can be the one left over). For each
    member v and each allowed partner a, the people b who can be left over once v and a
    are out are the even vertices of one alternating tree; b completes the trio if it
    may meet both. In the large, dense components of real workspaces a pair already in
    place almost always fits the one left over, which costs one scan.
    """
    inside = set(comp)
    mate, ok = m.mate, m.allowed
    f = next(g for g in comp if mate[g] not in inside)  # the one not matched inside it
    for a in comp:
        b = mate[a]
        if b in inside and ok(f, a) and ok(f, b):
            return f, a, b, [(x, mate[x]) for x in comp if x < mate[x] and mate[x] in inside and x not in (a, b)]

    # No pair in place fits: look properly, on a copy of the component alone.
    loc = {g: i for i, g in enumerate(comp)}
    k = len(comp)
    sub = Matcher(
        [m.org[g] for g in comp],
        [{loc[w] for w in m.hist[g] if w in loc} for g in comp],
        [None] * k, [False] * k, m.rng,
    )
    base = [loc.get(mate[g], -1) for g in comp]  # its one partner outside, if any, is dropped
    f = loc[f]
    ok = sub.allowed

    def start(mates: list[int], dead: tuple[int, ...] = ()) -> None:
        sub.mate = list(mates)
        sub.restart(dead)

    def witness(v: int, a: int, b: int) -> tuple:
        rest = [(comp[x], comp[y]) for x, y in enumerate(sub.mate) if x < y and {x, y}.isdisjoint((v, a, b))]
        return comp[v], comp[a], comp[b], rest

    for v in range(k):
        near = [a for a in range(k) if ok(v, a)]
        if not any(ok(a, b) for a, b in combinations(near, 2)):
            continue  # in no trio at all: no need for a matching without them
        start(base)
        if v != f and not sub.search(f, swap_to=lambda w, v=v: w == v):
            continue  # cannot happen in a factor-critical component; nothing to build on
        without_v = list(sub.mate)  # a perfect matching of the component less v
        near_set = set(near)
        for a in near:
            if without_v[a] in near_set:
                return witness(v, a, without_v[a])
        for a in near:
            common = {b for b in near if b != a and ok(a, b)}
            if not common:
                continue
            a_mate = without_v[a]
            trial = list(without_v)
            trial[a] = trial[a_mate] = -1
            start(trial, (v, a))
            outer: list[int] = []
            sub.search(a_mate, record=outer)  # fails: one person over an odd count
            hits = common.intersection(outer)
            if hits:
                b = min(hits)
                start(trial, (v, a))
                sub.search(a_mate, swap_to=lambda w, b=b: w == b)
                return witness(v, a, b)
    return None
