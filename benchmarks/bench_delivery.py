"""Benchmark for delivery's pacing: a round's intros against Slack-like token-bucket limits.

Real part: 60 groups delivered through the Slack stand-in, which answers 429 with Retry-After
beyond its buckets, at 50 and 150 conversations.open a minute, with the old fixed 1.2 s pace
measured in the same run for comparison; then Slack's bad days (a 20 s burst of 429s on every
post, and 429s at random), each beside the same round on a healthy Slack in the same run.
Simulated part: a 5,000-group scheduled round at 50 opens a minute, run by the bot's own code
(matched in its opening window, conversations opened ahead, intros posted from the opening time)
against the same buckets on a made-up clock, beside the least time opening each group only at
the opening time would take.

    .venv/bin/python -m benchmarks.bench_delivery
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import create_engine, text

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from playground.slack.limits import Limits, TokenBucket
from playground.slack.server import FakeSlack
from scheduler import delivery, membership, opening_window, pacing, rounds
from scheduler.gateway import SendError
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.paced_gateway import PacedGateway
from scheduler.schedule import Schedule, openings_after
from storage import members as member_store
from storage.db import make_engine, session_scope, upgrade
from storage.models import Member

TEAM = "T111"
SIM_TEAM = "T222"  # a pacer of its own: what the stand-in runs taught T111's doesn't carry over
TOKEN = "xoxb-" + "1" * 12 + "-" + "2" * 13 + "-" + "a" * 24
GROUPS = 60
BURST = 5
# The old fixed gap (conversations.open's tier 3 floor, 50 a minute), run for comparison with the learned pace.
FIXED_PACE = 1.2
# Assumed workspace-wide chat.postMessage limit ("several hundred a minute"); Slack publishes none.
POSTS_PER_MINUTE = 600
WALL_TARGET, REFUSED_TARGET, MINUTES_TARGET, DATABASE_TARGET = 1.25, 0.15, 10.0, 10.0
# Bad days: a burst of 429s on every post, then a healthy Slack; and 429s at random (share, groups,
# target seconds; before pacing recovered, the first was unfinished after 120 s, the second after 280 s).
BURST_GROUPS, BURST_SECONDS, RECOVERY_TARGET = 30, 20, 60
RANDOM_429S = ((0.3, 15, 120), (0.6, 12, 280))
POSTGRES = os.environ.get("UNMENTOR_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _round_through_stand_in(opens_per_minute: float, pace: float | None, groups: int = GROUPS,
                            bad_day=None) -> tuple[float, float, float]:
    """(seconds from first send to last intro, least the limits allow, 429s as a share of calls).
    `bad_day(fake)` sets the stand-in's 429 bursts or random 429s, just before the first send."""
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        for i in range(groups * 2):
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
        gateway = PacedGateway(SlackGateway(client), pacer)
        refusals = bad_day(fake) if bad_day is not None else []
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
        least = limits.buckets["conversations.open"].fastest(groups)
        # Every call meets the buckets first, so they saw them all; a bad day's 429s come after.
        refused = limits.refused + sum(r.refused for r in refusals)
        return took, least, refused / (limits.allowed + limits.refused)


class _SimulatedClock(pacing.Clock):
    """The pacer's clock, made up: a wait moves it, and the bot's frozen clock with it, at once."""

    def __init__(self, frozen, start: datetime):
        self.frozen, self.start, self.at = frozen, start, 0.0

    def now(self) -> float:
        return self.at

    def sleep_until(self, at: float, stop=None) -> None:
        if at > self.at:
            self.at = at
            self.frozen.move_to(self.start + timedelta(seconds=at))


class _SimulatedSlack:
    """A Gateway answering as Slack would under `limits`, on the simulated clock; it notes when each intro lands."""

    def __init__(self, limits: Limits, clock: _SimulatedClock):
        self.limits, self.clock, self.arrivals = limits, clock, []

    def _take(self, method: str, conversation: str | None = None) -> None:
        retry_after = self.limits.take(method, self.clock.now(), conversation)
        if retry_after is not None:
            raise SendError("ratelimited", permanent=False, retry_after=retry_after)

    def open_conversation(self, user_ids):
        self._take("conversations.open")
        return "G" + "-".join(sorted(user_ids))

    def post(self, channel, content, marker, *, safe=False, zones=()):
        self._take("chat.postMessage", channel)
        self.arrivals.append(self.clock.now())
        return channel, f"{self.clock.now():.6f}"

    def update(self, channel, ts, content, *, safe=False, zones=()):
        self._take("chat.update")

    def find_marker(self, channel, marker, oldest):
        return None

    def is_reachable(self, user_id):
        return True


