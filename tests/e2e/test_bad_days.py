"""Slack's word that the app was uninstalled or its token revoked: every send stops at once, nothing is
failed, and a reinstall carries on where it stopped. The real app, served in this process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from bot.round_clock import ensure_own_workspace
from playground.slack import BOT_USER_ID
from scheduler import rounds, slack_trouble
from tests.inprocess import Bot
from tests.personas import OPENS, TEAM
from tests.scheduler.test_rounds import groups, intro_posts, join


@pytest.mark.parametrize("event", [
    {"type": "app_uninstalled", "event_ts": "1.1"},
    {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}, "event_ts": "1.1"},
], ids=["app_uninstalled", "tokens_revoked"])
def test_uninstalled_or_revoked_stops_every_send_at_once_and_a_reinstall_carries_on(engine, fake_slack, event):
    for user, organisation in (("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta")):
        join(engine, fake_slack, user, organisation)
    bot = Bot(engine, fake_slack, TEAM)
    try:
        bot.event(event)
        assert fake_slack.wait_for(lambda _: slack_trouble.current(engine, TEAM) is not None, timeout=10)
        with freeze_time(OPENS, tick=True):
            rounds.open_round(engine, TEAM)
            held = bot.deliver()
        assert held.trouble == event["type"] and (held.sent, held.failed) == (0, 0)
        assert not fake_slack.calls_to("conversations.open") and not intro_posts(fake_slack)  # not one call

        ensure_own_workspace(engine, bot.client)  # reinstalled: the next start finds the token works
        with freeze_time(OPENS + timedelta(minutes=1), tick=True):
            carried_on = bot.deliver()
        assert carried_on.sent == 2 and carried_on.trouble is None
        for group, users in groups(engine):
            assert len(fake_slack.messages(fake_slack.conversation_id(*users))) == 1
    finally:
        bot.stop()


def test_a_user_token_revoked_is_nothing_to_the_bot(engine, fake_slack):
    bot = Bot(engine, fake_slack, TEAM)
    try:
        bot.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0PERSON"], "bot": []}, "event_ts": "1.1"})
        bot.event({"type": "app_home_opened", "user": "U0PERSON", "channel": "D1", "tab": "home", "event_ts": "1.2"})
        assert fake_slack.wait_for(lambda f: f.calls_to("views.publish"), timeout=10)  # the event after it was handled
        assert slack_trouble.current(engine, TEAM) is None
    finally:
        bot.stop()


def test_organisers_read_it_first_in_app_home_while_slack_refuses_the_token(engine, fake_slack):
    fake_slack.add_user("UOLIVE", real_name="Olive")
    fake_slack.add_user("UADA", real_name="Ada")
    bot = Bot(engine, fake_slack, TEAM, organisers=["UOLIVE"])
    try:
        # missing_scope: views.publish needs no scope, so App Home is still there to say it.
        slack_trouble.met(engine, TEAM, "missing_scope", slack_trouble.Kind.token)
        for user in ("UOLIVE", "UADA"):
            bot.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1.1"})
        assert fake_slack.wait_for(lambda f: len(f.calls_to("views.publish")) == 2, timeout=10)
        seen = {c.args["user_id"]: str(c.args["view"]) for c in fake_slack.calls_to("views.publish")}
        assert "Slack is refusing the bot's token" in seen["UOLIVE"] and "missing_scope" in seen["UOLIVE"]
        assert "refusing" not in seen["UADA"]  # members aren't troubled with it
    finally:
        bot.stop()
