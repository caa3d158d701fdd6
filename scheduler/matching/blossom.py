"""Maximum-cardinality matching by Edmonds' blossom search on the implicit graph of allowed pairs."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Callable, Iterable

from scheduler.matching.greedy import greedy_start
from scheduler.matching.zones import hours_overlap


class Matcher:
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
        return hours_overlap(self.offsets[u], self.offsets[v])

    def allowed(self, u: int, v: int) -> bool:
        return self.org[u] != self.org[v] and v not in self.hist[u]

    # ----------------------------------------------------------------- greedy
    def greedy(self) -> None:
        """Randomised greedy start (see scheduler.matching.greedy)."""
        greedy_start(self)

    # --------------------------------------------------------------- searches
    def restart(self, dead: Iterable[int] = ()) -> None:
        """Forget every earlier search: a new criterion (or a changed graph) needs fresh trees."""
        self.alive = [True] * self.n
        for v in dead:
            self.alive[v] = False
        self._index()

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

    def search(self, root: int, swap_to: Callable[[int], bool] | None = None,
               record: list[int] | None = None) -> bool:
        """Edmonds' blossom search (single alternating tree, BFS) from a free root.

        It stops at a free vertex (augment). With swap_to, it also stops at an even-level
        matched vertex w for which swap_to(w) holds (a non-priority person, say): flipping
        the even alternating path root..w matches the root and frees w, keeping the
        cardinality. Returns True if the root was matched; otherwise the tree is Hungarian
        and is discarded, its even vertices first added to record when one is given.
        """
        org, hist, mate = self.org, self.hist, self.mate
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
            if swap_to is not None and v != root and swap_to(v):
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
            if record is not None:
                record.extend(evens)
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
                self.search(r, swap_to=lambda w: not self.prio[w])
        roots = [v for v in range(self.n) if self.mate[v] < 0 and self.alive[v]]
        rng.shuffle(roots)
        for r in roots:
            if self.free_count <= lower_bound:
                break  # provably optimal: nothing left to find
            if self.alive[r] and self.mate[r] < 0:
                self.search(r)
