"""Nobody is left hanging when a partner leaves, is removed or goes quiet mid-round, end to end on both databases.

Signed clicks and commands to the real bot, against the spec-checked Slack stand-in.
Personas as in test_e2e_meetings: ada–ben, cy–di and eve–fay are matched; of the fresh pairs
left possible this round, only ada–eve is allowed (everyone else has met before).
"""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest
from freezegun import freeze_time

from bot import ids
from bot.blocks import meetings as meeting_blocks
from bot.blocks import member as member_blocks
from bot.blocks import sends as send_blocks
from scheduler import membership, rounds
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.sends.intro_moved import GroupMoved
from scheduler.sends.nudge_settled import NudgeSettled
from scheduler.sends.partner_left import GroupEnded, PartnerLeft
from scheduler.sends.partner_moved_on import PartnerMovedOn
from scheduler.sends.partner_stepped_out import PartnerSteppedOut
from scheduler.sends.reschedule_settled import RescheduleSettled
from scheduler.workspace_schedule import next_round_at
from storage import members as member_store
from storage.db import session_scope
from tests import said
from tests.e2e.test_meetings import assert_kind, group_of
from tests.inprocess import Bot
from tests.personas import OLIVE, OPENS, PEOPLE, TEAM, heads_up_went, meet_before

UTC = timezone.utc
ORGANISER = OLIVE.user_id


def _join(engine, fake, people):
    for user, organisation, tz in people:
        fake.add_user(user, real_name=user.title(), tz=tz)
        with session_scope(engine) as session:
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation),
                                    SlackProfile(timezone=tz))
    heads_up_went(engine)


@pytest.fixture
def bot(engine, fake_slack):
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        _join(engine, fake_slack, PEOPLE)
        fake_slack.add_user(ORGANISER, real_name="Olive", tz="Europe/London")
        with session_scope(engine) as session:
            meet_before(session)
    running = Bot(engine, fake_slack, TEAM, organisers=(ORGANISER,))
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        running.deliver()
    yield running
    running.stop()


def _everything_said(fake) -> list[str]:
    """Every message posted or edited, and every reply, as Slack received it."""
    said_ = [json.dumps(c.args) for c in fake.calls if c.method in ("chat.postMessage", "chat.update",
                                                                   "chat.postEphemeral", "views.publish")]
    return said_ + [json.dumps(r) for r in fake.responses]


def _no_gaps(fake) -> None:
    """No message shows a group with someone missing ("Hello  and <@x>!", an empty mention)."""
    for text in _everything_said(fake):
        assert "Hello  and" not in text and "Hello and" not in text and "<@>" not in text and "<@None>" not in text


def _edits_of(fake, channel, ts):
    return [c.args for c in fake.calls_to("chat.update") if c.args["channel"] == channel and c.args["ts"] == ts]


def test_pause_instead_of_leaving_mid_round_keeps_everything_and_the_partner_hears_at_once_kindly(bot):
    ada_group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        asked = bot.command("leave", "UBEN")
        # Before anything is deleted, Ben reads that Ada will be told kindly and looked after, and
        # that a pause would keep his details.
        assert said.is_(asked, member_blocks.leave_confirm_message(("UADA",)))
        assert "<@UADA> this round: I'll let them know kindly" in asked["text"]
        assert "pausing keeps your details" in asked["text"]
        paused = bot.reply(bot.click(ids.LEAVE_PAUSE_INSTEAD, "UBEN", value="pause"), timeout=10)
        # He paused instead of leaving, so he is out of this round's match as "I can't make this
        # round" would take him out, and the reply says truthfully that Ada has been told.
        assert said.is_(paused, member_blocks.paused_stepping_out_message(("UADA",), carried_on=False))
        assert "I've let <@UADA> know you can't make this round" in paused["text"]
        assert bot.fake.wait_for(lambda f: said.sends(f, "partner_stepped_out", "UADA"))
        (told,) = said.sends(bot.fake, "partner_stepped_out", "UADA")
        with session_scope(bot.engine) as session:
            next_round = next_round_at(session, TEAM)
        assert said.is_({"text": told["text"]}, said.built_for(
            "Europe/London", send_blocks.partner_stepped_out_message,
            PartnerSteppedOut(ada_group.id, 1, "UBEN", True, next_round)))
        # The shared intro has moved on: no buttons left for either of them to press.
        assert bot.fake.wait_for(lambda f: _edits_of(f, ada_group.channel_id, ada_group.intro_ts))
        edit = _edits_of(bot.fake, ada_group.channel_id, ada_group.intro_ts)[-1]
        assert not [b for b in edit["blocks"] if b["type"] == "actions"]
    with session_scope(bot.engine) as session:
        ben = member_store.get_member(session, TEAM, "UBEN")
        assert ben.status == "paused" and ben.organisation  # nothing deleted
        # Nobody's match waits on Ben: Ada's is over this round, and she goes first next round.
        assert membership.partners_this_round(session, ben) == ()
        assert member_store.get_member(session, TEAM, "UADA").priority
    _no_gaps(bot.fake)


