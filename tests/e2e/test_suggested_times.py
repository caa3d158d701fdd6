"""Suggested times end to end: from the intro to a scheduled chat with one click each, signed,
against the spec-checked Slack stand-in, and the App Home form for when a member is usually free.

Personas: ada (Acme, London) and ben (Beta, New York) are matched as a pair; in the trio test
cy (Gamma, London) makes three.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.blocks import meetings as meeting_blocks
from scheduler import meeting_times, rounds
from storage import members as member_store
from storage.db import session_scope
from storage.models import Group, GroupMember, Member
from tests.e2e.test_members_in_control import home_of
from tests.inprocess import Bot
from tests.personas import ADA, BEN, CY, OPENS, TEAM, join

WAIT = 15
SOON = OPENS + timedelta(hours=2)


def _bot(engine, fake_slack, people):
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        join(engine, people, fake_slack)
    running = Bot(engine, fake_slack, TEAM)
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        running.deliver()
    return running


@pytest.fixture
def pair_bot(engine, fake_slack):
    running = _bot(engine, fake_slack, (ADA, BEN))
    yield running
    running.stop()


@pytest.fixture
def trio_bot(engine, fake_slack):
    running = _bot(engine, fake_slack, (ADA, BEN, CY))
    yield running
    running.stop()


def _group(engine) -> Group:
    with session_scope(engine) as session:
        return session.exec(select(Group).join(GroupMember).join(Member)
                            .where(Member.slack_user_id == "UADA")).one()


def _intro(fake, group) -> dict:
    (message,) = [m for m in fake.messages(group.channel_id) if m["ts"] == group.intro_ts]
    return message


def _suggestion_buttons(message) -> list[dict]:
    return [b["accessory"] for b in message["blocks"] if b.get("accessory", {}).get("text", {}).get("text")
            == "That works for me"]


def _agree(bot, users, group, which=1):
    """Each of `users` presses "That works for me" on the same suggestion, one after another."""
    replies = []
    for user in users:
        name = bot.click(f"suggested_time_{which}", user, group.id)
        replies.append(bot.reply(name, timeout=WAIT))
    return replies


def test_a_pair_goes_from_intro_to_scheduled_with_one_click_each(engine, fake_slack, pair_bot):
    group = _group(engine)
    buttons = _suggestion_buttons(_intro(fake_slack, group))
    assert [b["action_id"] for b in buttons] == ["suggested_time_1", "suggested_time_2", "suggested_time_3"]
    chosen = meeting_times.suggestions(group)[0]  # suggested_time_1
    with freeze_time(SOON, tick=True):
        (ada_reply,) = _agree(pair_bot, ["UADA"], group)
        # Ben sees ada's choice in the intro before he clicks.
        assert fake_slack.wait_for(lambda f: "<@UADA> can do this." in json.dumps(_intro(f, group)["blocks"]),
                                   timeout=WAIT)
        (ben_reply,) = _agree(pair_bot, ["UBEN"], group)
    assert ada_reply["text"].startswith("Noted:") and "Once <@UBEN> picks it too" in ada_reply["text"]
    assert ben_reply["text"].startswith("That's everyone: your chat is scheduled for")
    group = _group(engine)
    assert (group.status, group.meeting_at) == ("scheduled", chosen)
    # The intro says so, its suggestions step aside, and each has calendar links in their DM.
    assert fake_slack.wait_for(lambda f: "Scheduled for" in json.dumps(_intro(f, group)["blocks"]), timeout=WAIT)
    assert _suggestion_buttons(_intro(fake_slack, group)) == []
    pair_bot.deliver()
    for user, partner in (("UADA", "Ben (Beta)"), ("UBEN", "Ada (Acme)")):
        posts = [c.args for c in fake_slack.calls_to("chat.postMessage")
                 if c.args.get("channel") == user and "calendar.google.com" in json.dumps(c.args.get("blocks"))]
        assert len(posts) == 1, user
        assert f"unmentor%3A+an+hour+with+{partner.replace(' ', '+').replace('(', '%28').replace(')', '%29')}" \
            in json.dumps(posts[0]["blocks"])
    # /unmentor status shows the time.
    with freeze_time(SOON, tick=True):
        status = pair_bot.command("status", "UADA")
    assert "*Your chat:* scheduled for <!date^" + str(int(chosen.timestamp())) in status["text"]


def test_a_trio_goes_from_intro_to_scheduled_with_one_click_each(engine, fake_slack, trio_bot):
    group = _group(engine)
    with session_scope(engine) as session:
        assert len(session.exec(select(GroupMember).where(GroupMember.group_id == group.id)).all()) == 3
    assert len(_suggestion_buttons(_intro(fake_slack, group))) == 3
    with freeze_time(SOON, tick=True):
        replies = _agree(trio_bot, ["UADA", "UBEN"], group, which=2)
        assert _group(engine).status == "new"
        assert all(r["text"].startswith("Noted") for r in replies)
        (last,) = _agree(trio_bot, ["UCY"], group, which=2)
    assert last["text"].startswith("That's everyone")
    assert _group(engine).meeting_at == meeting_times.suggestions(group)[1]


def test_none_of_these_opens_the_reschedule_form(engine, fake_slack, pair_bot):
    group = _group(engine)
    fake_slack.reset()
    with freeze_time(SOON, tick=True):
        pair_bot.click("suggested_time_none", "UBEN", group.id)
        assert fake_slack.wait_for(lambda f: f.calls_to("views.open"), timeout=WAIT)
    view = fake_slack.calls_to("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == meeting_blocks.reschedule_modal(group.id)["callback_id"]


def test_app_home_form_for_when_a_member_is_usually_free_changes_the_times_suggested(engine, fake_slack):
    bot = _bot(engine, fake_slack, (ADA, BEN))
    try:
        with freeze_time(SOON, tick=True):
            home = json.dumps(home_of(bot, "UADA"))
            assert "Monday to Friday, 09:00 to 17:30, your time" in home and "member_usually_free" in home
            fake_slack.reset()
            bot.click("member_usually_free", "UADA", home=True, value="usually_free")
            assert fake_slack.wait_for(lambda f: f.calls_to("views.open"), timeout=WAIT)
            # Nothing ticked: said beside the field, nothing kept.
            answer = bot.submit("member_usually_free_view", "UADA", values={
                "days": {"value": {"type": "checkboxes", "selected_options": []}},
                "parts": {"value": {"type": "checkboxes", "selected_options": [{"value": "morning"}]}}})
            assert answer["response_action"] == "errors" and "days" in answer["errors"]
            answer = bot.submit("member_usually_free_view", "UADA", values={
                "days": {"value": {"type": "checkboxes", "selected_options": [{"value": "tue"}, {"value": "thu"}]}},
                "parts": {"value": {"type": "checkboxes", "selected_options": [{"value": "afternoon"}]}}})
            assert answer == {}
            assert fake_slack.wait_for(lambda f: any("Tuesday and Thursday, 12:00 to 17:30" in json.dumps(c.args)
                                                     for c in f.calls_to("views.publish")), timeout=WAIT)
        with session_scope(engine) as session:
            assert member_store.get_member(session, TEAM, "UADA").usually_free == "tue,thu|afternoon"
    finally:
        bot.stop()
