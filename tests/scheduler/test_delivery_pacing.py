"""Delivery at the pace Slack allows: against a stand-in enforcing token-bucket limits, every
intro still goes exactly once, a 429 slows the method it came from, and fan-outs to people
go faster than one a second without opening conversations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, pacing, rounds, sending
from scheduler.paced_gateway import PacedGateway
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM
from tests.scheduler.test_rounds import HEADS_UP, groups, join


def _client(fake_slack):
    return make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url), wait_out_rate_limits=False)


def _gateway(fake_slack, pacer, clock=None):
    return PacedGateway(SlackGateway(_client(fake_slack)), pacer, clock)


class SimulatedClock:
    """The pacer's clock, made up: a wait moves it (and the frozen date, if any) on at once,
    so a test sits out nothing and the stand-in's buckets refill by the same clock."""

    def __init__(self, frozen=None):
        self.at, self.frozen = 0.0, frozen

    def now(self):
        return self.at

    def sleep_until(self, at, stop=None):
        if at > self.at:
            if self.frozen is not None:
                self.frozen.tick(at - self.at)
            self.at = at


def _deliver_until_done(engine, gateway, clock):
    # As `unmentor round deliver` does: send, sit out what Slack asked, send again.
    while True:
        delivery.deliver(engine, TEAM, gateway)
        wait = delivery.seconds_until_retry(engine, TEAM)
        if wait is None:
            return
        clock.sleep_until(clock.now() + wait)


def test_under_slack_limits_every_intro_goes_once_and_a_429_slows_only_its_method(engine, fake_slack):
    for i in range(20):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    pacer = pacing.Pacer()
    with freeze_time(OPENS) as frozen:
        clock = SimulatedClock(frozen)
        # Opens held to tier 3's floor (50 a minute), which the pacer passes as it speeds up.
        limits = fake_slack.limit({"conversations.open": 50}, burst=2, clock=clock.now)
        assert rounds.open_round(engine, TEAM).reason == "opened"
        _deliver_until_done(engine, _gateway(fake_slack, pacer, clock), clock)

    made = groups(engine)
    assert len(made) == 10
    for group, _ in made:
        assert len(fake_slack.messages(group.channel_id)) == 1  # nothing twice, nobody missed
    opens, refused = pacer.counts()["conversations.open"]
    posts_refused = pacer.counts()["chat.postMessage"][1]
    assert opens == len(fake_slack.calls_to("conversations.open")) >= 10
    assert refused > 0  # the pacer did reach Slack's limit...
    assert refused == opens - 10  # ...and each open Slack refused was made again, once it allowed
    assert limits.refused == refused + posts_refused  # every 429 the stand-in gave, the pacer heard
    assert pacer.gap("conversations.open") < pacing.STARTING_GAP["conversations.open"]  # sped up
    assert pacer.gap("chat.postMessage") < pacing.STARTING_GAP["chat.postMessage"]  # the opens' 429s didn't slow posts
    # The whole round took little over the least time Slack's limit on opens allows.
    assert clock.now() <= 1.25 * limits.buckets["conversations.open"].fastest(10)


def test_a_fan_out_to_people_opens_nothing_and_speeds_past_one_a_second(engine, fake_slack):
    for i in range(12):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    pacer = pacing.Pacer()
    with freeze_time(HEADS_UP + timedelta(minutes=1)) as frozen:
        clock = SimulatedClock(frozen)
        fake_slack.limit({}, clock=clock.now)  # one a second into each conversation, enforced
        assert rounds.run_due(engine, TEAM) == ["announce"]
        assert delivery.deliver(engine, TEAM, _gateway(fake_slack, pacer, clock)).sent == 12
    assert fake_slack.calls_to("conversations.open") == []
    assert pacer.gap("chat.postMessage") < pacing.PER_CONVERSATION_GAP
    assert clock.now() < 11 * pacing.PER_CONVERSATION_GAP  # twelve people told in less than twelve seconds


class _StopWhileWaiting(pacing.Clock):
    """SIGTERM arrives while a call waits its turn: the wait returns early, as the stop event makes it."""

    def __init__(self, process: sending.Sending):
        self.process = process

    def sleep_until(self, at, stop=None):
        self.process.stop()


def test_a_stop_during_a_wait_makes_no_call_early_and_the_next_process_sends_it_at_once(engine, fake_slack):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    client = _client(fake_slack)
    process = sending.Sending()
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        stopped = delivery.deliver(engine, TEAM, PacedGateway(SlackGateway(client), pacing.Pacer(),
                                                              _StopWhileWaiting(process), process), sending=process)
        assert stopped.sent == 0 and fake_slack.calls_to("conversations.open") == []  # nothing went early
        assert delivery.seconds_until_retry(engine, TEAM) == 0  # no back-off for the next process
        # The next process, with a sending of its own.
        assert delivery.deliver(engine, TEAM, SlackGateway(client), pace=0).sent == 1
    ((group, _),) = groups(engine)
    assert len(fake_slack.messages(group.channel_id)) == 1