def test_a_plain_pause_mid_round_keeps_this_rounds_match_and_says_how_to_step_out(bot):
    ada_group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        paused = bot.command("pause", "UBEN")
    # Pausing stops future matches; the match this round stays, and Ben reads how to let Ada know.
    assert said.is_(paused, member_blocks.paused_while_matched_message(("UADA",)))
    assert "still matched with <@UADA> this round" in paused["text"]
    assert group_of(bot.engine, "UADA").id == ada_group.id and not said.sends(bot.fake, "partner_stepped_out", "UADA")


def test_a_partner_who_leaves_mid_round_ends_the_match_kindly_and_the_one_left_gets_a_fresh_match(bot):
    ada_group, eve_group = group_of(bot.engine, "UADA"), group_of(bot.engine, "UEVE")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        # Ben leaves unmentor (with the confirm); Ada hears at once, before any clock pass.
        bot.click(ids.LEAVE_CONFIRM, "UBEN", value="leave")
        assert bot.fake.wait_for(lambda f: said.sends(f, "partner_left", "UADA"))
        with session_scope(bot.engine) as session:
            next_round = next_round_at(session, TEAM)
        (told,) = said.sends(bot.fake, "partner_left", "UADA")
        assert said.is_({"text": told["text"]},
                        said.built_for("Europe/London", send_blocks.partner_left_message,
                                       PartnerLeft(ada_group.id, 1, True, next_round)))
        assert_kind(told["text"])
        # The old intro now says the match ended, naming only Ada.
        assert bot.fake.wait_for(lambda f: _edits_of(f, ada_group.channel_id, ada_group.intro_ts))
        edit = _edits_of(bot.fake, ada_group.channel_id, ada_group.intro_ts)[-1]
        assert said.is_(edit, send_blocks.group_ended_message(GroupEnded(1, ("UADA",))))
        assert "UBEN" not in json.dumps(edit)

        # Ada asks for someone new: nobody is free yet, so she stays first in line.
        asked = bot.click(ids.PARTNER_LEFT_REMATCH, "UADA", ada_group.id)
        assert said.is_(bot.reply(asked, timeout=10), meeting_blocks.rematched_reply(found=False))

        # An organiser removes Fay: Eve, in the same position, is matched with Ada this round.
        bot.command("remove <@UFAY|fay> quietly", ORGANISER)
        bot.click(ids.ORG_REMOVE, ORGANISER, value=ids.remove_value("UFAY", False))
        assert bot.fake.wait_for(lambda f: said.sends(f, "partner_left", "UEVE"))
        found = bot.click(ids.PARTNER_LEFT_REMATCH, "UEVE", eve_group.id)
        assert said.is_(bot.reply(found, timeout=10), meeting_blocks.rematched_reply(found=True))
        again = bot.click(ids.PARTNER_LEFT_REMATCH, "UEVE", eve_group.id)  # a second click changes nothing
        assert said.is_(bot.reply(again, timeout=10), meeting_blocks.partner_left_already_reply())
    fresh = group_of(bot.engine, "UADA")
    assert fresh.id not in (ada_group.id, eve_group.id) and group_of(bot.engine, "UEVE").id == fresh.id
    (intro,) = said.sends(bot.fake, "intro", fresh.channel_id)
    assert "UADA" in intro["text"] and "UEVE" in intro["text"]
    _no_gaps(bot.fake)

    # Ada's App Home and status show her new match, never the ended one with a gap in it.
    with session_scope(bot.engine) as session:
        from storage import members as member_store
        from storage import rounds as round_store

        ada = member_store.get_member(session, TEAM, "UADA")
        assert round_store.current_group_for(session, ada.id) == (1, ["UEVE"])


