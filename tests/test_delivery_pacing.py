"""Delivery at the pace Slack allows: against a stand-in enforcing token-bucket limits, every
intro still goes exactly once, a 429 slows the method it came from, and fan-outs to people
go faster than one a second without opening conversations."""

from __future__ import annotations

import time
from datetime import timedelta

from freezegun import freeze_time

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, pacing, rounds
from tests.conftest import BOT_TOKEN
from tests.test_rounds import HEADS_UP, OPENS, TEAM, groups, join


def _gateway(fake_slack, pacer):
    client = make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url), wait_out_rate_limits=False)
    return delivery.PacedGateway(SlackGateway(client), pacer)


def _deliver_until_done(engine, gateway):
    # As `unmentor round deliver` does: send, sit out what Slack asked, send again.
    while True:
        delivery.deliver(engine, TEAM, gateway)
        wait = delivery.seconds_until_retry(engine, TEAM)
        if wait is None:
            return
        time.sleep(min(wait, 5) + 0.05)


def test_under_slack_limits_every_intro_goes_once_and_a_429_slows_only_its_method(engine, fake_slack):
    for i in range(20):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    limits = fake_slack.limit({"conversations.open": 150}, burst=2)
    pacer = pacing.Pacer()
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        _deliver_until_done(engine, _gateway(fake_slack, pacer))

    made = groups(engine)
    assert len(made) == 10
    for group, _ in made:
        assert len(fake_slack.messages(group.channel_id)) == 1  # nothing twice, nobody missed
    opens, refused = pacer.counts()["conversations.open"]
    assert opens == len(fake_slack.calls_to("conversations.open")) >= 10
    assert refused == opens - 10  # each open Slack refused was made again, once it allowed
    assert limits.buckets["conversations.open"].per_minute == 150
    assert pacer.gap("conversations.open") < pacing.STARTING_GAP["conversations.open"]  # sped up
    assert pacer.counts()["chat.postMessage"][1] == 0  # the opens' limit never held up a post


def test_a_fan_out_to_people_opens_nothing_and_speeds_past_one_a_second(engine, fake_slack):
    for i in range(12):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    pacer = pacing.Pacer()
    with freeze_time(HEADS_UP + timedelta(minutes=1), tick=True):
        assert rounds.run_due(engine, TEAM) == ["announce"]
        assert delivery.deliver(engine, TEAM, _gateway(fake_slack, pacer)).sent == 12
    assert fake_slack.calls_to("conversations.open") == []
    assert pacer.gap("chat.postMessage") < pacing.PER_CONVERSATION_GAP
