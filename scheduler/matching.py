"""Monthly unmentoring pairs: a maximum matching across organisations that never repeats a past pair."""

from __future__ import annotations

import heapq
import math
import random
import unicodedata
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import accumulate, islice
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Candidate",
    "MatchResult",
    "OVERLAP_HOURS",
    "REFERENCE_INSTANT",
    "lower_bound_unmatched",
    "match",
    "match_json",
    "organisation_key",
    "utc_offset_hours",
]

# Two offsets at most this far apart share enough of a 9-to-5 day to meet.
OVERLAP_HOURS = 5.0

# IANA zones are resolved at one fixed instant so that matching stays a pure
# function of its input (no clock); mid-January keeps a whole run on one side
# of every daylight-saving change.
REFERENCE_INSTANT = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)

ODD_MODES = ("trio", "sit_out")

# Partners considered per greedy step: enough that a working-hours match is
# almost always among them, few enough that the greedy stays linear.
_GREEDY_SAMPLES = 12
# Caps on the best-effort passes so that pathological inputs stay fast; the
# exact phases (cardinality and priority) have no caps.
_OVERLAP_SWAP_BUDGET = 200_000
_OVERLAP_SWAP_TRIES = 64
_TRIO_SCAN_BUDGET = 5_000_000


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


def utc_offset_hours(value: object) -> float | None:
    """Hours east of UTC for an IANA zone name or a number of hours; None when unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"timezone must be an IANA name or a number of hours, not {value!r}")
    if isinstance(value, (int, float)):
        hours = float(value)
        if not math.isfinite(hours) or not -14.0 <= hours <= 14.0:
            raise ValueError(f"timezone offset {value!r} is not between -14 and +14 hours")
        return hours
    if isinstance(value, str):
        try:
            zone = ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        offset = REFERENCE_INSTANT.astimezone(zone).utcoffset()
        assert offset is not None
        return offset.total_seconds() / 3600.0
    raise ValueError(f"timezone must be an IANA name or a number of hours, not {value!r}")


def _hours_overlap(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return True  # unknown: no reason to avoid the pair
    d = abs(a - b) % 24.0
    return min(d, 24.0 - d) <= OVERLAP_HOURS  # +14 and -10 are two hours apart, not 24


class _Matcher:
    """Maximum-cardinality matching on the implicit graph 'different organisation and never met'.

    The graph is nearly complete multipartite, so adjacency is never stored:
    u ~ v iff org[u] != org[v] and v not in hist[u]. Searches walk per-organisation
    buckets so that skipping a whole organisation costs one step.
    """

    def __init__(self, org, hist, offsets, prio, rng):
        self.n = len(org)
        self.org = org
        self.hist = hist
        self.offsets = offsets
        self.prio = prio
        self.rng = rng
        self.mate = [-1] * self.n
        # A vertex dies when it belongs to a Hungarian tree (failed search):
        # by Edmonds' theorem no later augmenting path can use it.
        self.alive = [True] * self.n
        self.free_count = self.n
        self.free_by_org: dict[int, dict[int, None]] = {}
        self.unl_by_org: dict[int, dict[int, None]] = {}

    def overlap(self, u: int, v: int) -> bool:
        return _hours_overlap(self.offsets[u], self.offsets[v])

    def allowed(self, u: int, v: int) -> bool:
        return self.org[u] != self.org[v] and v not in self.hist[u]

    # ----------------------------------------------------------------- greedy
    def greedy(self) -> None:
        """Randomised greedy start: priority people first, then always someone from the
        organisation with most people still waiting, so large organisations are not
        stranded at the end; partners preferably share working hours."""
        n, org, hist, prio, rng, mate = self.n, self.org, self.hist, self.prio, self.rng, self.mate
        offsets = self.offsets
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
                key = (prio[v], _hours_overlap(ofu, offsets[v]), len(by_org[org[v]]))
                if best_key is None or key > best_key:
                    best, best_key = v, key
            return best

        def pair_up(u: int) -> None:
            remove(u)
            v = choose(u)
            if v >= 0:
                remove(v)
                mate[u], mate[v] = v, u
                self.free_count -= 2

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

    # --------------------------------------------------------------- searches
    def _index(self) -> None:
        self.free_by_org = {}
        self.unl_by_org = {}
        for v in range(self.n):
            if not self.alive[v]:
                continue
            target = self.free_by_org if self.mate[v] < 0 else self.unl_by_org
            target.setdefault(self.org[v], {})[v] = None

    def _drop_free(self, v: int) -> None:
        bucket = self.free_by_org[self.org[v]]
        del bucket[v]
        if not bucket:
            del self.free_by_org[self.org[v]]

    def search(self, root: int, for_priority: bool) -> bool:
        """Edmonds' blossom search (single alternating tree, BFS) from a free root.

        Normal mode stops at a free vertex (augment). Priority mode also stops at an
        even-level matched non-priority vertex w: flipping the even alternating path
        root..w matches the root and frees w, keeping the cardinality. Returns True if
        the root was matched; otherwise the tree is Hungarian and is discarded.
        """
        org, hist, mate, prio = self.org, self.hist, self.mate, self.prio
        free_by_org, unl_by_org = self.free_by_org, self.unl_by_org
        self._drop_free(root)

        p: dict[int, int] = {}
        is_even: dict[int, None] = {}
        evens: list[int] = []  # in the order they became even
        # Even vertices by organisation, split into the root's blossom and the rest:
        # the root's blossom only grows, and inside it no edge matters any more.
        in_root: dict[int, list[int]] = {}
        outside: dict[int, list[int]] = {}
        odds: list[int] = []
        queue: deque[int] = deque()
        uf: dict[int, int] = {}  # blossom membership (union-find, roots absent)
        base_of: dict[int, int] = {}

        def find(v: int) -> int:
            r = v
            while r in uf:
                r = uf[r]
            while v != r:
                nxt = uf[v]
                uf[v] = r
                v = nxt
            return r

        def base(v: int) -> int:
            r = find(v)
            return base_of.get(r, r)

        def free_neighbour(x: int) -> int:
            ox, hx = org[x], hist[x]
            for o, bucket in free_by_org.items():
                if o != ox:
                    for f in bucket:
                        if f not in hx:
                            return f
            return -1

        def make_even(v: int):
            is_even[v] = None
            evens.append(v)
            (in_root if base(v) == root else outside).setdefault(org[v], []).append(v)
            queue.append(v)
            f = free_neighbour(v)
            if f >= 0:
                p[f] = v
                return ("free", f)
            if for_priority and v != root and not prio[v]:
                return ("swap", v)
            return None

        def grow(x: int):
            ox, hx = org[x], hist[x]
            # Emptied buckets are dropped so that scans cost what is left, not
            # the number of organisations (thousands of tiny ones are plausible).
            for o in list(unl_by_org):
                if o == ox:
                    continue
                bucket = unl_by_org.get(o)
                while bucket:
                    chunk = list(islice((y for y in bucket if y not in hx), 32))
                    if not chunk:
                        break
                    for y in chunk:
                        del bucket[y]
                        if not bucket:
                            del unl_by_org[o]
                        m = mate[y]
                        mb = unl_by_org[org[m]]
                        del mb[m]
                        if not mb:
                            del unl_by_org[org[m]]
                        p[y] = x
                        odds.append(y)
                        t = make_even(m)
                        if t is not None:
                            return t
            return None

        def lca(a: int, b: int) -> int:
            seen = set()
            while True:
                a = base(a)
                seen.add(a)
                if a == root:
                    break
                a = p[mate[a]]
            while True:
                b = base(b)
                if b in seen:
                    return b
                b = p[mate[b]]

        def mark_path(v: int, b: int, child: int, marked: dict[int, None]) -> None:
            while base(v) != b:
                mv = mate[v]
                marked[base(v)] = None
                marked[base(mv)] = None
                p[v] = child
                child = mv
                v = p[mv]

        def contract(x: int, y: int):
            b = lca(x, y)
            marked: dict[int, None] = {}
            mark_path(x, b, y, marked)
            mark_path(y, b, x, marked)
            rb = find(b)
            for m in marked:
                rm = find(m)
                if rm != rb:
                    uf[rm] = rb
            base_of[rb] = b
            # Only odd vertices are outside every blossom, so the odd ones
            # swallowed here are exactly the marked singletons not yet even.
            for m in marked:
                if m not in is_even:
                    t = make_even(m)
                    if t is not None:
                        return t
            return None

        def even_even(x: int):
            # Every even-even edge gets looked at when its second end is scanned.
            # Edges into the root's blossom need one witness, not all of them; a
            # failed search in a dense graph ends as one giant root blossom, and
            # this keeps it linear instead of quadratic.
            ox, hx = org[x], hist[x]
            if base(x) != root:
                witness = -1
                for o, lst in in_root.items():
                    if o != ox:
                        witness = next((y for y in lst if y not in hx), -1)
                        if witness >= 0:
                            break
                if witness >= 0:
                    t = contract(x, witness)  # lca is the root: x joins its blossom
                    if t is not None:
                        return t
            for o in list(outside):
                if o == ox:
                    continue
                lst = outside[o]
                keep: list[int] = []
                i = 0
                while i < len(lst):  # contractions may append to lst
                    y = lst[i]
                    i += 1
                    by = base(y)
                    if by == root:
                        in_root.setdefault(o, []).append(y)
                    else:
                        keep.append(y)
                    if y in hx or by == base(x):
                        continue
                    t = contract(x, y)
                    if t is not None:
                        return t
                if keep:
                    outside[o] = keep
                else:
                    del outside[o]
            return None

        t = make_even(root)
        ee_next = 0
        # Growing first and contracting only when growth is exhausted keeps the
        # common case (a short path to a free vertex) free of blossom work.
        while t is None:
            if queue:
                t = grow(queue.popleft())
            elif ee_next < len(evens):
                ee_next += 1
                t = even_even(evens[ee_next - 1])
            else:
                break

        tree = evens + odds
        if t is None:
            for v in tree:
                self.alive[v] = False
            return False

        kind, end = t
        if kind == "free":
            self._drop_free(end)
            v = end
            self.free_count -= 2
        else:
            v = mate[end]
            mate[end] = -1
        while v != -1:
            pv = p[v]
            ppv = mate[pv]
            mate[v], mate[pv] = pv, v
            v = ppv
        if kind == "free":
            tree.append(end)
        for v in tree:
            target = unl_by_org if mate[v] >= 0 else free_by_org
            target.setdefault(org[v], {})[v] = None
        return True

    def run(self, lower_bound: int) -> None:
        self.greedy()
        self._index()
        rng = self.rng
        # Priority phase: the vertex sets a matching can cover form a matroid, so
        # matching priority people one by one (never unmatching one) covers as many
        # of them as any maximum matching can; later augmentations keep them covered.
        roots = [v for v in range(self.n) if self.prio[v] and self.mate[v] < 0]
        rng.shuffle(roots)
        for r in roots:
            if self.alive[r] and self.mate[r] < 0:
                self.search(r, for_priority=True)
        roots = [v for v in range(self.n) if self.mate[v] < 0 and self.alive[v]]
        rng.shuffle(roots)
        for r in roots:
            if self.free_count <= lower_bound:
                break  # provably optimal: nothing left to find
            if self.alive[r] and self.mate[r] < 0:
                self.search(r, for_priority=False)

    # ------------------------------------------------------------ refinements
    def improve_overlap(self, pairs: list[list[int]]) -> None:
        """Swap partners between two pairs when that gives more pairs with shared working
        hours; the set of matched people, hence cardinality and priority, is unchanged."""
        ov, ok = self.overlap, self.allowed
        bad = [i for i, (a, b) in enumerate(pairs) if not ov(a, b)]
        if not bad or len(pairs) < 2:
            return
        order = list(range(len(pairs)))
        self.rng.shuffle(order)
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

    def add_trios(self, pairs: list[list[int]], left: list[int]) -> dict[int, int]:
        """Give each left-over person a pair that all three may share.

        No two left-over people u1, u2 can both fit one pair (a, b): u1-a=b-u2 would
        be an augmenting path, and the matching is maximum. So taking any fitting
        pair never blocks anyone else, and no search is needed.
        """
        org, hist, prio, rng = self.org, self.hist, self.prio, self.rng
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
                if self.overlap(u, a) and self.overlap(u, b):
                    pick = i
                    break
            if pick >= 0:
                owner[pick] = u
        return owner


def match(
    candidates: Sequence[Candidate],
    history: Iterable[tuple[str, str]],
    seed: int,
    odd: str = "trio",
) -> MatchResult:
    """Pair people from different organisations who have never met, leaving out as few as possible.

    Exact maximum cardinality on the 'allowed pairs' graph; among maximum matchings,
    as many priority people as possible are covered; then, without changing who is
    matched, pairs are nudged towards shared working hours. With odd="trio", people
    still left over join a distinct pair when all three may meet. Deterministic in
    (candidates, history, seed, odd), whatever the order of candidates and history.
    """
    if odd not in ODD_MODES:
        raise ValueError(f"odd must be one of {ODD_MODES}, not {odd!r}")
    people = sorted(candidates, key=lambda c: c.id)
    for a, b in zip(people, people[1:]):
        if a.id == b.id:
            raise ValueError(f"duplicate candidate id {a.id!r}")
    n = len(people)
    index = {c.id: i for i, c in enumerate(people)}
    org_index: dict[str, int] = {}
    org = [org_index.setdefault(organisation_key(c.organisation), len(org_index)) for c in people]
    hist: list[set[int]] = [set() for _ in range(n)]
    for pair in history:
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
    matcher = _Matcher(org, hist, offsets, prio, random.Random(seed))
    matcher.run(lower_bound_unmatched(sizes))

    mate = matcher.mate
    pairs = [[v, mate[v]] for v in range(n) if v < mate[v]]
    left = [v for v in range(n) if mate[v] < 0]
    matcher.improve_overlap(pairs)
    groups = [list(pr) for pr in pairs]
    if odd == "trio" and left and pairs:
        owner = matcher.add_trios(pairs, left)
        for i, u in owner.items():
            groups[i].append(u)
        taken = set(owner.values())
        left = [u for u in left if u not in taken]

    ids = [c.id for c in people]
    out = sorted(tuple(sorted(ids[v] for v in g)) for g in groups)
    return MatchResult(groups=out, unmatched=sorted(ids[v] for v in left))


def match_json(doc: dict) -> dict:
    """JSON front end for the CLI: validates the document, runs match() and returns plain lists.

    Input: {"members": [{"id", "organisation", "timezone"?, "priority"?}], "history": [[id, id], ...],
    "seed": int, "odd": "trio" | "sit_out"}. Past trios may be given as [id, id, id].
    """
    if not isinstance(doc, dict):
        raise ValueError("input must be a JSON object")
    members = doc.get("members")
    if not isinstance(members, list):
        raise ValueError('"members" must be a list of objects')
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for i, m in enumerate(members):
        if not isinstance(m, dict):
            raise ValueError(f"members[{i}] must be an object")
        mid = m.get("id")
        if not isinstance(mid, str) or not mid.strip():
            raise ValueError(f"members[{i}] has no id (a non-empty string is required)")
        if mid in seen:
            raise ValueError(f"duplicate member id {mid!r}")
        seen.add(mid)
        organisation = m.get("organisation")
        if not isinstance(organisation, str) or not organisation_key(organisation):
            raise ValueError(f"member {mid!r} has no organisation (a non-empty string is required)")
        try:
            offset = utc_offset_hours(m.get("timezone"))
        except ValueError as exc:
            raise ValueError(f"member {mid!r}: {exc}") from None
        priority = m.get("priority", False)
        if not isinstance(priority, bool):
            raise ValueError(f"member {mid!r}: priority must be true or false")
        candidates.append(Candidate(mid, organisation, offset, priority))

    raw_history = doc.get("history", [])
    if not isinstance(raw_history, list):
        raise ValueError('"history" must be a list of [id, id] pairs')
    history: list[tuple[str, str]] = []
    for i, group in enumerate(raw_history):
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(x, str) for x in group)
        ):
            raise ValueError(f"history[{i}] must be a list of two (or three) member ids")
        history.extend((a, b) for j, a in enumerate(group) for b in group[j + 1 :])

    seed = doc.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError('"seed" must be an integer')
    odd = doc.get("odd", "trio")
    if odd not in ODD_MODES:
        raise ValueError(f'"odd" must be "trio" or "sit_out", not {odd!r}')

    result = match(candidates, history, seed, odd)
    return {"groups": [list(g) for g in result.groups], "unmatched": list(result.unmatched)}