def test_the_round_close_never_rewrites_an_intro_with_someone_missing(bot):
    ada_group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        bot.command("remove <@UBEN|ben>", ORGANISER)
        bot.click(ids.ORG_REMOVE, ORGANISER, value=ids.remove_value("UBEN", True))
        assert bot.fake.wait_for(lambda f: said.sends(f, "partner_left", "UADA"))
        waits = bot.click(ids.PARTNER_LEFT_WAIT, "UADA", ada_group.id)
        assert said.is_(bot.reply(waits, timeout=10), meeting_blocks.sat_out_reply())
    for day in (10, 21, 28):
        with freeze_time(OPENS + timedelta(days=day, minutes=1), tick=True):
            rounds.run_due(bot.engine, TEAM)
            bot.deliver()
    # The ended match's intro was edited once, to say it ended; nothing after reopened the gap.
    assert [said.is_(e, send_blocks.group_ended_message(GroupEnded(1, ("UADA",))))
            for e in _edits_of(bot.fake, ada_group.channel_id, ada_group.intro_ts)] == [True]
    assert not said.sends(bot.fake, "follow_up", "UADA")  # no "what did you take away from your chat"
    _no_gaps(bot.fake)


TRIO = [("UGUS", "Gamma", "Europe/London"), ("UHAL", "Delta", "Europe/London"), ("UIVY", "Epsilon", "Europe/London")]


@pytest.fixture
def trio(engine, fake_slack):
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        _join(engine, fake_slack, TRIO)
        fake_slack.add_user(ORGANISER, real_name="Olive", tz="Europe/London")
    running = Bot(engine, fake_slack, TEAM, organisers=(ORGANISER,))
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        running.deliver()
    yield running
    running.stop()


def test_when_one_of_a_trio_leaves_the_other_two_carry_on_as_a_pair_in_their_own_conversation(trio):
    old = group_of(trio.engine, "UGUS")
    assert group_of(trio.engine, "UHAL").id == group_of(trio.engine, "UIVY").id == old.id
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        trio.click(ids.LEAVE, "UIVY", value="leave", home=True)
        assert trio.fake.wait_for(lambda f: _edits_of(f, old.channel_id, old.intro_ts))
        assert trio.fake.wait_for(lambda f: len(said.sends(f, "intro")) == 2)
        # The new conversation is recorded just after Slack takes the intro; the Home tab redrawn last.
        assert trio.fake.wait_for(lambda f: group_of(trio.engine, "UGUS").channel_id not in (None, old.channel_id)
                                  and f.calls_to("views.publish"))
    edit = _edits_of(trio.fake, old.channel_id, old.intro_ts)[-1]
    assert said.is_(edit, send_blocks.group_ended_message(GroupEnded(1, ("UGUS", "UHAL"))))
    now_ = group_of(trio.engine, "UGUS")
    assert now_.id == old.id and now_.channel_id != old.channel_id  # a conversation without Ivy
    (intro,) = said.sends(trio.fake, "intro", now_.channel_id)
    assert "UIVY" not in json.dumps(intro) and "UGUS" in intro["text"] and "UHAL" in intro["text"]
    assert not said.sends(trio.fake, "partner_left")  # nobody was left alone
    _no_gaps(trio.fake)


def _gus_asks_to_move_it_then_steps_out(trio, group) -> list[str]:
    """Gus asks to move the trio's chat, Hal and Ivy get their notices, then Gus steps out of the
    round; returns the texts of the two notices' edits, once both have landed."""
    trio.submit("meeting_reschedule_view", "UGUS", group.id, {
        "note": {"value": {"type": "plain_text_input", "value": "Can we move it?"}}})
    assert trio.fake.wait_for(lambda f: len(said.sends(f, "reschedule_notice")) == 2, timeout=15)
    trio.click(ids.MEETING_STEP_OUT, "UGUS", group.id)

    def edits(f):
        return sorted(c.args["text"] for c in f.calls_to("chat.update") if c.args["text"].startswith("<@UGUS> asked"))

    assert trio.fake.wait_for(lambda f: len(edits(f)) == 2, timeout=15)
    return edits(trio.fake)


