"""A send Slack refuses as invalid is our bug: logged, tried once in its safe form, and nobody is called unreachable."""

from __future__ import annotations

import json
import logging
from datetime import timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot import ids
from bot.app import make_client
from bot.blocks import sends as send_blocks
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, meetings, membership, rounds
from scheduler.membership import ProfileForm, SlackProfile
from storage import members as member_store
from storage.db import session_scope
from storage.models import Group
from tests import personas
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM, heads_up_went  # the December 2026 round

UTC = timezone.utc
SECRET = "my confidential hopes for this hour"


@pytest.fixture
def gateway(fake_slack):
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


@pytest.fixture
def pair(engine, fake_slack):
    for user, organisation in [("U1", "Acme"), ("U2", "Beta")]:
        fake_slack.add_user(user, real_name=user)
        with session_scope(engine) as session:
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation, talk_about=SECRET),
                                    SlackProfile(timezone="Europe/London"))
    heads_up_went(engine)
    return fake_slack.conversation_id("U1", "U2")


def deliver(engine, gateway):
    return delivery.deliver(engine, TEAM, gateway, pace=0)


def statuses(engine):
    with session_scope(engine) as session:
        return {u: member_store.get_member(session, TEAM, u).status for u in ("U1", "U2")}


def direct_messages(fake):
    return [c.args["text"] for c in fake.calls_to("chat.postMessage") if c.args["channel"] in ("U1", "U2")]


def test_an_intro_refused_as_invalid_goes_once_in_its_safe_form_and_nobody_is_told_anyone_is_unreachable(
        engine, fake_slack, gateway, pair, caplog):
    fake_slack.fail_next("chat.postMessage", error="invalid_blocks", status=200)
    with freeze_time(OPENS, tick=True), caplog.at_level(logging.INFO):
        rounds.open_round(engine, TEAM)
        report = deliver(engine, gateway)
    assert (report.sent, report.failed) == (1, 0)
    (intro,) = fake_slack.messages(pair)
    assert "<@U1>" in intro["text"] and "Acme" in intro["text"] and "Beta" in intro["text"]
    actions = [e["action_id"] for b in intro["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids.MEETING_SCHEDULED in actions and ids.MEETING_MET in actions
    with session_scope(engine) as session:
        (row,) = personas.sends(session)
        (group,) = session.exec(select(Group)).all()
    # The safe form carries the marker, so a crash right after it is found, not sent again.
    assert intro["blocks"][0]["block_id"] == delivery.marker_for(row)
    assert (row.state, group.status, group.intro_ts) == ("sent", "new", intro["ts"])
    assert statuses(engine) == {"U1": "active", "U2": "active"}
    assert direct_messages(fake_slack) == [] and fake_slack.calls_to("users.info") == []
    (logged,) = [r for r in caplog.records if "invalid" in r.getMessage()]
    assert logged.levelno == logging.ERROR
    assert "invalid_blocks" in logged.getMessage() and "intro" in logged.getMessage()
    assert SECRET not in caplog.text


def test_an_intro_refused_even_in_its_safe_form_is_said_honestly_and_pauses_nobody(engine, fake_slack, gateway, pair):
    fake_slack.fail_next("chat.postMessage", error="invalid_blocks", status=200, times=2)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        report = deliver(engine, gateway)
    assert fake_slack.messages(pair) == []
    assert report.failed == 1 and report.sent == 2  # one kind word to each of them instead
    texts = direct_messages(fake_slack)
    assert len(texts) == 2 and all("went wrong on my side" in t and "go first" in t for t in texts)
    assert not any("can't be reached" in t for t in texts)
    assert statuses(engine) == {"U1": "active", "U2": "active"}
    assert fake_slack.calls_to("users.info") == []  # our message was at fault; nobody's account is in question
    with session_scope(engine) as session:
        assert all(member_store.get_member(session, TEAM, u).priority for u in ("U1", "U2"))


def test_a_direct_message_refused_as_invalid_goes_as_its_plain_words_and_buttons(engine, fake_slack, gateway, pair):
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    with freeze_time(OPENS + timedelta(days=21, minutes=1), tick=True):
        rounds.run_phase(engine, TEAM, "nudge", by_hand=True)
        deliver(engine, gateway)
        fake_slack.fail_next("chat.postMessage", error="msg_too_long", status=200)
        rounds.run_phase(engine, TEAM, "follow_up", by_hand=True)
        report = deliver(engine, gateway)
    assert (report.sent, report.failed) == (2, 0)
    asks = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] in ("U1", "U2")]
    # The first ask was refused (Slack posted nothing) and went again in its safe form; the other as it was.
    assert [c.args["channel"] for c in asks] in (["U1", "U1", "U2"], ["U2", "U2", "U1"])
    assert all(len(fake_slack.messages(fake_slack.conversation_id(u))) == 1 for u in ("U1", "U2"))
    safe = asks[1].args["blocks"]
    assert [b["type"] for b in safe] == ["section", "actions"]
    assert safe[1]["elements"][0]["action_id"] == ids.FOLLOW_UP_OPEN
    assert statuses(engine) == {"U1": "active", "U2": "active"}


def test_an_intro_edit_refused_as_invalid_is_made_in_its_safe_form(engine, fake_slack, gateway, pair):
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
        with session_scope(engine) as session:
            group = session.exec(select(Group)).one()
            result = meetings.mark_met(session, TEAM, "U1", group.id)
        fake_slack.fail_next("chat.update", error="invalid_blocks", status=200)
        report = delivery.deliver(engine, TEAM, gateway, pace=0, keys=result.send_now)
    assert (report.sent, len(fake_slack.calls_to("chat.update"))) == (1, 2)
    (intro,) = fake_slack.messages(pair)
    assert send_blocks.STATUS_LINES["met"] in json.dumps(intro["blocks"])
    assert intro["blocks"][0]["type"] == "section"  # the safe form: no header
