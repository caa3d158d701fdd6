"""Real Slack's bad days: answers lost after Slack took a post, a broken token, Slack failing for an
hour, the database dropping connections. Every intro still lands exactly once, and nobody is told
anything untrue. On both databases, against the spec-checked stand-in's bad-day modes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from playground.slack.server import LOST_ANSWERS
from scheduler import opening_window, rounds
from storage import outbox
from storage.db import retried, session_scope
from storage.models import Member, Outbox
from tests.conftest import BOT_TOKEN
from tests.database_blips import database_blips
from tests.personas import OPENS, TEAM
from tests.scheduler import test_rounds
from tests.scheduler.test_rounds import deliver, groups, intro_posts, join

gateway = test_rounds.gateway  # the fixture: the client the app itself builds

PEOPLE = (("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))


def _join_all(engine, fake_slack, people=PEOPLE):
    for user, organisation in people:
        join(engine, fake_slack, user, organisation)


def _outbox(engine, kind="intro"):
    with session_scope(engine) as session:
        return session.exec(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)).all()


# The clock's open_ahead job runs every 15 s; an intro waiting out a failure is not "held for the opening".
def test_open_ahead_leaves_intros_waiting_to_retry_to_their_retry_time(engine, fake_slack, gateway):
    _join_all(engine, fake_slack)
    fake_slack.fail_next("conversations.open", status=503, times=2)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)  # by hand: the intros go at once
        report = deliver(engine, gateway)
    assert report.retrying == 2 and all(r.channel_id is None and r.error for r in _outbox(engine))
    opens = len(fake_slack.calls_to("conversations.open"))
    for seconds in (15, 30, 45, 60):
        with freeze_time(OPENS + timedelta(seconds=seconds), tick=True):
            assert opening_window.open_ahead(engine, TEAM, gateway, pace=0) == 0
    assert len(fake_slack.calls_to("conversations.open")) == opens  # nobody called before their time


def _impatient_gateway(fake_slack):
    """The app's own client, waiting 1 s for an answer instead of 10 (so "late" is quick to test)."""
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url), timeout=1))


def _one_intro_each(engine, fake_slack):
    """Every group's DM holds exactly one intro, the one its group and its outbox row point at."""
    made = groups(engine)
    assert made
    for group, users in made:
        messages = fake_slack.messages(fake_slack.conversation_id(*users))
        assert len(messages) == 1, (users, len(messages))
        assert group.intro_ts == messages[0]["ts"]
    assert [r.state for r in _outbox(engine)] == ["sent"] * len(made)


@pytest.mark.parametrize("how", LOST_ANSWERS)
def test_a_post_slack_took_whose_answer_was_lost_is_looked_for_not_sent_again(engine, fake_slack, how):
    gateway = _impatient_gateway(fake_slack)
    _join_all(engine, fake_slack)
    fake_slack.lose_answers("chat.postMessage", how, times=2, seconds=2)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        first = deliver(engine, gateway)
    assert (first.sent, first.retrying) == (0, 2)
    assert len(intro_posts(fake_slack)) == 2  # no second post inside the Slack client either
    with freeze_time(OPENS + timedelta(minutes=5), tick=True):
        second = deliver(engine, gateway)
    assert (second.found_already_sent, second.sent) == (2, 0)
    assert len(intro_posts(fake_slack)) == 2
    _one_intro_each(engine, fake_slack)


def test_a_round_delivered_while_the_database_keeps_dropping_out_lands_every_intro_once(engine, fake_slack, gateway):
    people = [(f"U{n:02d}", f"Org{n}") for n in range(24)]
    _join_all(engine, fake_slack, people)
    with freeze_time(OPENS, tick=True) as frozen:
        rounds.open_round(engine, TEAM)
        with database_blips(engine, every=0.2) as blips:
            # As the clock does, a pass every 15 s, for up to ten minutes.
            for _ in range(40):
                if retried(engine, lambda session: outbox.waiting_for_round(session, 1)) == 0:
                    break
                deliver(engine, gateway)
                frozen.tick(15)
    assert blips.count > 0
    assert len(groups(engine)) == 12 and len(intro_posts(fake_slack)) == 12
    _one_intro_each(engine, fake_slack)
    with session_scope(engine) as session:
        assert {m.status for m in session.exec(select(Member))} == {"active"}