def test_a_yes_to_a_request_whose_asker_has_stepped_out_of_the_trio_schedules_nothing(trio):
    group = group_of(trio.engine, "UGUS")
    with freeze_time(OPENS + timedelta(hours=1), tick=True):
        settled = send_blocks.reschedule_settled_message
        assert _gus_asks_to_move_it_then_steps_out(trio, group) == sorted(
            settled(RescheduleSettled("UGUS", stepped_out_id="UGUS", carrying_on_with=(other,)))["text"]
            for other in ("UHAL", "UIVY"))
        # Hal's yes crossed the edit of his notice: he's told kindly, and Gus hears nothing.
        late = trio.reply(trio.click(ids.RESCHEDULE_ACCEPT, "UHAL", group.id))
    assert said.is_(late, meeting_blocks.request_withdrawn_reply(("UGUS",), ("UIVY",)))
    assert not said.sends(trio.fake, "reschedule_accepted")
    assert group_of(trio.engine, "UHAL").meeting_at is None


def test_another_time_or_letting_it_go_on_a_request_whose_asker_has_stepped_out_is_told_it_no_longer_stands(trio):
    group = group_of(trio.engine, "UGUS")
    with freeze_time(OPENS + timedelta(hours=1), tick=True):
        _gus_asks_to_move_it_then_steps_out(trio, group)
        # Hal's "Suggest another time" and Ivy's "Let's leave it this round" crossed the edits of their notices.
        counter = trio.reply(trio.click(ids.RESCHEDULE_COUNTER, "UHAL", group.id))
        let_go = trio.reply(trio.click(ids.RESCHEDULE_LET_GO, "UIVY", group.id))
    assert said.is_(counter, meeting_blocks.request_withdrawn_reply(("UGUS",), ("UIVY",)))
    assert said.is_(let_go, meeting_blocks.request_withdrawn_reply(("UGUS",), ("UHAL",)))
    assert not trio.fake.calls_to("views.open")  # no form to answer a request that no longer stands
    assert not said.sends(trio.fake, "left_for_round")
    assert group_of(trio.engine, "UHAL").status == "new"


def test_when_a_trio_carries_on_without_its_quiet_member_the_old_conversations_nudge_loses_its_button(trio):
    group = group_of(trio.engine, "UGUS")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        trio.click("meeting_scheduled", "UHAL", group.id)  # an answer: only Ivy is quiet
        assert trio.fake.wait_for(lambda f: f.calls_to("views.open"))
    with freeze_time(OPENS + timedelta(days=10, hours=1), tick=True):
        rounds.run_due(trio.engine, TEAM)  # the group's nudge, on day 10
        trio.deliver()
        (nudge,) = said.sends(trio.fake, "nudge", group.channel_id)
        trio.reply(trio.click("meeting_partner_no_reply", "UGUS", group.id))
    with freeze_time(OPENS + timedelta(days=12, hours=2), tick=True):
        trio.reply(trio.click("meeting_partner_no_reply", "UGUS", group.id))
        assert trio.fake.wait_for(lambda f: group_of(trio.engine, "UGUS").channel_id not in (None, group.channel_id))
        trio.deliver()
    # All three still see the old conversation: its nudge no longer offers "I can't make this round".
    (old_nudge,) = [m for m in trio.fake.messages(group.channel_id) if m["text"].startswith("A gentle nudge")]
    assert said.is_({"text": old_nudge["text"]}, send_blocks.nudge_settled_message(NudgeSettled(1)))
    assert not [b for b in old_nudge["blocks"] if b["type"] == "actions"]
    assert nudge["text"] != old_nudge["text"]


