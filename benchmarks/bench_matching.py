"""Benchmark for scheduler.matching: 10k members under 2 s at the optimum, and a head-to-head with networkx at 1k."""

from __future__ import annotations

import itertools
import sys
import time

import networkx as nx

from benchmarks.instances import Instance, make_instance
from scheduler.matching import match, organisation_key

TIME_LIMIT_S = 2.0
REPEATS = 3


def best_of(fn, repeats: int = REPEATS):
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def explicit_graph(inst: Instance) -> nx.Graph:
    past = {frozenset(p) for p in inst.history}
    keyed = [(c.id, organisation_key(c.organisation)) for c in inst.candidates]
    g = nx.Graph()
    g.add_nodes_from(i for i, _ in keyed)
    g.add_edges_from(
        (a, b)
        for (a, oa), (b, ob) in itertools.combinations(keyed, 2)
        if oa != ob and frozenset((a, b)) not in past
    )
    return g


def main() -> int:
    failures = []
    rows = []

    t0 = time.perf_counter()
    big = make_instance(10_000, 100, 24, seed=1)
    gen_s = time.perf_counter() - t0
    ours_s, res = best_of(lambda: match(big.candidates, big.history, seed=2026, odd="sit_out"))
    rows.append(("ours", 10_000, len(big.history), ours_s, len(res.unmatched), big.lower_bound))
    if len(res.unmatched) != big.lower_bound:
        failures.append(f"10k: {len(res.unmatched)} unmatched, optimum is {big.lower_bound}")
    if ours_s > TIME_LIMIT_S:
        failures.append(f"10k: {ours_s:.2f} s exceeds {TIME_LIMIT_S} s")

    small = make_instance(1_000, 100, 24, seed=1)
    graph = explicit_graph(small)
    nx_s, nx_m = best_of(lambda: nx.max_weight_matching(graph, maxcardinality=True))
    ours1k_s, res1k = best_of(lambda: match(small.candidates, small.history, seed=2026, odd="sit_out"))
    small_n = len(small.candidates)
    nx_unmatched = small_n - 2 * len(nx_m)
    rows.append(("networkx", small_n, len(small.history), nx_s, nx_unmatched, small.lower_bound))
    rows.append(("ours", small_n, len(small.history), ours1k_s, len(res1k.unmatched), small.lower_bound))
    if len(res1k.unmatched) != nx_unmatched:
        failures.append(f"1k: ours leaves {len(res1k.unmatched)} unmatched, networkx {nx_unmatched}")

    print(f"instances: 10k generated in {gen_s:.1f} s (24 past rounds, each made by match);"
          f" networkx gets the 1k graph pre-built ({graph.number_of_edges():,} edges)")
    print(f"{'solver':<9} {'members':>7} {'history':>8} {'best of 3':>10} {'unmatched':>9} {'bound':>6}")
    for name, n, h, secs, unmatched, bound in rows:
        print(f"{name:<9} {n:>7,} {h:>8,} {secs:>9.3f}s {unmatched:>9} {bound:>6}")
    print(f"1k speed-up over networkx: {nx_s / ours1k_s:.0f}x")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
