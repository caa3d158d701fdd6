"""Benchmark for delivery's pacing: a round's intros against Slack-like token-bucket limits.

Real part: 60 groups delivered through the Slack stand-in, which answers 429 with Retry-After
beyond its buckets, at 50 and 150 conversations.open a minute, with the old fixed 1.2 s pace
measured in the same run for comparison. Simulated part: 5,000 groups at 50 opens a minute on
a made-up clock, with the same pacer and the same buckets, conversations opened in the window
before the opening time and every intro posted from the opening time.

    .venv/bin/python -m benchmarks.bench_delivery
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from playground.slack.limits import Limits
from playground.slack.server import FakeSlack
from scheduler import delivery, membership, pacing, rounds
from scheduler.membership import ProfileForm, SlackProfile
from storage import members as member_store
from storage.db import make_engine, session_scope, upgrade
from storage.models import Member

TEAM = "T111"
TOKEN = "xoxb-" + "1" * 12 + "-" + "2" * 13 + "-" + "a" * 24
GROUPS = 60
BURST = 5
# Assumed workspace-wide chat.postMessage limit ("several hundred a minute"); Slack publishes none.
POSTS_PER_MINUTE = 600
WALL_TARGET, REFUSED_TARGET, MINUTES_TARGET, DATABASE_TARGET = 1.25, 0.15, 10.0, 10.0
POSTGRES = os.environ.get("UNMENTOR_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _round_through_stand_in(opens_per_minute: float, pace: float | None) -> tuple[float, float, float]:
    """(seconds from first send to last intro, least the limits allow, 429s as a share of calls)."""
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        for i in range(GROUPS * 2):
            user = f"U{i:04}"
            fake.add_user(user, real_name=user)
            with session_scope(engine) as session:
                membership.save_profile(session, TEAM, user, ProfileForm(organisation=f"Org {i}"),
                                        SlackProfile(timezone="Europe/London"))
        assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
        limits = fake.limit({"conversations.open": opens_per_minute, "chat.postMessage": POSTS_PER_MINUTE},
                            burst=BURST)
        client = make_client(Settings(bot_token=TOKEN, slack_api_url=fake.api_url), wait_out_rate_limits=False)
        pacer = pacing.Pacer() if pace is None else pacing.FixedPace(pace)
        gateway = delivery.PacedGateway(SlackGateway(client), pacer)
        started = time.monotonic()
        while True:  # as `unmentor round deliver` does
            delivery.deliver(engine, TEAM, gateway)
            wait = delivery.seconds_until_retry(engine, TEAM)
            if wait is None:
                break
            time.sleep(min(wait, 5) + 0.02)
        took = time.monotonic() - started
        engine.dispose()
        if fake.violations:
            raise SystemExit(f"the stand-in saw calls outside Slack's spec: {fake.violations[:3]}")
        least = limits.buckets["conversations.open"].fastest(GROUPS)
        return took, least, limits.refused / (limits.allowed + limits.refused)


def simulate_scheduled_round(groups: int, opens_per_minute: float) -> tuple[float, float, float]:
    """A scheduled opening on a made-up clock: (minutes from the opening time to the last intro,
    to the median one, 429s as a share of calls). Opens fill the window before; posts start at it."""
    limits = Limits({"conversations.open": opens_per_minute, "chat.postMessage": POSTS_PER_MINUTE}, burst=BURST)
    pacer = pacing.Pacer()
    window = pacing.opening_window(groups, pacer.gap("conversations.open"))
    opens_at, at = window, 0.0
    waiting = list(range(groups))
    while waiting:
        group = waiting.pop(0)
        at = pacer.reserve("conversations.open", at) + 0.01
        retry_after = limits.take("conversations.open", at)
        if retry_after is None:
            pacer.succeeded("conversations.open")
        else:
            pacer.limited("conversations.open", at, retry_after)
            waiting.append(group)
    if at > opens_at:
        raise SystemExit(f"the window was too short: opens finished {at - opens_at:.0f} s after the opening")
    arrivals, at = [], opens_at
    waiting = list(range(groups))
    while waiting:
        group = waiting.pop(0)
        at = pacer.reserve("chat.postMessage", at, f"G{group}") + 0.01
        retry_after = limits.take("chat.postMessage", at, f"G{group}")
        if retry_after is None:
            pacer.succeeded("chat.postMessage")
            arrivals.append((at - opens_at) / 60)
        else:
            pacer.limited("chat.postMessage", at, retry_after)
            waiting.append(group)
    return max(arrivals), statistics.median(arrivals), limits.refused / (limits.allowed + limits.refused)


def open_on_postgres(members: int) -> tuple[float, int, int]:
    """The database part of opening a round of `members` on PostgreSQL: (seconds, groups, outbox rows)."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{POSTGRES}?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            member_store.ensure_workspace(session, TEAM)
            session.add_all(Member(team_id=TEAM, slack_user_id=f"U{i:06}", organisation=f"Org {i % 100}",
                                   organisation_key=f"org {i % 100}", timezone="Europe/London")
                            for i in range(members))
        started = time.perf_counter()
        outcome = rounds.open_round(engine, TEAM, manual=True)
        took = time.perf_counter() - started
        with session_scope(engine) as session:
            queued = session.execute(text("SELECT count(*) FROM outbox")).scalar_one()
        return took, len(outcome.plan.groups) if outcome.plan else 0, queued
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    failures = []
    print(f"{GROUPS}-group round through the Slack stand-in (token buckets of {BURST}, "
          f"chat.postMessage {POSTS_PER_MINUTE}/min and 1/s per conversation)")
    fixed, least_150, _ = _round_through_stand_in(150, delivery.FIXED_PACE)
    print(f"  fixed {delivery.FIXED_PACE} s pace at 150 opens/min: {fixed:6.1f} s  "
          f"({fixed / least_150:.2f}x the least the limits allow, {least_150:.1f} s)")
    for per_minute in (50, 150):
        took, least, refused = _round_through_stand_in(per_minute, None)
        ok = took <= WALL_TARGET * least and refused <= REFUSED_TARGET
        speed_up = f"; {fixed / took:.1f}x faster than fixed" if per_minute == 150 else ""
        print(f"  adaptive at {per_minute:3} opens/min: {took:6.1f} s = {took / least:.2f}x the least "
              f"({least:.1f} s; target <= {WALL_TARGET}x), 429s {refused:.0%} of calls "
              f"(target <= {REFUSED_TARGET:.0%}){speed_up}  "
              f"{'MET' if ok else 'NOT MET'}")
        if not ok:
            failures.append(f"{per_minute}/min")
    last, median, refused = simulate_scheduled_round(5_000, 50)
    ok = last <= MINUTES_TARGET
    # The bot doesn't open ahead yet (README, Delivery): this measures the window as designed.
    print(f"5,000-group scheduled round at 50 opens/min, simulated clock, opening window as designed: "
          f"last intro {last:.1f} min after the "
          f"opening time, median {median:.1f} min (target last <= {MINUTES_TARGET:.0f}), "
          f"429s {refused:.0%} of calls  {'MET' if ok else 'NOT MET'}")
    if not ok:
        failures.append("5,000 groups")
    took, made, queued = open_on_postgres(10_000)
    ok = took < DATABASE_TARGET and made == 5_000
    print(f"PostgreSQL, opening a 10,000-member round: {took:.1f} s for matching, {made} groups and {queued} "
          f"outbox rows (target < {DATABASE_TARGET:.0f} s)  {'MET' if ok else 'NOT MET'}")
    if not ok:
        failures.append("PostgreSQL opening")
    print("all targets met" if not failures else f"targets not met: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