class _Looking:
    """Only the look-ups for sends in doubt, with when each was made."""

    def __init__(self, clock):
        self.clock, self.looked_at = clock, []

    def find_marker(self, channel, marker, oldest):
        self.looked_at.append(self.clock.now())
        return None


def _look_up(count):
    clock = SimulatedClock()
    looking = _Looking(clock)
    gateway = PacedGateway(looking, pacing.Pacer(), clock)
    for n in range(count):
        gateway.find_marker(f"G{n}", "unmentor:intro:1", datetime(2026, 12, 7, tzinfo=timezone.utc))
    return looking.looked_at


def test_hundreds_of_sends_in_doubt_are_looked_up_in_minutes_at_tier_3():
    looked_at = _look_up(300)
    # 50 a minute, the first at once and no 429 needed to slow the rest: 300 in six minutes, not five hours.
    assert looked_at[:3] == [0.0, 1.2, 2.4] and looked_at[-1] <= 6 * 60


def test_an_app_held_to_one_look_up_a_minute_keeps_to_it():
    pacing.set_history_per_minute(1)  # a commercially distributed app outside the Marketplace
    try:
        assert _look_up(3) == [0.0, 60.0, 120.0]
    finally:
        pacing.set_history_per_minute(pacing.HISTORY_PER_MINUTE)


def test_edits_waiting_for_chat_updates_turn_do_not_hold_up_posts_to_people(engine, fake_slack):
    from scheduler import sends
    from scheduler.sends.welcome_back import WelcomeBackSend
    from storage.db import session_scope
    from tests.scheduler.test_rounds import member

    for i in range(4):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    client = _client(fake_slack)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        assert delivery.deliver(engine, TEAM, SlackGateway(client), pace=0).sent == 2
        # Closing edits both intros (chat.update); four people are then told something (posts).
        assert rounds.run_phase(engine, TEAM, "close", by_hand=True).result == "done"
        with session_scope(engine) as session:
            sends.queue(session, TEAM, [WelcomeBackSend(member_id=member(engine, f"U{i}").id, day="20261207")
                                        for i in range(4)])
        # chat.update at its tier's 1.2 s; posts (to four people) as fast as the pacer has learned they may go.
        pacer = pacing.Pacer(starting={**pacing.STARTING_GAP, "chat.postMessage": 0.04})
        report = delivery.deliver(engine, TEAM, PacedGateway(SlackGateway(client), pacer))
    assert report.sent == 6
    order = [c.method for c in fake_slack.calls if c.method in ("chat.update", "chat.postMessage")][2:]
    # The edits were queued first, yet every post went before the second edit's turn came.
    # (The first edit and the first post start together, in their own lanes, either may be first.)
    assert order.count("chat.update") == 2 and order.count("chat.postMessage") == 4
    assert order[-1] == "chat.update"


def _intros_once(engine, fake_slack, count):
    made = groups(engine)
    assert len(made) == count
    for group, _ in made:
        assert group.intro_ts and len(fake_slack.messages(group.channel_id)) == 1  # nothing twice, nobody missed


def test_after_a_burst_of_429s_on_posts_the_intros_go_at_the_healthy_pace_again_within_a_minute(engine, fake_slack):
    for i in range(60):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    pacer = pacing.Pacer()
    with freeze_time(OPENS) as frozen:
        clock = SimulatedClock(frozen)
        fake_slack.limit({"conversations.open": 150, "chat.postMessage": 600}, clock=clock.now)
        burst = fake_slack.refuse_for("chat.postMessage", 20, clock=clock.now)
        assert rounds.open_round(engine, TEAM).reason == "opened"
        _deliver_until_done(engine, _gateway(fake_slack, pacer, clock), clock)
    assert burst.refused >= 5  # Slack refused every post for twenty seconds...
    _intros_once(engine, fake_slack, 30)
    # ...and once it was healthy, the thirty intros (eight seconds' work on a good day) all went within a minute.
    assert clock.now() <= 20 + 60, clock.now()


def test_with_429s_at_random_a_round_still_finishes_and_each_intro_goes_once(engine, fake_slack):
    for i in range(30):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    pacer = pacing.Pacer()
    with freeze_time(OPENS) as frozen:
        clock = SimulatedClock(frozen)
        fake_slack.limit({"conversations.open": 150, "chat.postMessage": 600}, clock=clock.now)
        refusals = [fake_slack.refuse_at_random(method, 0.6, seed=seed, clock=clock.now)
                    for seed, method in enumerate(("conversations.open", "chat.postMessage"))]
        assert rounds.open_round(engine, TEAM).reason == "opened"
        _deliver_until_done(engine, _gateway(fake_slack, pacer, clock), clock)
    assert sum(r.refused for r in refusals) >= 20  # Slack refused more calls than it took...
    _intros_once(engine, fake_slack, 15)
    # ...and still the fifteen intros were all out in a few seconds each.
    assert clock.now() <= 15 * 6, clock.now()