def test_a_trios_quiet_member_ends_only_their_own_part_and_the_two_who_answered_carry_on(trio):
    group = group_of(trio.engine, "UGUS")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        # Hal opens "We've scheduled it" and thinks better of it: a click all the same, so an answer.
        trio.click("meeting_scheduled", "UHAL", group.id)
        assert trio.fake.wait_for(lambda f: f.calls_to("views.open"))
    with freeze_time(OPENS + timedelta(days=7, hours=1), tick=True):
        rounds.run_due(trio.engine, TEAM)
        trio.deliver()
        first = trio.reply(trio.click("meeting_partner_no_reply", "UGUS", group.id))
        assert first["text"].startswith("I've just sent")
        assert trio.fake.wait_for(lambda f: said.sends(f, "quiet_nudge", "UIVY"))
        assert not said.sends(trio.fake, "quiet_nudge", "UHAL")  # Hal answered: only Ivy is nudged
    with freeze_time(OPENS + timedelta(days=9, hours=2), tick=True):
        done = trio.reply(trio.click("meeting_partner_no_reply", "UGUS", group.id))
        assert said.is_(done, meeting_blocks.carry_on_as_pair_reply(("UHAL",), ("UIVY",)))
        assert trio.fake.wait_for(lambda f: said.sends(f, "partner_moved_on", "UIVY"))
        assert trio.fake.wait_for(lambda f: _edits_of(f, group.channel_id, group.intro_ts))
        assert trio.fake.wait_for(lambda f: group_of(trio.engine, "UGUS").channel_id not in (None, group.channel_id))
        with session_scope(trio.engine) as session:
            next_round = next_round_at(session, TEAM)
    (told,) = said.sends(trio.fake, "partner_moved_on", "UIVY")
    # Ivy reads what her own screen shows: the other two carry on, and she's matched next round.
    assert said.is_({"text": told["text"]}, said.built_for("Europe/London", send_blocks.partner_moved_on_message,
                                                           PartnerMovedOn(1, next_round, ("UGUS", "UHAL"),
                                                                          carried_on=True)))
    assert "the three of you" not in told["text"] and "carrying on as a pair" in told["text"]
    # Nobody is edited out of a conversation they can still see: the old intro, which Ivy still has,
    # names all three as things now stand and has no buttons left.
    (old_intro,) = [m for m in trio.fake.messages(group.channel_id) if m["ts"] == group.intro_ts]
    assert said.is_({"text": old_intro["text"]},
                    send_blocks.group_moved_message(GroupMoved(1, ("UGUS", "UHAL"), ("UIVY",))))
    assert not [b for b in old_intro["blocks"] if b["type"] == "actions"]
    # Gus and Hal's match goes on, as a pair, in a conversation of their own: buttons and all.
    now_ = group_of(trio.engine, "UGUS")
    assert now_.id == group.id and now_.status == "new" and group_of(trio.engine, "UHAL").id == group.id
    assert now_.channel_id != group.channel_id
    (intro,) = said.sends(trio.fake, "intro", now_.channel_id)
    shown = json.dumps(intro["blocks"])
    assert "Hello <@UGUS> and <@UHAL>!" in shown and "UIVY" not in shown and "either of you" in shown
    assert send_blocks.INTRO_WHY["carrying_on"] in shown
    # Ivy was introduced to them both all the same: the next round pairs her with neither.
    next_groups = rounds.preview(trio.engine, TEAM).plan.groups
    assert not any("UIVY" in {m.slack_user_id for m in g} for g in next_groups)
    with freeze_time(OPENS + timedelta(days=10), tick=True):
        met = trio.reply(trio.click("meeting_met", "UHAL", group.id))
        assert said.is_(met, meeting_blocks.met_reply(already=False))
        # Whatever Ivy clicks on the old match gets a kind answer about her own situation.
        for action in ("meeting_met", "meeting_partner_no_reply", ids.MEETING_STEP_OUT):
            answer = trio.reply(trio.click(action, "UIVY", group.id))
            assert said.is_(answer, meeting_blocks.out_of_group_reply())
    _no_gaps(trio.fake)


