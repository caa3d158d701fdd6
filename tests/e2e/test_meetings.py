"""Meetings end to end: signed clicks and modal submissions, freezegun moving time through a round.

The bot runs in this process (the real Bolt app, tests/inprocess.py), so freezegun moves its
clock as well. Which message went out is asserted by ids, state and the builder that made it
(tests/said.py); the words themselves are checked in tests/bot/blocks/golden/.

Personas: ada (Acme, London) and ben (Beta, New York) are matched; cy (Gamma) and di (Delta)
are matched; eve (Epsilon) and fay (Zeta) are matched.

Longer than 400 lines on purpose: one round's story, told from one fixture whose history
(tests/personas.py) forces the pairs above.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.blocks import meetings as meeting_blocks
from bot.blocks import member as member_blocks
from bot.blocks import sends as send_blocks
from bot.blocks.sends import STATUS_LINES
from scheduler import rounds
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.partner_moved_on import PartnerMovedOn
from scheduler.sends.paused_quietly import PausedQuietly
from scheduler.sends.quiet_nudge import QuietNudge
from scheduler.sends.reminder import Reminder
from scheduler.sends.reschedule_accepted import RescheduleAccepted
from scheduler.sends.reschedule_notice import RescheduleNotice
from scheduler.sends.still_in import StillIn
from scheduler.workspace_schedule import next_round_at
from storage.db import session_scope
from storage.models import FollowUp, Group, GroupMember, MeetingEvent, Member, Round
from tests import said
from tests.inprocess import Bot
from tests.personas import MEMBERS, OPENS, PAIRS, PEOPLE, TEAM, ZONE, join, meet_before

UTC = timezone.utc
# What happens after a click runs in the bot's own threads; on a busy machine that can take seconds.
WAIT = 15  # dates in what each reads are in their own zone


@pytest.fixture
def bot(engine, fake_slack):
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        join(engine, MEMBERS, fake_slack)
        with session_scope(engine) as session:
            meet_before(session)  # so the round makes the pairs the personas describe
    running = Bot(engine, fake_slack, TEAM)
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        running.deliver()
    yield running
    running.stop()


def group_of(engine, user) -> Group:
    with session_scope(engine) as session:
        return session.exec(
            select(Group).join(GroupMember, GroupMember.group_id == Group.id)
            .join(Member, Member.id == GroupMember.member_id)
            .where(Member.slack_user_id == user)
            .order_by(Group.id.desc())).first()  # the newest: history groups come first


def events(engine, group_id, kind=None):
    with session_scope(engine) as session:
        query = select(MeetingEvent).where(MeetingEvent.group_id == group_id)
        if kind:
            query = query.where(MeetingEvent.kind == kind)
        return session.exec(query).all()


def intro_blocks(fake, group):
    (message,) = [m for m in fake.messages(group.channel_id) if m["ts"] == group.intro_ts]
    return json.dumps(message["blocks"])


# Words that blame, shame or scold: none of them belongs in anything unmentor says.
UNKIND = ("fault", "failed", "didn't bother", "ignored", "no-show", "no show", "unreliable", "flake",
          "should have", "disappoint", "shame", "blame", "warning", "unfortunately you")


def assert_kind(text: str) -> None:
    assert not [word for word in UNKIND if word in text.lower()], text


def dms(fake, user, kind):
    """The texts of each send of this kind in the person's DMs."""
    return [args["text"] for args in said.sends(fake, kind, user)]


def ephemerals(fake, user):
    return [c.args for c in fake.calls_to("chat.postEphemeral") if c.args["user"] == user]


def has_buttons(fake, group) -> bool:
    """Whether the intro still shows the meeting buttons (gone once the match or the round has ended)."""
    return '"block_id": "meeting"' in intro_blocks(fake, group)


def test_the_pairs_are_as_the_personas_say(bot):
    for a, b in PAIRS:
        assert group_of(bot.engine, a).id == group_of(bot.engine, b).id


