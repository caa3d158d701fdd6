"""Benchmark for scheduler.stats on PostgreSQL: 24 rounds of a 10,000-member network under 1 s,
beside a scan and a naive count."""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from dataclasses import asdict
from datetime import datetime, timezone

from sqlalchemy import create_engine, select, text
from sqlmodel import Session

from benchmarks.stats_instances import TABLES, make_history, naive_round_stats
from scheduler.stats import consented_learnings, round_stats
from storage.db import upgrade
from storage.models import FollowUp, Group, GroupMember, MeetingEvent, Member, Round

BASE_URL = os.environ.get("UNMENTOR_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TIME_LIMIT_S = 1.0
REPEATS = 5
TEAM = "T1"
MODELS = {"member": Member, "round": Round, "match_group": Group, "group_member": GroupMember,
          "meeting_event": MeetingEvent, "follow_up": FollowUp}
# Indexes a migration could add, tried one set at a time in the benchmark's own schema.
CANDIDATE_INDEXES = {
    "meeting_event(team_id, group_id, kind)":
        "CREATE INDEX bench_me_team ON meeting_event (team_id, group_id, kind)",
}


def timed(fn, repeats: int = REPEATS):
    """(best, median, worst) seconds over `repeats` runs, and the last result."""
    seconds, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t0)
    return min(seconds), statistics.median(seconds), max(seconds), result


def best_of(fn, repeats: int = REPEATS):
    best, _, _, result = timed(fn, repeats)
    return best, result


def _naive_utc(value):
    # The columns hold naive UTC (storage.types.UTCDateTime); COPY bypasses that type.
    return value.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(value, datetime) else value


def copy_rows(engine, histories: list[dict[str, list[dict]]]) -> None:
    """COPY every table in, then move the id sequences past the explicit ids and ANALYZE,
    as autovacuum would have by the time anyone asked for stats."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            for table in TABLES:
                columns = list(histories[0][table][0])
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for history in histories:
                        for row in history[table]:
                            copy.write_row([_naive_utc(row[c]) for c in columns])
                if "id" in columns:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                   f" (SELECT max(id) FROM {table}))")
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")
        raw.commit()
    finally:
        raw.close()


def load_rows(session: Session, team_id: str) -> dict[str, list[dict]]:
    """The team's rows of every table, as plain dicts: what a naive report would start from."""
    return {
        name: [dict(row) for row in session.execute(select(model.__table__).where(model.team_id == team_id)).mappings()]
        for name, model in MODELS.items()
    }


def main() -> int:
    failures = []
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(f"{BASE_URL}?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        ours = make_history(10_000, 24, seed=1, team_id=TEAM)
        # A second, smaller workspace in the same tables, as in a shared deployment.
        other = make_history(1_000, 24, seed=2, team_id="T2", id_base=10_000_000)
        copy_rows(engine, [ours, other])
        load_s = time.perf_counter() - t0
        sizes = {name: len(rows) for name, rows in ours.items()}

        with Session(engine) as session:
            stats_t = timed(lambda: round_stats(session, TEAM))
            one_t = timed(lambda: round_stats(session, TEAM, 24))
            learn_t = timed(lambda: consented_learnings(session, TEAM))
            # What /unmentor stats and App Home ask for: every round, and five learnings.
            whole_t = timed(lambda: (round_stats(session, TEAM), consented_learnings(session, TEAM, limit=5)))
            scan_t = timed(lambda: session.execute(text("SELECT count(*) FROM group_member")).scalar_one())
            naive_t = timed(lambda: naive_round_stats(load_rows(session, TEAM), TEAM), repeats=3)
            stats_s, stats, learnings, naive = stats_t[0], stats_t[3], learn_t[3], naive_t[3]
            scan_s, naive_s = scan_t[0], naive_t[0]

            agree = [asdict(s) for s in stats] == naive
            if not agree:
                failures.append("round_stats disagrees with the naive Python count")
            if len(stats) != 24 or len(learnings) != 50:
                failures.append(f"expected 24 rounds and 50 learnings, got {len(stats)} and {len(learnings)}")
            if whole_t[2] >= TIME_LIMIT_S:
                failures.append(f"the stats organisers ask for took up to {whole_t[2]:.3f} s, limit {TIME_LIMIT_S} s")

            index_rows = []
            for name, ddl in CANDIDATE_INDEXES.items():
                # The baseline is timed again beside each try, so load from other work on the
                # machine hits both sides alike.
                timings = [
                    best_of(lambda: round_stats(session, TEAM))[0],
                    best_of(lambda: round_stats(session, TEAM, 24))[0],
                ]
                session.execute(text(ddl))
                session.execute(text("ANALYZE"))
                timings += [
                    best_of(lambda: round_stats(session, TEAM))[0],
                    best_of(lambda: round_stats(session, TEAM, 24))[0],
                ]
                index_rows.append((name, *timings))
                session.rollback()  # DDL is transactional on PostgreSQL: the index is gone again

        print(f"data: {sizes['member']:,} members, {sizes['round']} rounds, {sizes['match_group']:,} groups,"
              f" {sizes['group_member']:,} group members, {sizes['meeting_event']:,} events,"
              f" {sizes['follow_up']:,} follow-ups (+ a 1,000-member workspace alongside); loaded in {load_s:.1f} s")
        print(f"{'measure':<46} {'runs':>4} {'best':>7} {'median':>7} {'worst':>7} {'best vs scan':>13}")
        for label, repeats, (best, median, worst, _) in (
            ("/unmentor stats: all 24 rounds + 5 learnings", REPEATS, whole_t),
            ("round_stats, all 24 rounds", REPEATS, stats_t),
            ("round_stats, one round", REPEATS, one_t),
            ("consented_learnings, 50", REPEATS, learn_t),
            ("reference: SELECT count(*) FROM group_member", REPEATS, scan_t),
            ("reference: naive Python from loaded rows", 3, naive_t),
        ):
            print(f"{label:<46} {repeats:>4} {best:>7.3f} {median:>7.3f} {worst:>7.3f} {best / scan_s:>12.1f}x")
        if agree:
            print(f"round_stats gives the naive count's numbers, {naive_s / stats_s:.0f}x faster")
        print(f"{'candidate index':<48} {'all rounds':>19} {'one round':>19}")
        print(f"{'':<48} {'without':>9} {'with':>9} {'without':>9} {'with':>9}")
        for name, all_without, one_without, all_with, one_with in index_rows:
            print(f"{name:<48} {all_without:>8.3f}s {all_with:>8.3f}s {one_without:>8.3f}s {one_with:>8.3f}s")
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