def scheduled_round(groups: int, opens_per_minute: float) -> tuple[float, float, float, float]:
    """A scheduled opening run by the bot's own code on a made-up clock: the round matched in its window,
    conversations opened ahead (opening_window.open_ahead), intros posted from the opening time (delivery.deliver).
    Returns (minutes from the opening time to the last intro, to the median one, the spread between the
    first and the last in minutes, 429s as a share of calls)."""
    limits = Limits({"conversations.open": opens_per_minute, "chat.postMessage": POSTS_PER_MINUTE}, burst=BURST)
    opens_at = rounds_schedule_opening()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        with session_scope(engine) as session:
            member_store.ensure_workspace(session, SIM_TEAM)
            session.add_all(Member(team_id=SIM_TEAM, slack_user_id=f"U{i:06}", organisation=f"Org {i % 100}",
                                   organisation_key=f"org {i % 100}", timezone="Europe/London")
                            for i in range(groups * 2))
        with session_scope(engine) as session:
            window = opening_window.window(session, SIM_TEAM)
        start = opens_at - window
        with freeze_time(start) as frozen:
            clock = _SimulatedClock(frozen, start)
            slack = _SimulatedSlack(limits, clock)
            gateway = PacedGateway(slack, pacing.for_workspace(SIM_TEAM), clock)
            assert rounds.run_due(engine, SIM_TEAM) == ["match_ahead"], "the window didn't start the round"
            opening_window.open_ahead(engine, SIM_TEAM, gateway)
            late = clock.now() - window.total_seconds()
            if late > 0:
                raise SystemExit(f"the window was too short: opens finished {late:.0f} s after the opening")
            clock.sleep_until(window.total_seconds())
            assert rounds.run_due(engine, SIM_TEAM) == ["open"]
            while True:  # as the clock's delivery job does
                delivery.deliver(engine, SIM_TEAM, gateway)
                wait = delivery.seconds_until_retry(engine, SIM_TEAM)
                if wait is None:
                    break
                clock.sleep_until(clock.now() + wait)
        engine.dispose()
    if len(slack.arrivals) != groups:
        raise SystemExit(f"{len(slack.arrivals)} intros for {groups} groups")
    arrivals = [(at - window.total_seconds()) / 60 for at in slack.arrivals]
    return (max(arrivals), statistics.median(arrivals), max(arrivals) - min(arrivals),
            limits.refused / (limits.allowed + limits.refused))


def rounds_schedule_opening() -> datetime:
    """The first scheduled opening of the default schedule after today."""
    return next(openings_after(Schedule(), datetime.now(timezone.utc))).opens_at


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


def bad_days() -> list[str]:
    """Slack's bad days with 429s, each beside the same round on a healthy Slack in this run."""
    failures = []
    print("Slack's bad days with 429s, at 150 opens/min (healthy: the same round, this run)")
    healthy, _, _ = _round_through_stand_in(150, None, BURST_GROUPS)
    took, _, refused = _round_through_stand_in(
        150, None, BURST_GROUPS, lambda fake: [fake.refuse_for("chat.postMessage", BURST_SECONDS)])
    after = took - BURST_SECONDS
    ok = after <= healthy + RECOVERY_TARGET
    print(f"  {BURST_SECONDS} s of 429s on every post, then healthy: {BURST_GROUPS} intros {after:5.1f} s after it "
          f"ended, healthy {healthy:.1f} s ({after / healthy:.1f}x; target <= healthy + {RECOVERY_TARGET} s), "
          f"429s {refused:.0%} of calls  {'MET' if ok else 'NOT MET'}")
    if not ok:
        failures.append("429 burst")
    for share, groups, target in RANDOM_429S:
        healthy, _, _ = _round_through_stand_in(150, None, groups)
        took, _, refused = _round_through_stand_in(
            150, None, groups, lambda fake: [fake.refuse_at_random(method, share, seed=seed) for seed, method
                                             in enumerate(("conversations.open", "chat.postMessage"))])
        ok = took <= target
        print(f"  {share:.0%} of calls 429 at random: {groups} intros in {took:5.1f} s, healthy {healthy:.1f} s "
              f"({took / healthy:.1f}x; target <= {target} s), 429s {refused:.0%} of calls  "
              f"{'MET' if ok else 'NOT MET'}")
        if not ok:
            failures.append(f"{share:.0%} random 429s")
    return failures


def _trickle_minutes(groups: int, opens_per_minute: float) -> float:
    """The reference: the least time the last intro can take when each group is opened only at the opening."""
    return TokenBucket(opens_per_minute, BURST).fastest(groups) / 60


def main() -> int:
    failures = []
    print(f"{GROUPS}-group round through the Slack stand-in (token buckets of {BURST}, "
          f"chat.postMessage {POSTS_PER_MINUTE}/min and 1/s per conversation)")
    fixed, least_150, _ = _round_through_stand_in(150, FIXED_PACE)
    print(f"  fixed {FIXED_PACE} s pace at 150 opens/min: {fixed:6.1f} s  "
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
    failures += bad_days()
    last, median, spread, refused = scheduled_round(5_000, 50)
    ok = last <= MINUTES_TARGET
    print(f"5,000-group scheduled round at 50 opens/min, the bot's own opening window on a simulated clock: "
          f"last intro {last:.1f} min after the opening time, median {median:.1f} min, first to last "
          f"{spread:.1f} min (target last <= {MINUTES_TARGET:.0f}; opening as each group is opened: "
          f"{_trickle_minutes(5_000, 50):.0f} min), 429s {refused:.0%} of calls  {'MET' if ok else 'NOT MET'}")
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