def test_scheduled_with_a_date_updates_the_intro_and_reminds_each_person_the_day_before_in_their_own_time(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(hours=2), tick=True):
        bot.click("meeting_scheduled", "UADA", group.id)
        assert bot.fake.wait_for(lambda f: f.calls_to("views.open"), timeout=WAIT)
        view = bot.fake.calls_to("views.open")[-1].args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        assert view["callback_id"] == "meeting_scheduled_view"
        answer = bot.submit("meeting_scheduled_view", "UADA", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-10"}},
            "time": {"value": {"type": "timepicker", "selected_time": "15:00"}},
        })
        assert answer.get("response_action") is None
        assert bot.fake.wait_for(lambda f: f.calls_to("chat.postEphemeral"), timeout=WAIT)
    note = bot.fake.calls_to("chat.postEphemeral")[-1].args
    meeting_at = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    assert note["user"] == "UADA" and note["channel"] == group.channel_id
    assert said.is_(note, said.built_for(ZONE["UADA"], meeting_blocks.scheduled_reply, ("UBEN",), meeting_at,
                                         already=False))
    group = group_of(bot.engine, "UADA")
    assert group.status == "scheduled" and group.meeting_at == meeting_at
    assert STATUS_LINES["scheduled"] in intro_blocks(bot.fake, group)
    assert f"<!date^{int(group.meeting_at.timestamp())}^" in intro_blocks(bot.fake, group)

    # 10:00 on the 9th in London is 10:00 UTC; in New York it is 15:00 UTC.
    with freeze_time(datetime(2026, 12, 9, 10, 30, tzinfo=UTC), tick=True):
        bot.deliver()
    assert len(dms(bot.fake, "UADA", "reminder")) == 1 and dms(bot.fake, "UBEN", "reminder") == []
    with freeze_time(datetime(2026, 12, 9, 15, 30, tzinfo=UTC), tick=True):
        bot.deliver()
        bot.deliver()
    assert len(dms(bot.fake, "UBEN", "reminder")) == 1 and len(dms(bot.fake, "UADA", "reminder")) == 1
    assert said.is_({"text": dms(bot.fake, "UBEN", "reminder")[0]},
                    said.built_for(ZONE["UBEN"], send_blocks.reminder_message,
                                   Reminder(group.id, ("UADA",), meeting_at)))


def test_a_date_in_the_past_is_refused_beside_the_field_and_nothing_changes(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(hours=2), tick=True):
        answer = bot.submit("meeting_scheduled_view", "UADA", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}}})
    assert answer["response_action"] == "errors" and "already passed" in answer["errors"]["date"]
    assert group_of(bot.engine, "UADA").status == "new" and events(bot.engine, group.id) == []