def test_one_of_a_trio_who_leaves_while_slack_holds_the_intro_is_taken_out_of_it_once_it_lands(engine, fake_slack):
    import threading

    from storage import outbox as outbox_store

    with freeze_time(OPENS - timedelta(days=1), tick=True):
        _join(engine, fake_slack, TRIO)
    running = Bot(engine, fake_slack, TEAM)
    try:
        with freeze_time(OPENS, tick=True):
            assert rounds.open_round(engine, TEAM).reason == "opened"
            held = fake_slack.hold("chat.postMessage")  # Slack holds the trio's intro until let go below
            sending = threading.Thread(target=running.deliver)
            sending.start()
            assert fake_slack.wait_for(lambda f: f.calls_to("chat.postMessage"))
            trio_dm = fake_slack.calls_to("chat.postMessage")[0].args["channel"]
            # Ivy presses Leave while the intro naming her is on its way.
            running.click(ids.LEAVE, "UIVY", value="leave", home=True)
            assert fake_slack.wait_for(lambda f: len(said.sends(f, "intro")) == 2, timeout=10)
            assert sending.is_alive()  # she had left before Slack answered the trio's intro
            held.set()
            sending.join(timeout=10)
            # The intro that landed late naming her is corrected, as if she had left just after it.
            (late,) = fake_slack.messages(trio_dm)
            assert fake_slack.wait_for(lambda f: _edits_of(f, trio_dm, late["ts"]))
        edit = _edits_of(fake_slack, trio_dm, late["ts"])[-1]
        assert said.is_(edit, send_blocks.group_ended_message(GroupEnded(1, ("UGUS", "UHAL"))))
        # Her leaving blanked every conversation she was in: the late answer brought none of them back.
        group = group_of(engine, "UGUS")
        assert group.channel_id not in (None, trio_dm) and group.intro_ts != late["ts"]
        with session_scope(engine) as session:
            rows = outbox_store.of_kind_since(session, TEAM, "intro", before=OPENS + timedelta(days=1))
            assert trio_dm not in {row.channel_id for row in rows}
        # So the nudge goes to Gus and Hal's own conversation, and a click there edits their intro only.
        with freeze_time(OPENS + timedelta(days=10, minutes=1), tick=True):
            assert rounds.run_phase(engine, TEAM, "nudge", by_hand=True).result == "done"
            running.deliver()
            running.reply(running.click(ids.MEETING_MET, "UGUS", group.id), timeout=10)
            assert fake_slack.wait_for(lambda f: _edits_of(f, group.channel_id, group.intro_ts))
        assert said.sends(fake_slack, "nudge", group.channel_id) and not said.sends(fake_slack, "nudge", trio_dm)
        assert _edits_of(fake_slack, trio_dm, late["ts"]) == [edit]
    finally:
        running.stop()


def test_i_cant_make_this_round_is_one_click_and_the_partner_hears_at_once_kindly(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        stepped = bot.reply(bot.click(ids.MEETING_STEP_OUT, "UADA", group.id))
        assert said.is_(stepped, meeting_blocks.stepped_out_reply(("UBEN",), carried_on=False))
        assert bot.fake.wait_for(lambda f: said.sends(f, "partner_stepped_out", "UBEN"))
        assert bot.fake.wait_for(lambda f: _edits_of(f, group.channel_id, group.intro_ts))
        with session_scope(bot.engine) as session:
            next_round = next_round_at(session, TEAM)
        (told,) = said.sends(bot.fake, "partner_stepped_out", "UBEN")
        assert said.is_({"text": told["text"]}, said.built_for(
            "America/New_York", send_blocks.partner_stepped_out_message,
            PartnerSteppedOut(group.id, 1, "UADA", True, next_round)))
        assert_kind(told["text"])
        # The shared intro shows the match has moved on, with no buttons left to press.
        edit = _edits_of(bot.fake, group.channel_id, group.intro_ts)[-1]
        assert not [b for b in edit["blocks"] if b["type"] == "actions"]
        # Ben would rather wait: first in line next round.
        waits = bot.click(ids.PARTNER_LEFT_WAIT, "UBEN", group.id)
        assert said.is_(bot.reply(waits, timeout=10), meeting_blocks.sat_out_reply())
        # Ada, clicking again, is answered about her own situation.
        again = bot.reply(bot.click(ids.MEETING_STEP_OUT, "UADA", group.id))
        assert said.is_(again, meeting_blocks.out_of_group_reply())
    _no_gaps(bot.fake)
