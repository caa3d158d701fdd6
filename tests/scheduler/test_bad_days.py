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
from playground.slack.server import LOST_ANSWERS, TOKEN_ERRORS
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
    # Slack failing: the first intro waits to retry, and the pass stops there.
    assert report.retrying == 1 and all(r.channel_id is None for r in _outbox(engine))
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
    with freeze_time(OPENS, tick=True) as frozen:
        rounds.open_round(engine, TEAM)
        first = deliver(engine, gateway)
        assert (first.sent, first.retrying) == (0, 1)  # the answer lost: the send is in doubt
        assert len(intro_posts(fake_slack)) == 1  # and not posted again inside the Slack client either
        found = 0
        for _ in range(10):  # the clock's passes, a few minutes apart
            frozen.tick(300)
            found += deliver(engine, gateway).found_already_sent
    assert found == 2  # both looked for, and found
    assert len(intro_posts(fake_slack)) == 2
    _one_intro_each(engine, fake_slack)


def test_a_round_delivered_while_the_database_keeps_dropping_out_lands_every_intro_once(engine, fake_slack, gateway):
    people = [(f"U{n:02d}", f"Org{n}") for n in range(24)]
    _join_all(engine, fake_slack, people)
    with freeze_time(OPENS, tick=True) as frozen:
        rounds.open_round(engine, TEAM)
        with database_blips(engine, every=0.4) as blips:
            # As the clock does, a pass every 15 s, for ten minutes of the database dropping out...
            for _ in range(40):
                if retried(engine, lambda session: outbox.waiting_for_round(session, 1)) == 0:
                    break
                deliver(engine, gateway)
                frozen.tick(15)
        # ...and on, once it is back (on a busy machine a pass may not get far between blips).
        for _ in range(8):
            deliver(engine, gateway)
            frozen.tick(15)
    assert blips.count > 0
    assert not [r for r in _outbox(engine) if r.state == "failed"]
    assert len(groups(engine)) == 12 and len(intro_posts(fake_slack)) == 12
    _one_intro_each(engine, fake_slack)
    with session_scope(engine) as session:
        assert {m.status for m in session.exec(select(Member))} == {"active"}


def _members(engine):
    with session_scope(engine) as session:
        return session.exec(select(Member).order_by(Member.slack_user_id)).all()


@pytest.mark.parametrize("code", TOKEN_ERRORS)
def test_a_refused_token_holds_every_send_harms_nobody_and_all_goes_once_it_works(engine, fake_slack, gateway,
                                                                                  caplog, code):
    _join_all(engine, fake_slack)
    fake_slack.refuse_token(code)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        first = deliver(engine, gateway)
        calls = len(fake_slack.calls)
        second = deliver(engine, gateway)  # the clock's next pass, 15 s on: the bot's next try isn't due
    assert (first.held, first.failed, first.retrying, first.trouble) == (1, 0, 0, code)
    assert len(fake_slack.calls) == calls and second.trouble == code  # nothing asked of Slack meanwhile
    assert {(r.state, r.attempts) for r in _outbox(engine)} == {("pending", 0)}
    assert {g.status for g, _ in groups(engine)} != {"ended"} and "ended" not in {g.status for g, _ in groups(engine)}
    assert {(m.status, m.priority) for m in _members(engine)} == {("active", False)}  # nobody paused, or told
    said_so = [r.getMessage() for r in caplog.records if "refused the bot's token" in r.getMessage()]
    assert len(said_so) == 1 and code in said_so[0]

    fake_slack.accept_token()
    with freeze_time(OPENS + timedelta(minutes=6), tick=True):
        after = deliver(engine, gateway)
    assert after.sent == 2 and after.trouble is None
    _one_intro_each(engine, fake_slack)
    assert len([r for r in caplog.records if "takes the bot's calls again" in r.getMessage()]) == 1


# docs/operating.md (Bad days) states this bound.
CALLS_IN_AN_HOUR_OF_OUTAGE = 20


def test_an_hour_of_slack_failing_costs_a_few_calls_is_logged_once_with_its_end_and_then_all_goes(
        engine, fake_slack, gateway, caplog):
    _join_all(engine, fake_slack, [(f"U{n:02d}", f"Org{n}") for n in range(12)])
    with freeze_time(OPENS, tick=True) as frozen:
        rounds.open_round(engine, TEAM)
        fake_slack.go_down(503)
        for _ in range(4 * 60):  # the clock's two sending jobs, every 15 s for an hour
            deliver(engine, gateway)
            opening_window.open_ahead(engine, TEAM, gateway, pace=0)
            frozen.tick(15)
        during = len(fake_slack.calls)
        fake_slack.come_back()
        for _ in range(4 * 10):
            deliver(engine, gateway)
            frozen.tick(15)
    assert 0 < during <= CALLS_IN_AN_HOUR_OF_OUTAGE
    _one_intro_each(engine, fake_slack)
    logged = [r.getMessage() for r in caplog.records if r.name == "unmentor.delivery"]
    assert len([m for m in logged if "isn't answering properly" in m]) == 1
    assert len([m for m in logged if "takes the bot's calls again" in m]) == 1