def test_rescheduling_tells_the_partner_warmly_records_it_and_the_partner_can_accept(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(hours=1), tick=True):
        bot.submit("meeting_scheduled_view", "UADA", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-07"}},
            "time": {"value": {"type": "timepicker", "selected_time": "18:00"}}})
        # As a person would: the reschedule comes after the first answer, not in the same instant.
        evening = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
        noted = said.built_for(ZONE["UADA"], meeting_blocks.scheduled_reply, ("UBEN",), evening, already=False)
        assert bot.fake.wait_for(lambda f: any(said.is_(e, noted) for e in ephemerals(f, "UADA")), timeout=WAIT)
        bot.click("meeting_reschedule", "UADA", group.id)
        assert bot.fake.wait_for(lambda f: len(f.calls_to("views.open")) == 1, timeout=WAIT)
        answer = bot.submit("meeting_reschedule_view", "UADA", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-14"}},
            "note": {"value": {"type": "plain_text_input", "value": "Sorry, a deadline moved. Monday?"}},
        })
        assert answer.get("response_action") is None
        assert bot.fake.wait_for(lambda f: dms(f, "UBEN", "reschedule_notice"), timeout=WAIT)
        passed_on = meeting_blocks.reschedule_reply(("UBEN",))
        assert bot.fake.wait_for(lambda f: any(said.is_(e, passed_on) for e in ephemerals(f, "UADA")), timeout=WAIT)
    (notice,) = dms(bot.fake, "UBEN", "reschedule_notice")
    # Her words and the day she picked (no time given: midday, London), passed on as she wrote them.
    # (A send is built for its reader, Ben in New York, never in the zone of whoever's click set it off.)
    assert said.is_({"text": notice}, said.built_for(ZONE["UBEN"], send_blocks.reschedule_notice_message,
                                                     RescheduleNotice(group.id, "UADA",
                                                                      datetime(2026, 12, 14, 12, 0, tzinfo=UTC),
                                                                      "Sorry, a deadline moved. Monday?")))
    assert_kind(notice)
    to_ada = [e["text"] for e in ephemerals(bot.fake, "UADA") if said.is_(e, passed_on)]
    # The chat was that evening, yet no lecture about notice: moving is allowed, no reason needed.
    assert len(to_ada) == 1 and "notice" not in to_ada[0]
    assert len(events(bot.engine, group.id, "reschedule_asked")) == 1
    assert group_of(bot.engine, "UADA").status == "rescheduling"

    with freeze_time(OPENS + timedelta(hours=2), tick=True):
        name = bot.click("reschedule_accept", "UBEN", group.id)
        new_day = datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
        on = said.built_for(ZONE["UBEN"], meeting_blocks.reschedule_accepted_reply, new_day, already=False,
                            told=("UADA",))  # Ada is named: in a pair, "the others" would be one person
        assert said.is_(bot.reply(name), on)
        assert bot.fake.wait_for(lambda f: dms(f, "UADA", "reschedule_accepted"), timeout=WAIT)
        (yes,) = dms(bot.fake, "UADA", "reschedule_accepted")
        assert said.is_({"text": yes}, said.built_for(ZONE["UADA"], send_blocks.reschedule_accepted_message,
                                                      RescheduleAccepted("UBEN", new_day)))
        assert "notice" not in yes
        again = bot.click("reschedule_accept", "UBEN", group.id)  # a double click changes nothing
        assert said.is_(bot.reply(again), meeting_blocks.reschedule_accepted_reply(new_day, already=True))
    group = group_of(bot.engine, "UADA")
    assert group.status == "scheduled" and group.meeting_at.date().isoformat() == "2026-12-14"
    assert len(events(bot.engine, group.id, "reschedule_accepted")) == 1
    # The reminder for the old date never goes; the new one does.
    with freeze_time(datetime(2026, 12, 13, 16, tzinfo=UTC), tick=True):
        bot.deliver()
    reminders = dms(bot.fake, "UADA", "reminder") + dms(bot.fake, "UBEN", "reminder")
    new_time = int(datetime(2026, 12, 14, 12, 0, tzinfo=UTC).timestamp())  # midday London: no time was given
    assert len(reminders) == 2 and all(f"<!date^{new_time}^" in r for r in reminders)


def test_couldnt_make_it_records_a_miss_without_blame_and_offers_another_try(bot):
    group = group_of(bot.engine, "UCY")
    with freeze_time(OPENS + timedelta(days=2), tick=True):
        name = bot.click("meeting_missed", "UCY", group.id)
        reply = bot.reply(name)
        assert said.is_(reply, meeting_blocks.missed_reply(group.id, already=False))
        assert reply["response_type"] == "ephemeral"
        buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert buttons == ["missed_try_again", "missed_leave_it"]
        assert bot.fake.wait_for(lambda f: f.calls_to("chat.update"), timeout=WAIT)
        assert STATUS_LINES["missed"] in intro_blocks(bot.fake, group_of(bot.engine, "UCY"))
        again = bot.click("meeting_missed", "UCY", group.id)
        assert said.is_(bot.reply(again), meeting_blocks.missed_reply(group.id, already=True))
        assert len(events(bot.engine, group.id, "missed")) == 1
        retry = bot.click("missed_try_again", "UCY", group.id)
        assert said.is_(bot.reply(retry), meeting_blocks.try_again_reply(already=False))
    assert group_of(bot.engine, "UCY").status == "new"


