"""The hard moments of a round, walked end to end on both databases: rescheduling a third
time, and letting a chat go for the round.

Personas as in test_meetings: ada–ben, cy–di and eve–fay are matched.
"""

from __future__ import annotations

import json
from datetime import timedelta

from freezegun import freeze_time

from bot import ids
from bot.blocks import meetings as meeting_blocks
from bot.blocks import sends as send_blocks
from scheduler.sends.left_for_round import LeftForRound
from scheduler.sends.reschedule_settled import RescheduleSettled
from scheduler.sends.welcome import Welcome
from scheduler.workspace_schedule import next_round_at
from storage import members as member_store
from storage.db import session_scope
from tests import said
from tests.e2e.test_meetings import WAIT, assert_kind, bot, dms, ephemerals, events, group_of  # noqa: F401
from tests.personas import OPENS, TEAM


def _ask_to_move(bot, user, group_id, note):  # noqa: F811
    bot.submit("meeting_reschedule_view", user, group_id, {
        "note": {"value": {"type": "plain_text_input", "value": note}}})


def _notices(fake):
    return [c.args for c in fake.calls_to("chat.postMessage") if said.kind_of(c.args) == "reschedule_notice"]


def _actions(message):
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_the_third_reschedule_settles_the_old_notices_and_offers_both_to_let_the_round_go(bot):  # noqa: F811
    group = group_of(bot.engine, "UCY")
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        _ask_to_move(bot, "UCY", group.id, "Swamped this week, sorry. Could we move it?")
        assert bot.fake.wait_for(lambda f: len(_notices(f)) == 1, timeout=WAIT)
        # Di answers with another time of her own: Cy reads it as an answer, not as a second request.
        _ask_to_move(bot, "UDI", group.id, "Of course. Thursday evening?")
        assert bot.fake.wait_for(lambda f: len(_notices(f)) == 2, timeout=WAIT)
        (counter,) = dms(bot.fake, "UCY", "reschedule_notice")
        assert counter.startswith("<@UDI> suggests another time") and "needs to move" not in counter
        # Cy has to move it once more: the third request.
        _ask_to_move(bot, "UCY", group.id, "I'm so sorry, Thursday's gone too.")
        assert bot.fake.wait_for(lambda f: len(_notices(f)) == 3, timeout=WAIT)
        offered = meeting_blocks.reschedule_reply(("UDI",), group.id, offer_let_go=True)
        assert bot.fake.wait_for(lambda f: any(said.is_(e, offered) for e in ephemerals(f, "UCY")), timeout=WAIT)
        first, second, third = _notices(bot.fake)
        # Older notices settle: their buttons go, and each points to the newer one.
        for reader, asker in (("UDI", "UCY"), ("UCY", "UDI")):
            settled = send_blocks.reschedule_settled_message(RescheduleSettled(asker))["text"]
            assert bot.fake.wait_for(lambda f, r=reader, t=settled: [m for m in _dm(f, r) if m["text"] == t],
                                     timeout=WAIT)
        # In each DM, one notice at most still has buttons: the newest, in Di's.
        live = {user: [m for m in _dm(bot.fake, user) if ids.RESCHEDULE_COUNTER in _actions(m)]
                for user in ("UCY", "UDI")}
        assert live["UCY"] == [] and [m["text"] for m in live["UDI"]] == [third["text"]]
        # Only the newest is live, and it offers both to let this round go, without blame.
        assert third["channel"] == "UDI" and ids.RESCHEDULE_LET_GO in _actions(third)
        assert ids.MEETING_STEP_OUT in _actions(third)
        assert_kind(third["text"])
        let_go = bot.reply(bot.click(ids.RESCHEDULE_LET_GO, "UDI", group.id))
        assert said.is_(let_go, meeting_blocks.let_go_reply(("UCY",)))
        assert bot.fake.wait_for(lambda f: dms(f, "UCY", "left_for_round"), timeout=WAIT)
    (told,) = dms(bot.fake, "UCY", "left_for_round")
    assert said.is_({"text": told}, send_blocks.left_for_round_message(LeftForRound(1, "UDI", True)))
    assert_kind(told)
    assert group_of(bot.engine, "UCY").status == "missed"
    assert len(events(bot.engine, group.id, "reschedule_asked")) == 3


def test_joining_leaves_a_welcome_in_the_dm_once_and_again_after_leaving_and_coming_back(bot):  # noqa: F811
    bot.fake.add_user("UNEW", real_name="Nia Evans", tz="Asia/Singapore")
    first = bot.command("join Northern Trust", "UNEW")
    assert "I've sent you a welcome in our DM" in first["text"]
    assert bot.fake.wait_for(lambda f: dms(f, "UNEW", "welcome"), timeout=WAIT)
    # Joining again only updates the details: no second welcome, however often delivery runs.
    bot.command("join Northern Trust", "UNEW")
    bot.deliver()
    (welcome,) = said.sends(bot.fake, "welcome", "UNEW")
    with session_scope(bot.engine) as session:
        nia = member_store.get_member(session, TEAM, "UNEW")
        next_at = next_round_at(session, TEAM)
    assert said.is_({"text": welcome["text"]}, said.built_for("Asia/Singapore", send_blocks.welcome_message,
                                                              Welcome("Northern Trust", next_at)))
    words = json.dumps(welcome["blocks"])
    assert "everyone learns" in words and "stays between you" in words and "I can't make this round" in words
    assert_kind(words)
    # A new organisation, and the welcome in the DM names it: never one they have moved on from.
    bot.command("join Northgate Trust", "UNEW")
    renamed = said.built_for("Asia/Singapore", send_blocks.welcome_message, Welcome("Northgate Trust", next_at))
    assert bot.fake.wait_for(lambda f: [m["text"] for m in _dm(f, "UNEW")] == [renamed["text"]], timeout=WAIT)
    # Someone who leaves and comes back is welcomed again: they are starting afresh.
    bot.click(ids.LEAVE_CONFIRM, "UNEW", value="leave")
    assert bot.fake.wait_for(lambda f: _gone(bot.engine, nia.id), timeout=WAIT)
    bot.command("join Northern Trust", "UNEW")
    assert bot.fake.wait_for(lambda f: len(dms(f, "UNEW", "welcome")) == 2, timeout=WAIT)


def _gone(engine, member_id):
    with session_scope(engine) as session:
        return member_store.get_member_by_id(session, member_id).status == "left"


def _dm(fake, user):
    """The messages in the bot's DM with someone, as Slack holds them now (edits applied)."""
    return fake.messages(fake.conversation_id(user)) or fake.messages(user)


def test_leaving_a_missed_chat_until_next_round_tells_the_other_person(bot):  # noqa: F811
    group = group_of(bot.engine, "UEVE")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        bot.reply(bot.click(ids.MEETING_MISSED, "UEVE", group.id))
        left = bot.reply(bot.click(ids.MISSED_LEAVE_IT, "UEVE", group.id))
        assert said.is_(left, meeting_blocks.leave_it_reply(("UFAY",)))
        assert bot.fake.wait_for(lambda f: dms(f, "UFAY", "left_for_round"), timeout=WAIT)
    (told,) = dms(bot.fake, "UFAY", "left_for_round")
    assert said.is_({"text": told}, send_blocks.left_for_round_message(LeftForRound(1, "UEVE", False)))
