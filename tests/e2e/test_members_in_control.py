"""Members in control, end to end: signed commands and App Home clicks into the bot, the spec-checked fake Slack.

Personas: ada (Acme) keeps a private "don't pair me with" list naming ben (Beta); cy (Gamma)
and di (Delta) are ordinary members; olive is an organiser. Ben must never learn of ada's list.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from bot import ids
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from playground.slack import payloads as sr
from scheduler import membership, rounds
from scheduler.avoid import AvoidChange
from storage import members as member_store
from storage.db import session_scope
from tests import said
from tests.inprocess import Bot
from tests.personas import MEMBERS, OLIVE, OPENS, TEAM, introduce, join

UTC = timezone.utc


@pytest.fixture
def bot(engine, fake_slack):
    introduce(fake_slack, [OLIVE])
    with freeze_time(OPENS - timedelta(days=5), tick=True):
        join(engine, MEMBERS[:4], fake_slack)  # ada, ben, cy, di
    running = Bot(engine, fake_slack, TEAM, organisers=[OLIVE.user_id])
    yield running
    running.stop()


def home_of(bot, user):
    bot.fake.reset()
    bot.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1.1"})
    # Theirs: a redraw of someone else's Home, after an earlier command's reply, may land meanwhile.
    assert bot.fake.wait_for(lambda f: said.homes(f, user), timeout=10)
    return said.homes(bot.fake, user)[-1]


def pick(view, action_id):
    return next(
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )


def everything_sent_to(fake, user):
    """Every message posted to the person's DM or a conversation they're in, and every view published to them."""
    sent = [c.args for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == user]
    sent += [c.args for c in fake.calls_to("views.publish") if c.args.get("user_id") == user]
    return json.dumps(sent)


def test_dont_pair_me_with_is_private_and_kept_by_the_round(bot):
    reply = bot.command("avoid <@UBEN|ben>", "UADA")
    assert reply["response_type"] == "ephemeral"
    assert said.is_(reply, member_blocks.avoid_change_message("avoid", "UBEN", AvoidChange.done))
    assert said.is_(bot.command("avoid", "UADA"), member_blocks.avoid_list_message(["UBEN"]))
    # ben's own list is his, and empty
    assert said.is_(bot.command("avoid", "UBEN"), member_blocks.avoid_list_message([]))
    assert said.is_(bot.command("avoid <@UADA|ada>", "UADA"),
                    member_blocks.avoid_change_message("avoid", "UADA", AvoidChange.yourself))

    # Only Acme and Beta can be paired across organisations... but ada asked not to meet ben.
    with session_scope(bot.engine) as session:
        for user in ("UCY", "UDI"):
            membership.pause(session, TEAM, user)
    bot.fake.reset()
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(bot.engine, TEAM)
        bot.deliver()
    assert outcome.plan.groups == []
    # Ben's App Home and every message to him say nothing of ada's list.
    assert "UADA" not in everything_sent_to(bot.fake, "UBEN")
    assert "UADA" not in json.dumps(home_of(bot, "UBEN"))
    # Ada's App Home shows her list in a people picker she controls.
    assert pick(home_of(bot, "UADA"), "member_avoid_list")["initial_users"] == ["UBEN"]

    assert said.is_(bot.command("unavoid <@UBEN|ben>", "UADA"),
                    member_blocks.avoid_change_message("unavoid", "UBEN", AvoidChange.done))
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        groups = rounds.preview(bot.engine, TEAM).plan.groups
    assert [sorted(m.slack_user_id for m in g) for g in groups] == [["UADA", "UBEN"]]


def test_app_home_people_picker_adds_and_removes_in_one_control(bot):
    view = home_of(bot, "UADA")
    body = sr.block_actions_body("member_avoid_list", ["UBEN", "UCY", "UADA"], "UADA", team_id=TEAM,
                                 view=view, action_type="multi_users_select")
    bot.fake.reset()
    assert bot.post(body)[0] == 200
    assert bot.fake.wait_for(lambda f: said.homes(f, "UADA"), timeout=10)
    assert pick(said.homes(bot.fake, "UADA")[-1], "member_avoid_list")["initial_users"] == [
        "UBEN",
        "UCY",
    ]
    # The change is confirmed, as the pause date's is: a DM to ada alone with her list as saved.
    (dm,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UADA"]
    assert said.is_(dm, member_blocks.avoid_list_message(["UBEN", "UCY"]))
    body = sr.block_actions_body("member_avoid_list", ["UCY"], "UADA", team_id=TEAM, view=view,
                                 action_type="multi_users_select")
    bot.fake.reset()
    assert bot.post(body)[0] == 200
    # Ada's own Home, redrawn with the list as it now is (not a redraw of anyone's still landing).
    assert bot.fake.wait_for(lambda f: [v for v in said.homes(f, "UADA")
                                        if pick(v, "member_avoid_list")["initial_users"] == ["UCY"]], timeout=10)
    assert said.is_(bot.command("avoid", "UADA"), member_blocks.avoid_list_message(["UCY"]))


def _status(engine, user):
    with session_scope(engine) as session:
        member = member_store.get_member(session, TEAM, user)
        return member.status, member.paused_until


def test_pause_until_a_day_by_command_and_by_the_home_date_picker_and_back_with_a_welcome(bot):
    with freeze_time(datetime(2026, 12, 10, 12, 0, tzinfo=UTC), tick=True):
        reply = bot.command("pause until 2027-03-01", "UBEN")
        # The day begins in ben's own time zone, and the reply's date reads in it too.
        assert _status(bot.engine, "UBEN") == ("paused", datetime(2027, 3, 1, 14, 0, tzinfo=UTC))
        assert said.is_(reply, said.built_for("America/New_York", member_blocks.paused_until_message,
                                              datetime(2027, 3, 1, 14, 0, tzinfo=UTC)))
        assert said.is_(bot.command("pause until next tuesday", "UCY"), member_blocks.pause_until_usage_message())
        assert "already come" in bot.command("pause until 2026-12-01", "UCY")["text"]
        assert _status(bot.engine, "UCY") == ("active", None)

        view = home_of(bot, "UCY")
        assert pick(view, "member_pause_until")["type"] == "datepicker"
        body = sr.block_actions_body("member_pause_until", None, "UCY", team_id=TEAM, view=view,
                                     action_type="datepicker", selected_date="2027-02-01")
        bot.fake.reset()
        assert bot.post(body)[0] == 200
        # Cy's own Home redrawn and her confirmation sent: another Home redraw still landing from the
        # commands above says nothing about her pause.
        assert bot.fake.wait_for(lambda f: said.homes(f, "UCY") and [
            c for c in f.calls_to("chat.postMessage") if c.args["channel"] == "UCY"], timeout=10)
        assert _status(bot.engine, "UCY") == ("paused", datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
        (dm,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UCY"]
        assert said.is_(dm, said.built_for("Europe/London", member_blocks.paused_until_message,
                                           datetime(2027, 2, 1, 9, 0, tzinfo=UTC)))

    bot.fake.reset()
    with freeze_time(datetime(2027, 2, 1, 9, 1, tzinfo=UTC), tick=True):
        assert "welcome_back" in rounds.run_due(bot.engine, TEAM)
        bot.deliver()
    welcomes = [args["channel"] for args in said.sends(bot.fake, "welcome_back")]
    assert welcomes == ["UCY"]
    assert _status(bot.engine, "UCY") == ("active", None) and _status(bot.engine, "UBEN")[0] == "paused"


def test_removing_someone_asks_first_then_tells_them_kindly_unless_the_organiser_asks_for_quiet(bot):
    # Nothing is deleted on the command alone: the organiser sees who, from where, and what will go.
    ask = bot.command("remove <@UDI|di>", "UOLIVE")
    assert said.is_(ask, organiser_blocks.remove_confirm_message("UDI", "Delta", tell=True))
    assert _status(bot.engine, "UDI")[0] == "active"
    reply = bot.reply(bot.click(ids.ORG_REMOVE, "UOLIVE", value=ids.remove_value("UDI", True)))
    assert said.is_(reply, organiser_blocks.member_removed_message("UDI", True, told=True, may_rejoin=True))
    (note,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UDI"]
    # Named whom to ask, and invited back, as the organiser chose.
    assert said.is_(note, member_blocks.removed_notice_message("UOLIVE", may_rejoin=True))

    bot.fake.reset()
    bot.command("remove <@UCY|cy> quietly", "UOLIVE")
    reply = bot.reply(bot.click(ids.ORG_REMOVE_NO_REJOIN, "UOLIVE", value=ids.remove_value("UCY", False)))
    assert said.is_(reply, organiser_blocks.member_removed_message("UCY", True, told=False, may_rejoin=False))
    assert [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UCY"] == []
    # A removal made for a serious reason isn't undone by a join: Cy is told kindly whom to ask.
    refused = bot.command("join Gamma", "UCY")
    assert "up to them" in refused["text"] and "<@UOLIVE>" in refused["text"]
    with session_scope(bot.engine) as session:
        assert member_store.get_member(session, TEAM, "UCY") is None
    allowed = bot.command("allow <@UCY|cy>", "UOLIVE")
    assert said.is_(allowed, organiser_blocks.rejoin_allowed_message("UCY", True))
    assert "up to them" not in bot.command("join Gamma", "UCY")["text"]
    assert _status(bot.engine, "UCY")[0] == "active"

    # A mistyped mention costs nothing: cancel, and Ben is still in.
    assert "quietly" in bot.command("remove <@UBEN|ben> loudly", "UOLIVE")["text"]
    bot.command("remove <@UBEN|ben>", "UOLIVE")
    cancelled = bot.reply(bot.click(ids.ORG_REMOVE_CANCEL, "UOLIVE", value=ids.remove_value("UBEN", True)))
    assert said.is_(cancelled, organiser_blocks.remove_cancelled_message("UBEN"))
    # Only an organiser's click removes anyone.
    bot.click(ids.ORG_REMOVE, "UADA", value=ids.remove_value("UBEN", True))
    assert _status(bot.engine, "UBEN")[0] == "active"


def _actions_of(view) -> set[str]:
    return {e.get("action_id") for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_a_home_left_open_shows_what_a_command_just_changed(bot):
    eve = MEMBERS[4]
    introduce(bot.fake, [eve])
    # Eve has App Home open before she joins: there is nothing of hers to pause yet.
    assert ids.PAUSE not in _actions_of(home_of(bot, eve.user_id))

    bot.fake.reset()
    assert "You're in" in bot.command(f"join {eve.organisation}", eve.user_id)["text"]
    # Her Home is redrawn as a member's, without her having to open it again.
    assert bot.fake.wait_for(lambda f: said.homes(f, eve.user_id), timeout=10)
    assert ids.PAUSE in _actions_of(said.homes(bot.fake, eve.user_id)[-1])

    bot.fake.reset()
    bot.command("pause", eve.user_id)
    assert bot.fake.wait_for(lambda f: said.homes(f, eve.user_id), timeout=10)
    actions = _actions_of(said.homes(bot.fake, eve.user_id)[-1])
    assert ids.RESUME in actions and ids.PAUSE not in actions