def test_met_twice_is_recorded_once_and_the_nudge_skips_pairs_who_met_or_scheduled(bot):
    ada_group, cy_group = group_of(bot.engine, "UADA"), group_of(bot.engine, "UCY")
    with freeze_time(OPENS + timedelta(days=3), tick=True):
        # Ada says so first and Ben after her answer: sent together, the bot's threads may take either
        # click first (each acts once whichever wins; the one recorded event below shows it).
        first = bot.click("meeting_met", "UADA", ada_group.id)
        assert said.is_(bot.reply(first, timeout=WAIT), meeting_blocks.met_reply(already=False))
        second = bot.click("meeting_met", "UBEN", ada_group.id)
        assert said.is_(bot.reply(second, timeout=WAIT), meeting_blocks.met_reply(already=True))
        # The intro now says they've met, without buttons that could only answer "already met".
        assert bot.fake.wait_for(lambda f: "You've met" in intro_blocks(f, ada_group), timeout=WAIT)
        assert "meeting_reschedule" not in intro_blocks(bot.fake, ada_group)
        bot.submit("meeting_scheduled_view", "UCY", cy_group.id, {})
        # The modal's save runs after its ack: the nudge below must come after it, as it would on Slack.
        assert bot.fake.wait_for(lambda f: group_of(bot.engine, "UCY").status == "scheduled", timeout=WAIT)
    assert len(events(bot.engine, ada_group.id, "met")) == 1
    with freeze_time(OPENS + timedelta(days=10, minutes=1), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
    nudged = [args["channel"] for args in said.sends(bot.fake, "nudge")]
    assert nudged == [group_of(bot.engine, "UEVE").channel_id]


def test_a_silent_partner_means_a_fresh_match_with_someone_in_the_same_position_and_no_blame(bot):
    ada_group, cy_group = group_of(bot.engine, "UADA"), group_of(bot.engine, "UCY")
    with freeze_time(OPENS + timedelta(days=4, hours=1), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
        assert not said.sends(bot.fake, "waiting_check")  # a week, not four days
    nudged_at = OPENS + timedelta(days=7, hours=1)
    with freeze_time(nudged_at, tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
        # Each person is asked in their own DM; the intro they share never flags anyone.
        for user in ("UADA", "UBEN", "UCY", "UDI", "UEVE", "UFAY"):
            (check,) = said.sends(bot.fake, "waiting_check", user)
            assert "meeting_partner_no_reply" in json.dumps(check["blocks"])
        assert "meeting_partner_no_reply" not in intro_blocks(bot.fake, ada_group)
        # The first click sends the quiet partner one kind nudge naming who is waiting.
        for user, quiet in (("UCY", "UDI"), ("UADA", "UBEN"), ("UEVE", "UFAY")):
            group = group_of(bot.engine, user)
            first = bot.reply(bot.click("meeting_partner_no_reply", user, group.id))
            assert first["text"].startswith("I've just sent") and f"<@{quiet}>" in first["text"]
            assert bot.fake.wait_for(lambda f, q=quiet: said.sends(f, "quiet_nudge", q))
            (nudge,) = said.sends(bot.fake, "quiet_nudge", quiet)
            assert said.is_({"text": nudge["text"]}, said.built_for(ZONE[quiet], send_blocks.quiet_nudge_message,
                                                  QuietNudge(group.id, (user,))))
            assert_kind(nudge["text"])
        # Too soon to close: the nudge gets a couple of days; a second click says so, sending nothing more.
        again = bot.reply(bot.click("meeting_partner_no_reply", "UCY", cy_group.id))
        assert again["text"].startswith("I've sent") and len(said.sends(bot.fake, "quiet_nudge", "UDI")) == 1
    with freeze_time(OPENS + timedelta(days=9, hours=2), tick=True):
        # Cy's partner is still quiet: Cy chooses to sit out, and goes first next time.
        choice = bot.click("meeting_partner_no_reply", "UCY", cy_group.id)
        assert said.is_(bot.reply(choice), meeting_blocks.no_reply_choice(cy_group.id))
        sat = bot.click("no_reply_sit_out", "UCY", cy_group.id)
        assert said.is_(bot.reply(sat), meeting_blocks.sat_out_reply())
        # Ada's partner went quiet too: nobody is free yet (Cy is sitting out, as she asked).
        bot.click("meeting_partner_no_reply", "UADA", ada_group.id)
        waiting = bot.click("no_reply_rematch", "UADA", ada_group.id)
        assert said.is_(bot.reply(waiting, timeout=10), meeting_blocks.rematched_reply(found=False))
        # Then Eve's partner goes quiet: Eve and Ada, in the same position, are matched.
        eve_group = group_of(bot.engine, "UEVE")
        found = bot.click("no_reply_rematch", "UEVE", eve_group.id)
        assert said.is_(bot.reply(found, timeout=10), meeting_blocks.rematched_reply(found=True))
        with session_scope(bot.engine) as session:
            next_round = next_round_at(session, TEAM)
    fresh = group_of(bot.engine, "UADA")
    assert fresh.id not in (ada_group.id, eve_group.id) and group_of(bot.engine, "UEVE").id == fresh.id
    assert len(bot.fake.messages(fresh.channel_id)) == 1  # the new intro, to both
    assert group_of(bot.engine, "UCY").id == cy_group.id  # Cy was left to sit out
    for quiet, partner in (("UBEN", "UADA"), ("UDI", "UCY"), ("UFAY", "UEVE")):
        # "Closed early" names the partner, and offers one click back either way.
        (told,) = dms(bot.fake, quiet, "partner_moved_on")
        assert said.is_({"text": told}, said.built_for(ZONE[quiet], send_blocks.partner_moved_on_message,
                                                       PartnerMovedOn(1, next_round, (partner,))))
        assert_kind(told)
    assert not has_buttons(bot.fake, group_of(bot.engine, "UBEN"))  # that intro shows the match has moved on
    with freeze_time(OPENS + timedelta(days=9, hours=3), tick=True):
        kept = bot.reply(bot.click("keep_me_in", "UBEN", value="keep"))
        assert said.is_(kept, said.built_for(ZONE["UBEN"], member_blocks.kept_in_reply, next_round))
        paused = bot.reply(bot.click("pause_for_now", "UDI", value="pause"))
        assert said.is_(paused, member_blocks.paused_for_now_reply())
        assert bot.fake.wait_for(lambda f: len(f.calls_to("views.publish")) >= 2)  # both Home tabs redrawn
    with session_scope(bot.engine) as session:
        statuses = {m.slack_user_id: m.status for m in session.exec(select(Member))}
    assert statuses["UBEN"] == "active" and statuses["UDI"] == "paused"


def test_the_follow_up_asks_each_side_and_only_consented_words_are_marked_for_organisers(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=3), tick=True):
        bot.reply(bot.click("meeting_met", "UADA", group.id))
    with freeze_time(OPENS + timedelta(days=21, minutes=1), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
        asks = said.sends(bot.fake, "follow_up")
        assert sorted(args["channel"] for args in asks) == sorted(u for u, _, _ in PEOPLE)
        # Those who met are asked what they took away; the others only whether they got to talk.
        partner_of = {a: b for pair in PAIRS for a, b in (pair, pair[::-1])}
        for args in asks:
            user = args["channel"]
            ask = FollowUpAsk(group_of(bot.engine, user).id, 1, (partner_of[user],),
                                       met=user in ("UADA", "UBEN"))
            # An outbox send carries its marker on the first block, so its text is what's compared.
            assert said.is_({"text": args["text"]},
                            said.built_for(ZONE[user], send_blocks.follow_up_ask_message, ask)), user
        bot.click("follow_up_open", "UADA", group.id)
        assert bot.fake.wait_for(lambda f: f.calls_to("views.open"), timeout=WAIT)
        bot.submit("follow_up_view", "UADA", group.id, {
            "learned": {"value": {"type": "plain_text_input", "value": "How Beta runs open budgets"}},
            "shared": {"value": {"type": "plain_text_input", "value": "Our onboarding checklist"}},
            "stay_in_touch": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
            "consent": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        })
        bot.submit("follow_up_view", "UBEN", group.id, {
            "learned": {"value": {"type": "plain_text_input", "value": "A private thing"}},
            "stay_in_touch": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
            "consent": {"value": {"type": "checkboxes", "selected_options": []}},
        })
        assert bot.fake.wait_for(lambda f: dms(f, "UADA", "stay_in_touch") and dms(f, "UBEN", "stay_in_touch"),
                                 timeout=WAIT)
    with session_scope(bot.engine) as session:
        answers = {a.learned: a.organisers_may_read for a in session.exec(select(FollowUp))}
    assert answers == {"How Beta runs open budgets": True, "A private thing": False}

    def thanks(fake):
        return [c for c in fake.calls_to("chat.postMessage")
                if c.args["channel"] == "UADA" and said.is_(c.args, meeting_blocks.follow_up_thanks())]

    # The thanks follows her submission's own sends, which wait their turn with the workspace's pacer.
    assert bot.fake.wait_for(thanks, timeout=WAIT)
    assert len(thanks(bot.fake)) == 1


def test_a_button_on_an_earlier_rounds_message_says_that_round_has_ended_and_changes_nothing(bot):
    group = group_of(bot.engine, "UEVE")
    for day in (10, 21, 28):
        with freeze_time(OPENS + timedelta(days=day, minutes=1), tick=True):
            rounds.run_due(bot.engine, TEAM)
            bot.deliver()
    assert not has_buttons(bot.fake, group)  # the intro says the round has ended
    with freeze_time(OPENS + timedelta(days=30), tick=True):
        name = bot.click("meeting_met", "UEVE", group.id)
        assert said.is_(bot.reply(name), meeting_blocks.round_ended_reply(1))
    assert events(bot.engine, group.id, "met") == []


def test_a_forged_or_foreign_button_value_changes_nothing(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        foreign = bot.click("meeting_met", "UCY", group.id)  # not Cy's match
        assert said.is_(bot.reply(foreign), meeting_blocks.not_yours_reply())
        forged = bot.click("meeting_met", "UADA", None, value="group:drop table")
        assert said.is_(bot.reply(forged), meeting_blocks.not_yours_reply())
    assert events(bot.engine, group.id) == []


def test_only_someone_silent_two_rounds_running_is_asked_and_paused_only_after_a_week_without_an_answer(bot):
    # December: Cy says they couldn't make it, then "Leave it there": honest answers, never a reason to pause.
    cy_group = group_of(bot.engine, "UCY")
    with freeze_time(OPENS + timedelta(days=3), tick=True):
        bot.reply(bot.click("meeting_missed", "UCY", cy_group.id))
        bot.reply(bot.click("missed_leave_it", "UCY", cy_group.id))
    for day in (10, 21):
        with freeze_time(OPENS + timedelta(days=day, minutes=1), tick=True):
            rounds.run_due(bot.engine, TEAM)
            bot.deliver()
    with session_scope(bot.engine) as session:
        # Forget the made-up history, so January (opened as December closes) can pair people afresh.
        for row in session.exec(select(GroupMember).join(Group).where(Group.round_id == 1)).all():
            session.delete(row)
    with freeze_time(OPENS + timedelta(days=28, minutes=1), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
    with session_scope(bot.engine) as session:
        quiet = {m.slack_user_id: m.quiet_rounds for m in session.exec(select(Member))}
    assert quiet == {"UADA": 1, "UBEN": 1, "UCY": 0, "UDI": 1, "UEVE": 1, "UFAY": 1}
    # January: nobody answers anything, except that Ada clicks a reminder-free "We've met" on hers.
    january = datetime(2027, 1, 4, 10, tzinfo=UTC)
    with freeze_time(january + timedelta(minutes=5), tick=True):
        bot.reply(bot.click("meeting_met", "UADA", group_of(bot.engine, "UADA").id))
    for day in (10, 21, 28):
        with freeze_time(january + timedelta(days=day, minutes=2), tick=True):
            rounds.run_due(bot.engine, TEAM)
            bot.deliver()
    closed_at = january + timedelta(days=28, minutes=2)
    asked = sorted(args["channel"] for args in said.sends(bot.fake, "still_in"))
    # Silent in both rounds: asked once each. Ada answered in January; Cy answered in December.
    with session_scope(bot.engine) as session:
        january_round = session.exec(select(Round).where(Round.number == 2)).one()
        in_january = {m.slack_user_id
                      for g in session.exec(select(Group).where(Group.round_id == january_round.id))
                      for m in session.exec(select(Member).join(GroupMember).where(GroupMember.group_id == g.id))}
    assert asked == sorted(in_january - {"UADA", "UCY"}) and len(asked) >= 2, (asked, in_january)
    (ask,) = said.sends(bot.fake, "still_in", asked[0])
    with session_scope(bot.engine) as session:
        from scheduler import sends
        from storage.models import Outbox

        (row,) = session.exec(select(Outbox).where(Outbox.kind == "still_in", Outbox.channel_id.is_not(None),
                                                   Outbox.member_id == session.exec(select(Member.id).where(
                                                       Member.slack_user_id == asked[0])).one())).all()
        pause_at = sends.load(row).pause_at
    assert closed_at + timedelta(days=7) <= pause_at < closed_at + timedelta(days=7, minutes=1)
    assert said.is_({"text": ask["text"]}, said.built_for(ZONE[asked[0]], send_blocks.still_in_message,
                                                          StillIn(pause_at)))
    assert_kind(ask["text"])
    # Nobody is paused yet, and nobody waiting on an answer is given a partner meanwhile.
    with session_scope(bot.engine) as session:
        assert {m.slack_user_id for m in session.exec(select(Member)) if m.status == "paused"} == set()
        february = session.exec(select(Round).where(Round.number == 3)).one()
        in_february = {m.slack_user_id
                       for g in session.exec(select(Group).where(Group.round_id == february.id))
                       for m in session.exec(select(Member).join(GroupMember).where(GroupMember.group_id == g.id))}
    assert not in_february & set(asked)
    keeper, *silent = asked
    with freeze_time(closed_at + timedelta(days=3), tick=True):
        kept = bot.reply(bot.click("keep_me_in", keeper, value="keep"))
        assert kept["text"].startswith("Lovely, you're in")
        assert bot.fake.wait_for(lambda f: f.calls_to("views.publish"))
    with freeze_time(closed_at + timedelta(days=6, hours=23), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
        assert not said.sends(bot.fake, "paused_quiet")  # a week means a week
    with freeze_time(closed_at + timedelta(days=7, minutes=1), tick=True):
        rounds.run_due(bot.engine, TEAM)
        bot.deliver()
    with session_scope(bot.engine) as session:
        statuses = {m.slack_user_id: m.status for m in session.exec(select(Member))}
    assert statuses[keeper] == "active" and all(statuses[u] == "paused" for u in silent)
    assert sorted(args["channel"] for args in said.sends(bot.fake, "paused_quiet")) == sorted(silent)
    if silent:
        (told,) = dms(bot.fake, silent[0], "paused_quiet")
        assert said.is_({"text": told}, send_blocks.paused_quietly_message(PausedQuietly()))
        assert_kind(told)
        # One click on that message brings them back: no command to remember.
        (paused_dm,) = said.sends(bot.fake, "paused_quiet", silent[0])
        (button,) = [e for b in paused_dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
        with freeze_time(closed_at + timedelta(days=8), tick=True):
            back = bot.reply(bot.click(button["action_id"], silent[0], value=button["value"]))
            assert back["text"].startswith("Lovely, you're in")
        with session_scope(bot.engine) as session:
            assert session.exec(select(Member).where(Member.slack_user_id == silent[0])).one().status == "active"


def test_the_partner_can_suggest_another_time_and_the_first_person_accepts_it(bot):
    group = group_of(bot.engine, "UADA")
    with freeze_time(OPENS + timedelta(hours=1), tick=True):
        bot.submit("meeting_reschedule_view", "UADA", group.id, {
            "note": {"value": {"type": "plain_text_input", "value": "Can we move it?"}}})
        assert bot.fake.wait_for(lambda f: dms(f, "UBEN", "reschedule_notice"), timeout=WAIT)
        # Ben answers the notice with another time of his own.
        bot.click("reschedule_counter", "UBEN", group.id)
        assert bot.fake.wait_for(lambda f: len(f.calls_to("views.open")) == 1, timeout=WAIT)
        view = bot.fake.calls_to("views.open")[0].args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        assert view["callback_id"] == "meeting_reschedule_view"
        bot.submit("meeting_reschedule_view", "UBEN", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-11"}},
            "time": {"value": {"type": "timepicker", "selected_time": "09:30"}}})
        assert bot.fake.wait_for(lambda f: dms(f, "UADA", "reschedule_notice"), timeout=WAIT)
    (to_ada,) = dms(bot.fake, "UADA", "reschedule_notice")
    ben_picked = datetime(2026, 12, 11, 14, 30, tzinfo=UTC)  # 09:30 in New York, where Ben picked it
    assert said.is_({"text": to_ada}, said.built_for(ZONE["UADA"], send_blocks.reschedule_notice_message,
                                                     RescheduleNotice(group.id, "UBEN", ben_picked, "",
                                                                      counter=True)))
    assert to_ada.startswith("<@UBEN> suggests another time")  # an answer, not a second request to move
    with freeze_time(OPENS + timedelta(hours=2), tick=True):
        mine = bot.click("reschedule_accept", "UBEN", group.id)  # Ben can't accept his own suggestion
        assert said.is_(bot.reply(mine), meeting_blocks.cannot_accept_own_reply(("UADA",)))
        yes = bot.click("reschedule_accept", "UADA", group.id)
        on = said.built_for(ZONE["UADA"], meeting_blocks.reschedule_accepted_reply, ben_picked, already=False,
                            told=("UBEN",))
        assert said.is_(bot.reply(yes), on)
    group = group_of(bot.engine, "UADA")
    # 09:30 in New York, where Ben picked it.
    assert group.status == "scheduled" and group.meeting_at == datetime(2026, 12, 11, 14, 30, tzinfo=UTC)
    assert len(events(bot.engine, group.id, "reschedule_asked")) == 2
