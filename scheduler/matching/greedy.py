"""The greedy start: a quick, nearly maximum matching that the blossom search then completes."""

from __future__ import annotations

import heapq
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING

from scheduler.matching.zones import hours_overlap

if TYPE_CHECKING:
    from scheduler.matching.blossom import Matcher

# Partners considered per greedy step: enough that a working-hours match is
# almost always among them, few enough that the greedy stays linear.
_GREEDY_SAMPLES = 12


def greedy_start(m: Matcher) -> None:
    """Randomised greedy start: priority people first, then always someone from the
    organisation with most people still waiting, so large organisations are not
    stranded at the end; partners preferably share working hours."""
    n, org, hist, prio, rng, mate = m.n, m.org, m.hist, m.prio, m.rng, m.mate
    offsets = m.offsets
    pool = list(range(n))
    rng.shuffle(pool)
    pos = [0] * n
    for i, v in enumerate(pool):
        pos[v] = i
    by_org: dict[int, list[int]] = {}
    opos = [0] * n
    for v in pool:
        lst = by_org.setdefault(org[v], [])
        opos[v] = len(lst)
        lst.append(v)
    in_pool = [True] * n

    def remove(v: int) -> None:
        in_pool[v] = False
        i = pos[v]
        last = pool.pop()
        if last != v:
            pool[i] = last
            pos[last] = i
        lst = by_org[org[v]]
        i = opos[v]
        last = lst.pop()
        if last != v:
            lst[i] = last
            opos[last] = i

    k = _GREEDY_SAMPLES

    def choose(u: int) -> int:
        ou, hu = org[u], hist[u]
        total = len(pool)
        others = total - len(by_org[ou])
        if others <= 0:
            return -1
        if others <= k:
            cands = [v for o, lst in by_org.items() if o != ou for v in lst]
        elif 4 * others >= total:
            cands = []
            tries = 0
            while len(cands) < k and tries < 8 * k:
                tries += 1
                v = pool[rng.randrange(total)]
                if org[v] != ou:
                    cands.append(v)
        else:
            # u's organisation dominates what is left: sample other
            # organisations by size instead of rejecting almost every draw.
            orgs = [o for o, lst in by_org.items() if o != ou and lst]
            cum = list(accumulate(len(by_org[o]) for o in orgs))
            cands = []
            for _ in range(k):
                r = rng.randrange(cum[-1])
                j = bisect_right(cum, r)
                lst = by_org[orgs[j]]
                cands.append(lst[r - (cum[j - 1] if j else 0)])
        cands = [v for v in cands if v not in hu]
        if not cands:
            cands = [v for o, lst in by_org.items() if o != ou for v in lst if v not in hu]
            if not cands:
                return -1
        ofu = offsets[u]
        best, best_key = -1, None
        for v in cands:
            key = (prio[v], hours_overlap(ofu, offsets[v]), len(by_org[org[v]]))
            if best_key is None or key > best_key:
                best, best_key = v, key
        return best

    def pair_up(u: int) -> None:
        remove(u)
        v = choose(u)
        if v >= 0:
            remove(v)
            mate[u], mate[v] = v, u
            m.free_count -= 2

    tiebreak = {o: rng.random() for o in by_org}
    first = [v for v in range(n) if prio[v]]
    rng.shuffle(first)
    first.sort(key=lambda v: -len(by_org[org[v]]))
    for u in first:
        if in_pool[u]:
            pair_up(u)

    heap = [(-len(lst), tiebreak[o], o) for o, lst in by_org.items() if lst]
    heapq.heapify(heap)
    while heap:
        neg, _, o = heapq.heappop(heap)
        lst = by_org[o]
        if len(lst) != -neg:
            continue  # stale entry: a fresher one for o is in the heap
        u = lst[rng.randrange(len(lst))]
        pair_up(u)
        v = mate[u]
        for oo in {o, org[v]} if v >= 0 else (o,):
            if by_org[oo]:
                heapq.heappush(heap, (-len(by_org[oo]), tiebreak[oo], oo))
