"""Meeting rules below the HTTP layer, on both databases: the edges a review found.

Personas: ada (Acme, London) and ben (Beta, New York) are a pair; cy (Gamma) and di (Delta)
are a pair; eve (Epsilon) is free to step in.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.blocks import kit as kit_blocks
from bot.blocks import meetings as meeting_blocks
from scheduler import meetings, membership, sends
from scheduler.meetings import Outcome
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Group, GroupMember, MeetingEvent, Member, Outbox, Round
from tests import personas
from tests.personas import ADA, BEN, CY, DI, EVE, OPENS, TEAM, join

UTC = timezone.utc


@pytest.fixture
def pairs(engine):
    """Round 1 with ada+ben and cy+di, made by hand so each test knows who is with whom; eve is in no group."""
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, CY, DI, EVE))
        with session_scope(engine) as session:
            round_ = personas.december_round(session)
            ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
            made = {}
            for a, b in [("UADA", "UBEN"), ("UCY", "UDI")]:
                group = round_store.add_group(session, round_, [ids[a], ids[b]], [])
                round_store.set_group_fields(session, group, channel_id=f"G{a}", intro_ts="1.1")
                made[a] = made[b] = group.id
    return made


def group(engine, group_id) -> Group:
    with session_scope(engine) as session:
        return session.get(Group, group_id)


def nudged(engine, *users_and_groups, day=7):
    """"My partner hasn't replied" clicked once, `day` days in: the quiet partner gets their nudge first."""
    with freeze_time(OPENS + timedelta(days=day, minutes=1)), session_scope(engine) as session:
        for user, group_id in users_and_groups:
            assert meetings.report_silence(session, TEAM, user, group_id).outcome is Outcome.nudged


def test_my_partner_hasnt_replied_waits_a_few_days_from_when_the_pair_was_introduced(engine, pairs):
    with freeze_time(OPENS + timedelta(days=1)), session_scope(engine) as session:
        assert meetings.report_silence(session, TEAM, "UADA", pairs["UADA"]).outcome is Outcome.too_soon
        # Even a forged click can't end a match this early.
        assert (
            meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=True).outcome is Outcome.too_soon
        )
    assert group(engine, pairs["UADA"]).status == "new"
    with freeze_time(OPENS + timedelta(days=4, minutes=1)), session_scope(engine) as session:
        # A week, not four days.
        assert meetings.report_silence(session, TEAM, "UADA", pairs["UADA"]).outcome is Outcome.too_soon
    nudged(engine, ("UADA", pairs["UADA"]))
    with freeze_time(OPENS + timedelta(days=8)), session_scope(engine) as session:
        # Ben has had his nudge, and a couple of days to answer it, before the match can close.
        too_soon = meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=True)
        assert too_soon.outcome is Outcome.too_soon
        again = meetings.report_silence(session, TEAM, "UADA", pairs["UADA"])
        assert again.outcome is Outcome.nudged and again.send_now == []
        assert again.wait_until == OPENS + timedelta(days=9, minutes=1)
        nudges = session.exec(select(Outbox).where(Outbox.kind == "quiet_nudge")).all()
        assert [n.member_id for n in nudges] == [member_store.get_member(session, TEAM, "UBEN").id]
    with freeze_time(OPENS + timedelta(days=9, minutes=2)), session_scope(engine) as session:
        result = meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=True)
    assert result.outcome is Outcome.done and result.new_group_id is not None
    # The fresh match starts its own count: no "hasn't replied" button on its intro yet.
    with freeze_time(OPENS + timedelta(days=9, hours=2)), session_scope(engine) as session:
        fresh = session.get(Group, result.new_group_id)
        assert not meetings.quiet_long_enough(fresh)
        assert meetings.report_silence(session, TEAM, "UADA", fresh.id).outcome is Outcome.too_soon


def test_each_refusal_says_why_and_changes_nothing(engine, pairs):
    # Ada asks to move the chat; she can't accept her own suggestion, ben can.
    with freeze_time(OPENS + timedelta(days=1)), session_scope(engine) as session:
        meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], None, "Next week?")
        assert meetings.accept_reschedule(session, TEAM, "UADA", pairs["UADA"]).outcome is Outcome.own_suggestion
    assert group(engine, pairs["UADA"]).status == "rescheduling"
    # Cy and di have met: nothing left to move or to call missed, and they're plainly in touch.
    with freeze_time(OPENS + timedelta(days=5)), session_scope(engine) as session:
        meetings.mark_met(session, TEAM, "UCY", pairs["UCY"])
        assert meetings.mark_missed(session, TEAM, "UDI", pairs["UDI"]).outcome is Outcome.already_met
        assert (
            meetings.ask_reschedule(session, TEAM, "UDI", pairs["UDI"], None, "Later?").outcome is Outcome.already_met
        )
        assert meetings.report_silence(session, TEAM, "UDI", pairs["UDI"]).outcome is Outcome.in_touch
        result = meetings.partner_silent(session, TEAM, "UDI", pairs["UDI"], rematch_now=True)
        assert result.outcome is Outcome.in_touch and result.new_group_id is None
    assert group(engine, pairs["UCY"]).status == "met"


def test_after_the_follow_up_has_gone_out_no_new_match_is_started(engine, pairs):
    nudged(engine, ("UADA", pairs["UADA"]), day=19)
    with session_scope(engine) as session:
        round_ = session.exec(select(Round)).one()
        round_.state = "following_up"
        session.add(round_)
    with freeze_time(OPENS + timedelta(days=22)), session_scope(engine) as session:
        result = meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=True)
        assert result.too_late_to_rematch and result.new_group_id is None
        assert member_store.get_member(session, TEAM, "UADA").priority is True
    assert "go first" in meeting_blocks.too_late_to_rematch_reply()["text"]


def test_a_button_on_a_match_that_moved_on_says_so_not_that_the_round_ended(engine, pairs):
    nudged(engine, ("UADA", pairs["UADA"]))
    with freeze_time(OPENS + timedelta(days=10)), session_scope(engine) as session:
        meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=False)
        result = meetings.mark_met(session, TEAM, "UBEN", pairs["UBEN"])
    assert result.outcome is Outcome.group_ended
    assert "moved on" in meeting_blocks.group_ended_reply()["text"]


def test_two_people_asking_for_a_fresh_match_at_once_never_get_the_same_partner(engine, pairs):
    # Only eve is free: one of ada and cy gets her, the other is told nobody is free.
    errors, results = [], {}
    start = threading.Barrier(2)

    def ask(user):
        try:
            start.wait()
            with session_scope(engine) as session:
                results[user] = meetings.partner_silent(session, TEAM, user, pairs[user], rematch_now=True)
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)

    # Frozen once, around both threads: freezegun patches time for every thread, and entering
    # it from two threads at once is not safe.
    nudged(engine, ("UADA", pairs["UADA"]), ("UCY", pairs["UCY"]))
    with freeze_time(OPENS + timedelta(days=10)):
        threads = [threading.Thread(target=ask, args=(user,)) for user in ("UADA", "UCY")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert sorted(r.new_group_id is not None for r in results.values()) == [False, True]
    with session_scope(engine) as session:
        eve = member_store.get_member(session, TEAM, "UEVE")
        live = session.exec(select(Group).join(GroupMember).where(
            GroupMember.member_id == eve.id, Group.status != "ended")).all()
    assert len(live) == 1


def test_reminders_never_arrive_at_night_or_too_late_to_help(engine, pairs):
    # At 11:00 London (06:00 New York) a chat is fixed for 18:00 London the same day.
    with freeze_time(OPENS + timedelta(hours=1)), session_scope(engine) as session:
        evening = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
        meetings.mark_scheduled(session, TEAM, "UADA", pairs["UADA"], evening)
        reminders = {r.member_id: r.not_before for r in session.exec(select(Outbox).where(Outbox.kind == "reminder"))}
        ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
    assert reminders == {ids["UADA"]: OPENS + timedelta(hours=1)}  # daytime in London: now; night in New York: none


def test_a_note_only_reschedule_accepted_puts_the_pair_back_to_finding_a_time(engine, pairs):
    with freeze_time(OPENS + timedelta(days=1)), session_scope(engine) as session:
        meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], None, "Next week any better?")
        result = meetings.accept_reschedule(session, TEAM, "UBEN", pairs["UBEN"])
    assert result.outcome is Outcome.done and result.meeting_at is None
    assert group(engine, pairs["UADA"]).status == "new"  # still to find a time: the nudge still comes


def test_leaving_deletes_the_notes_a_member_wrote_and_their_pending_notice(engine, pairs, fake_slack):
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from scheduler import delivery
    from tests.conftest import BOT_TOKEN

    with freeze_time(OPENS + timedelta(days=1)), session_scope(engine) as session:
        meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], None, "My private reason")
        membership.leave(session, TEAM, "UADA")
    with session_scope(engine) as session:
        # Every event is kept for the counts (her click, the request, that she left), with no words in it.
        assert [e.note for e in session.exec(select(MeetingEvent))] == ["", "", ""]
    fake_slack.add_user("UBEN")
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))
    with freeze_time(OPENS + timedelta(days=1, minutes=1)):
        delivery.deliver(engine, TEAM, gateway, pace=0)
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "needs to move" in c.args["text"]]


class _AnsweredWhileSending:
    """A gateway whose first post (to `to`, if given) is answered by `answer` while Slack still holds it,
    before we hear back."""

    def __init__(self, gateway, answer, to: str | None = None):
        self._gateway, self._answers, self._to = gateway, [answer], to

    def post(self, channel, content, marker, **options):
        posted = self._gateway.post(channel, content, marker, **options)
        while self._answers and self._to in (None, channel):
            self._answers.pop()()
        return posted

    def __getattr__(self, name):
        return getattr(self._gateway, name)


def test_a_notice_answered_while_on_its_way_still_settles_so_its_buttons_go(engine, pairs, fake_slack):
    from bot.app import make_client
    from bot.blocks import sends as send_blocks
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from scheduler import delivery
    from scheduler.sends.reschedule_settled import RescheduleSettled
    from tests.conftest import BOT_TOKEN

    for user in ("UADA", "UBEN"):
        fake_slack.add_user(user)
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))

    def ben_answers():
        with session_scope(engine) as session:
            assert meetings.ask_reschedule(session, TEAM, "UBEN", pairs["UBEN"], None, "Thursday?").outcome \
                is Outcome.done

    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], None, "Could we move it?")
        # Ben answers in the moment between Slack taking Ada's notice and the bot hearing back.
        delivery.deliver(engine, TEAM, _AnsweredWhileSending(gateway, ben_answers), pace=0, keys=asked.send_now)
    settled = send_blocks.reschedule_settled_message(RescheduleSettled("UADA"))["text"]
    in_bens_dm = fake_slack.messages(fake_slack.conversation_id("UBEN")) or fake_slack.messages("UBEN")
    assert [m["text"] for m in in_bens_dm] == [settled]
    assert not [b for m in in_bens_dm for b in m["blocks"] if b["type"] == "actions"]


@pytest.fixture
def trio(engine, fake_slack):
    """Round 1 with ada, ben and eve as a trio, made by hand, and a gateway to the Slack stand-in."""
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from tests.conftest import BOT_TOKEN

    with freeze_time(OPENS):
        join(engine, (ADA, BEN, EVE))
        with session_scope(engine) as session:
            ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
            made = round_store.add_group(session, personas.december_round(session),
                                         [ids["UADA"], ids["UBEN"], ids["UEVE"]], [])
            round_store.set_group_fields(session, made, channel_id="GTRIO", intro_ts="1.1")
            group_id = made.id
    for user in ("UADA", "UBEN", "UEVE"):
        fake_slack.add_user(user)
    return group_id, SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


def _dm(fake_slack, user):
    return fake_slack.messages(fake_slack.conversation_id(user)) or fake_slack.messages(user)


def _said_yes(group_id: int, suggested_at):
    from bot.blocks import sends as send_blocks
    from scheduler.sends.reschedule_settled import RescheduleSettled

    return send_blocks.reschedule_settled_message(RescheduleSettled("UADA", "UBEN", suggested_at),
                                                  zones=(EVE.timezone,))["text"]


def _ben_says_yes(engine, group_id):
    with session_scope(engine) as session:
        assert meetings.accept_reschedule(session, TEAM, "UBEN", group_id).outcome is Outcome.done


def test_in_a_trio_a_yes_to_a_new_time_settles_the_third_persons_notice(engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    suggested_at = OPENS + timedelta(days=3)
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, suggested_at, "Could we move it?")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        assert [len(_dm(fake_slack, u)) for u in ("UBEN", "UEVE")] == [1, 1]
        _ben_says_yes(engine, group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    # Eve's notice says who said yes and when the chat is now; no button is left to press on it.
    notice, calendar_links = _dm(fake_slack, "UEVE")
    assert notice["text"] == _said_yes(group_id, suggested_at)
    assert not [b for b in notice["blocks"] if b["type"] == "actions"]
    assert calendar_links["text"].startswith("Your chat with <@UADA> and <@UBEN> is on")
    # Ben's own notice is his answer's to replace (it was clicked), so it is left alone here.
    assert [m["text"] for m in _dm(fake_slack, "UBEN")][0].startswith("<@UADA> needs to move your chat")


def test_a_notice_still_on_its_way_when_someone_else_says_yes_lands_settled(engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        # Ben says yes in the moment between Slack taking Eve's notice and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, lambda: _ben_says_yes(engine, group_id), to="UEVE")
        delivery.deliver(engine, TEAM, answering, pace=0, keys=asked.send_now)
    in_eves_dm = _dm(fake_slack, "UEVE")
    assert [m["text"] for m in in_eves_dm] == [_said_yes(group_id, None)]
    assert not [b for m in in_eves_dm for b in m["blocks"] if b["type"] == "actions"]


def test_a_notice_on_its_way_to_someone_who_steps_out_of_the_trio_never_reaches_them(engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            for asker, note in (("UADA", "Could we move it?"), ("UBEN", "Thursday?"), ("UADA", "Sorry, not Thursday")):
                meetings.ask_reschedule(session, TEAM, asker, group_id, None, note)
            # Eve can't make this round: ada and ben carry on as a pair before the third notice goes.
            assert meetings.step_out(session, TEAM, "UEVE", group_id).outcome is Outcome.done
        delivery.deliver(engine, TEAM, gateway, pace=0)
    assert not [m for m in _dm(fake_slack, "UEVE") if "move your chat" in m["text"]]
    # Ben's notice counts the two who are left: "both", never "all".
    (live,) = [m["text"] for m in _dm(fake_slack, "UBEN") if "Finding a time has been tricky" in m["text"]]
    assert "If you'd both rather let it go" in live


def _settled_text(**why):
    from bot.blocks import sends as send_blocks
    from scheduler.sends.reschedule_settled import RescheduleSettled

    return send_blocks.reschedule_settled_message(RescheduleSettled("UADA", **why))["text"]


def _buttons(messages):
    return [b for m in messages for b in m["blocks"] if b["type"] == "actions"]


def _bens_notice_settled(fake_slack, stepping_out):
    """Ben's notice of Ada's request, once one of the pair stepped out: nothing left to answer."""
    (notice,) = [m for m in _dm(fake_slack, "UBEN") if "move your chat" in m["text"]]
    if stepping_out == "UBEN":
        assert notice["text"] == _settled_text(reader_stepped_out=True)
    else:
        assert notice["text"] == _settled_text(stepped_out_id="UADA")
    assert not _buttons([notice])


def test_stepping_out_of_a_trio_settles_your_own_reschedule_notice_and_leaves_the_others_live(
        engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            stepped = meetings.step_out(session, TEAM, "UEVE", group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=stepped.send_now)
    # Eve's notice says she's stepped out and nothing is needed from her: no button left to press.
    (notice,) = [m for m in _dm(fake_slack, "UEVE") if "asked to move your chat" in m["text"]]
    assert notice["text"] == _settled_text(reader_stepped_out=True)
    assert not _buttons([notice])
    # Ada and Ben carry on with the request as it stands: Ben can still answer it.
    (bens,) = [m for m in _dm(fake_slack, "UBEN") if "needs to move your chat" in m["text"]]
    assert _buttons([bens])
    # Ben's yes settles the request for the two still in it; Eve's notice keeps saying she stepped out,
    # never "If that doesn't suit you, ... can still move it" to someone no longer in the chat.
    with freeze_time(OPENS + timedelta(days=1, hours=1), tick=True):
        with session_scope(engine) as session:
            accepted = meetings.accept_reschedule(session, TEAM, "UBEN", group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=accepted.send_now)
    (after,) = [m for m in _dm(fake_slack, "UEVE") if "asked to move your chat" in m["text"]]
    assert after["text"] == _settled_text(reader_stepped_out=True)


def test_pausing_instead_of_leaving_settles_your_notice_without_promising_next_round(engine, trio, fake_slack):
    """'Pause instead' on the leave confirmation steps out of this round too: the notice settles, and
    nothing on it says "you'll be matched again next round" to someone who has just paused."""
    from scheduler import delivery

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            _, stepped = membership.pause_stepping_out(session, TEAM, "UEVE")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=stepped.send_now)
    (notice,) = [m for m in _dm(fake_slack, "UEVE") if "asked to move your chat" in m["text"]]
    assert "you've stepped out of this round" in notice["text"] and "next round" not in notice["text"]
    assert not _buttons([notice])


@pytest.mark.parametrize("stepping_out", ["UBEN", "UADA"])
def test_when_one_of_a_pair_steps_out_the_reschedule_notice_settles_for_whoever_holds_it(
        engine, pairs, fake_slack, stepping_out):
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from scheduler import delivery
    from tests.conftest import BOT_TOKEN

    for user in ("UADA", "UBEN"):
        fake_slack.add_user(user)
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], OPENS + timedelta(days=3), "")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            stepped = meetings.step_out(session, TEAM, stepping_out, pairs["UADA"])
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=stepped.send_now)
    # The match has ended: Ben's notice of Ada's request has nothing left to answer, whoever stepped out.
    _bens_notice_settled(fake_slack, stepping_out)


def _waiting_checks_settled():
    from bot.blocks import sends as send_blocks
    from scheduler.sends.waiting_check_settled import WaitingCheckSettled

    return {user: send_blocks.waiting_check_settled_message(WaitingCheckSettled((partner,)))["text"]
            for user, partner in (("UADA", "UBEN"), ("UBEN", "UADA"))}


def _pair_gateway(fake_slack):
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from tests.conftest import BOT_TOKEN

    for user in ("UADA", "UBEN"):
        fake_slack.add_user(user)
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


def _ada_schedules(engine, group_id):
    with session_scope(engine) as session:
        assert meetings.mark_scheduled(session, TEAM, "UADA", group_id, OPENS + timedelta(days=9)).outcome \
            is Outcome.done


@pytest.mark.parametrize("stepping_out", ["UBEN", "UADA"])
def test_a_reschedule_notice_still_on_its_way_when_one_of_a_pair_steps_out_lands_settled(
        engine, pairs, fake_slack, stepping_out):
    from scheduler import delivery

    gateway = _pair_gateway(fake_slack)

    def steps_out():
        with session_scope(engine) as session:
            assert meetings.step_out(session, TEAM, stepping_out, pairs["UADA"]).outcome is Outcome.done

    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", pairs["UADA"], None, "Could we move it?")
        # One of them steps out in the moment between Slack taking Ben's notice and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, steps_out, to="UBEN")
        delivery.deliver(engine, TEAM, answering, pace=0, keys=asked.send_now)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    _bens_notice_settled(fake_slack, stepping_out)


def test_when_whoever_asked_to_move_a_trios_chat_steps_out_the_others_have_nothing_to_answer(
        engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, OPENS + timedelta(days=3), "")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            stepped = meetings.step_out(session, TEAM, "UADA", group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=stepped.send_now)
        # Ben and Eve's notices say Ada can't make this round after all: no button left to press.
        for user, other in (("UBEN", "UEVE"), ("UEVE", "UBEN")):
            (notice,) = [m for m in _dm(fake_slack, user) if "move your chat" in m["text"]]
            assert notice["text"] == _settled_text(stepped_out_id="UADA", carrying_on_with=(other,))
            assert not _buttons([notice])
        # A yes that crossed the edit is told the request no longer stands: nothing is scheduled, nobody told.
        with session_scope(engine) as session:
            late = meetings.accept_reschedule(session, TEAM, "UBEN", group_id)
            assert late.outcome is Outcome.request_withdrawn and late.out_ids == ("UADA",)
            assert session.get(Group, group_id).meeting_at is None
            assert not session.exec(select(Outbox).where(Outbox.kind == "reschedule_accepted")).all()
        delivery.deliver(engine, TEAM, gateway, pace=0)
    assert not [m for m in _dm(fake_slack, "UADA") if "said yes" in m["text"]]


def test_a_trios_notice_still_on_its_way_when_whoever_asked_steps_out_lands_settled(engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio

    def ada_steps_out():
        with session_scope(engine) as session:
            assert meetings.step_out(session, TEAM, "UADA", group_id).outcome is Outcome.done

    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        # Ada steps out in the moment between Slack taking Ben's notice and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, ada_steps_out, to="UBEN")
        delivery.deliver(engine, TEAM, answering, pace=0, keys=asked.send_now)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    (notice,) = [m for m in _dm(fake_slack, "UBEN") if "move your chat" in m["text"]]
    assert notice["text"] == _settled_text(stepped_out_id="UADA", carrying_on_with=("UEVE",))
    # Eve's notice, before or after Ben's, is settled too, or never went: no live button either way.
    assert not _buttons([m for u in ("UBEN", "UEVE") for m in _dm(fake_slack, u) if "move your chat" in m["text"]])


def test_when_whoever_asked_to_move_a_trios_chat_steps_out_the_other_two_are_waiting_for_a_time_again(
        engine, trio, fake_slack):
    from bot.blocks import sends as send_blocks
    from scheduler import delivery
    from scheduler.sends.intro import intro_for
    from storage.models import GroupStatus

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            assert meetings.mark_scheduled(session, TEAM, "UBEN", group_id, OPENS + timedelta(days=4)).outcome \
                is Outcome.done
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, OPENS + timedelta(days=6), "")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            stepped = meetings.step_out(session, TEAM, "UADA", group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=stepped.send_now)
    # Ada's request went with her: Ben and Eve have no time, and their new intro doesn't claim one is coming.
    with session_scope(engine) as session:
        now_ = session.get(Group, group_id)
        assert (now_.status, now_.meeting_at) == (GroupStatus.new.value, None)
        assert intro_for(session, group_id).status == GroupStatus.new.value
        channel = now_.channel_id
    (intro,) = fake_slack.messages(channel)
    shown = str(intro["blocks"])
    assert send_blocks.STATUS_LINES[GroupStatus.new] in shown
    assert send_blocks.STATUS_LINES[GroupStatus.rescheduling] not in shown


def test_a_click_on_a_notice_that_crosses_its_askers_stepping_out_is_told_the_request_no_longer_stands(
        engine, trio, fake_slack):
    from scheduler import delivery
    from storage.models import GroupStatus

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, OPENS + timedelta(days=3), "")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
        with session_scope(engine) as session:
            assert meetings.step_out(session, TEAM, "UADA", group_id).outcome is Outcome.done
        # Ben's "Let's leave it this round" and Eve's "Suggest another time" crossed the edit of their notices.
        with session_scope(engine) as session:
            let_go = meetings.let_go(session, TEAM, "UBEN", group_id)
            assert (let_go.outcome, let_go.out_ids, let_go.partner_ids) == (Outcome.request_withdrawn, ("UADA",),
                                                                            ("UEVE",))
            counter = meetings.check_counter(session, TEAM, "UEVE", group_id)
            assert (counter.outcome, counter.out_ids) == (Outcome.request_withdrawn, ("UADA",))
        with session_scope(engine) as session:
            # Nothing was let go, and nobody was told it was.
            assert session.get(Group, group_id).status == GroupStatus.new.value
            assert not session.exec(select(Outbox).where(Outbox.kind == "left_for_round")).all()
            # A request of their own afterwards is answered as any other.
            meetings.ask_reschedule(session, TEAM, "UBEN", group_id, OPENS + timedelta(days=4), "")
        with session_scope(engine) as session:
            assert meetings.check_counter(session, TEAM, "UEVE", group_id).outcome is Outcome.done


def _eve_goes_quiet(engine, group_id):
    """Ben answers (any click does) and Eve never does; Ada's "my partner hasn't replied" nudges Eve."""
    with freeze_time(OPENS + timedelta(hours=1)), session_scope(engine) as session:
        assert meetings.check_open(session, TEAM, "UBEN", group_id).outcome is Outcome.done
    with freeze_time(OPENS + timedelta(days=7, minutes=1)), session_scope(engine) as session:
        assert meetings.report_silence(session, TEAM, "UADA", group_id).outcome is Outcome.nudged


def _ben_and_ada_carry_on(engine, group_id):
    with session_scope(engine) as session:
        assert meetings.report_silence(session, TEAM, "UADA", group_id).carried_on


def test_when_a_trio_carries_on_without_its_quiet_member_their_reschedule_notice_settles(engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    _eve_goes_quiet(engine, group_id)
    with freeze_time(OPENS + timedelta(days=8), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        delivery.deliver(engine, TEAM, gateway, pace=0, keys=asked.send_now)
    with freeze_time(OPENS + timedelta(days=9, hours=1), tick=True):
        _ben_and_ada_carry_on(engine, group_id)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    # Eve never stepped out herself: her notice says the match has changed, with nothing for her to answer.
    (notice,) = [m for m in _dm(fake_slack, "UEVE") if "move your chat" in m["text"]]
    assert notice["text"] == _settled_text(reader_moved_on=True)
    assert "stepped out" not in notice["text"]
    assert not _buttons([notice])
    # Ben's is still live: he and Ada carry on with the request as it stands.
    (bens,) = [m for m in _dm(fake_slack, "UBEN") if "move your chat" in m["text"]]
    assert _buttons([bens])


def test_a_notice_on_its_way_to_a_quiet_member_as_the_trio_carries_on_without_them_lands_settled(
        engine, trio, fake_slack):
    from scheduler import delivery

    group_id, gateway = trio
    _eve_goes_quiet(engine, group_id)
    with freeze_time(OPENS + timedelta(days=9, hours=1), tick=True):
        with session_scope(engine) as session:
            asked = meetings.ask_reschedule(session, TEAM, "UADA", group_id, None, "Could we move it?")
        # Ada and Ben carry on in the moment between Slack taking Eve's notice and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, lambda: _ben_and_ada_carry_on(engine, group_id), to="UEVE")
        delivery.deliver(engine, TEAM, answering, pace=0, keys=asked.send_now)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    (notice,) = [m for m in _dm(fake_slack, "UEVE") if "move your chat" in m["text"]]
    assert notice["text"] == _settled_text(reader_moved_on=True)
    assert not _buttons([notice])


def test_the_groups_nudge_on_its_way_as_a_trio_carries_on_as_a_pair_lands_without_its_button(
        engine, trio, fake_slack):
    from bot.blocks import sends as send_blocks
    from scheduler import delivery
    from scheduler.sends.nudge import NudgeSend
    from scheduler.sends.nudge_settled import NudgeSettled

    group_id, gateway = trio
    _eve_goes_quiet(engine, group_id)
    # The trio's own conversation, as Slack knows it.
    channel = gateway.open_conversation(["UADA", "UBEN", "UEVE"])
    with session_scope(engine) as session:
        round_store.set_group_fields(session, session.get(Group, group_id), channel_id=channel)
    with freeze_time(OPENS + timedelta(days=10), tick=True):
        with session_scope(engine) as session:
            sends.queue(session, TEAM, [NudgeSend(round_id=session.get(Group, group_id).round_id, group_id=group_id)])
        # Ada and Ben carry on in the moment between Slack taking the nudge and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, lambda: _ben_and_ada_carry_on(engine, group_id), to=channel)
        delivery.deliver(engine, TEAM, answering, pace=0, keys=[f"nudge:{group_id}"])
        delivery.deliver(engine, TEAM, gateway, pace=0)
    (nudge,) = [m for m in fake_slack.messages(channel) if m["text"].startswith("A gentle nudge")]
    assert nudge["text"] == send_blocks.nudge_settled_message(NudgeSettled(1))["text"]
    assert not _buttons([nudge])


def test_a_waiting_check_already_sent_says_the_time_is_set_once_the_pair_agrees_one(engine, pairs, fake_slack):
    from scheduler import delivery, rounds

    gateway = _pair_gateway(fake_slack)
    with freeze_time(OPENS + timedelta(days=7, minutes=1), tick=True):
        assert rounds.offer_no_reply(engine, TEAM) == 4
        delivery.deliver(engine, TEAM, gateway, pace=0)
        assert all("no time is set yet" in _dm(fake_slack, u)[0]["text"] for u in ("UADA", "UBEN"))
        _ada_schedules(engine, pairs["UADA"])
        delivery.deliver(engine, TEAM, gateway, pace=0)
    # Neither check says "no time is set yet" any more, nor offers to chase or step out.
    for user, settled in _waiting_checks_settled().items():
        (check,) = [m for m in _dm(fake_slack, user) if m["text"].startswith(("It's been", "Your unmentor chat"))]
        assert check["text"] == settled
        assert not _buttons([check])


def test_a_waiting_check_still_on_its_way_when_the_pair_agrees_a_time_lands_settled(engine, pairs, fake_slack):
    from scheduler import delivery, rounds

    gateway = _pair_gateway(fake_slack)
    with freeze_time(OPENS + timedelta(days=7, minutes=1), tick=True):
        rounds.offer_no_reply(engine, TEAM)
        # Ada says they've scheduled it in the moment between Slack taking Ben's check and the bot hearing back.
        answering = _AnsweredWhileSending(gateway, lambda: _ada_schedules(engine, pairs["UADA"]), to="UBEN")
        delivery.deliver(engine, TEAM, answering, pace=0)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    (check,) = [m for m in _dm(fake_slack, "UBEN") if m["text"].startswith(("It's been", "Your unmentor chat"))]
    assert check["text"] == _waiting_checks_settled()["UBEN"]
    assert not _buttons([check])


def _moved_on_check():
    from bot.blocks import sends as send_blocks
    from scheduler.sends.waiting_check_settled import WaitingCheckSettled

    return send_blocks.waiting_check_settled_message(WaitingCheckSettled((), moved_on=True))["text"]


def _checks(fake_slack, user):
    return [m for m in _dm(fake_slack, user) if m["text"].startswith(("It's been", "Your unmentor"))]


_MOVES_ON = {
    "met": lambda session, group_id: meetings.mark_met(session, TEAM, "UADA", group_id),
    "missed": lambda session, group_id: meetings.mark_missed(session, TEAM, "UADA", group_id),
    "stepped out": lambda session, group_id: meetings.step_out(session, TEAM, "UBEN", group_id),
}


@pytest.mark.parametrize("move", list(_MOVES_ON))
def test_a_waiting_check_already_sent_settles_once_the_match_moves_on_another_way(engine, pairs, fake_slack, move):
    from scheduler import delivery, rounds

    gateway = _pair_gateway(fake_slack)
    with freeze_time(OPENS + timedelta(days=7, minutes=1), tick=True):
        rounds.offer_no_reply(engine, TEAM)
        delivery.deliver(engine, TEAM, gateway, pace=0)
        assert all("no time is set yet" in _checks(fake_slack, u)[0]["text"] for u in ("UADA", "UBEN"))
        with session_scope(engine) as session:
            assert _MOVES_ON[move](session, pairs["UADA"]).outcome is Outcome.done
        delivery.deliver(engine, TEAM, gateway, pace=0)
    # Neither check says "no time is set yet" any more, nor offers to chase or step out.
    for user in ("UADA", "UBEN"):
        (check,) = _checks(fake_slack, user)
        assert check["text"] == _moved_on_check()
        assert not _buttons([check])


def test_a_waiting_check_still_on_its_way_when_the_pair_meets_lands_settled(engine, pairs, fake_slack):
    from scheduler import delivery, rounds

    gateway = _pair_gateway(fake_slack)

    def ada_says_they_met():
        with session_scope(engine) as session:
            assert meetings.mark_met(session, TEAM, "UADA", pairs["UADA"]).outcome is Outcome.done

    with freeze_time(OPENS + timedelta(days=7, minutes=1), tick=True):
        rounds.offer_no_reply(engine, TEAM)
        # Ada says they've met in the moment between Slack taking Ben's check and the bot hearing back.
        delivery.deliver(engine, TEAM, _AnsweredWhileSending(gateway, ada_says_they_met, to="UBEN"), pace=0)
        delivery.deliver(engine, TEAM, gateway, pace=0)
    (check,) = _checks(fake_slack, "UBEN")
    assert check["text"] == _moved_on_check()
    assert not _buttons([check])


def test_a_waiting_check_settles_for_all_three_when_one_of_a_trio_steps_out(engine, trio, fake_slack):
    from scheduler import delivery, rounds

    group_id, gateway = trio
    with freeze_time(OPENS + timedelta(days=7, minutes=1), tick=True):
        rounds.offer_no_reply(engine, TEAM)
        delivery.deliver(engine, TEAM, gateway, pace=0)
        assert all("no time is set yet" in _checks(fake_slack, u)[0]["text"] for u in ("UADA", "UBEN", "UEVE"))
        with session_scope(engine) as session:
            assert meetings.step_out(session, TEAM, "UEVE", group_id).outcome is Outcome.done
        delivery.deliver(engine, TEAM, gateway, pace=0)
    # Each check named all three; Ada and Ben go by their new intro, and Eve has nothing to do.
    for user in ("UADA", "UBEN", "UEVE"):
        (check,) = _checks(fake_slack, user)
        assert check["text"] == _moved_on_check()
        assert not _buttons([check])


def test_quiet_rounds_count_only_rounds_in_a_row(engine, pairs):
    from scheduler.quiet_rounds import account_for_round

    with session_scope(engine) as session:
        round_ = session.exec(select(Round)).one()
        ada = member_store.get_member(session, TEAM, "UADA")
        eve = member_store.get_member(session, TEAM, "UEVE")
        member_store.set_quiet_rounds(session, eve, 1)  # quiet last time, then sat this round out
        paused = account_for_round(session, round_)
        assert paused == [] and ada.quiet_rounds == 1
        assert member_store.get_member(session, TEAM, "UEVE").quiet_rounds == 0


def test_only_the_quiet_partner_of_a_pair_counts_a_quiet_round_and_nobody_in_a_trio(engine, pairs):
    from scheduler.quiet_rounds import account_for_round

    nudged(engine, ("UADA", pairs["UADA"]))
    with freeze_time(OPENS + timedelta(days=10)), session_scope(engine) as session:
        meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=False)
        account_for_round(session, session.exec(select(Round)).one())
        quiet = {m.slack_user_id: m.quiet_rounds for m in session.exec(select(Member))}
    assert quiet["UBEN"] == 1 and quiet["UADA"] == 0


def test_dates_fall_back_to_utc_text_and_member_words_cannot_break_formatting():
    new_york = datetime(2026, 12, 10, 15, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert kit_blocks.slack_date(new_york, ()).endswith("|Thursday 10 December at 20:00 UTC>")
    assert kit_blocks.escape("*Acme_ <!here>") == "∗Acmeˍ &lt;!here&gt;"


def test_skip_on_a_heads_up_skips_that_round_even_while_the_last_one_is_still_running(engine, pairs):
    # December's round (2026-12) is running; January's heads-up arrives and ada skips January.
    with session_scope(engine) as session:
        change, stands = membership.skip_round(session, TEAM, "UADA", "2027-01")
        assert (change, stands) == (membership.Change.done, membership.HeadsUpRound.upcoming)
        assert member_store.get_member(session, TEAM, "UADA").status == "skipping"
    # A heads-up for a round that has already opened can't skip it.
    with session_scope(engine) as session:
        change, stands = membership.skip_round(session, TEAM, "UBEN", "2026-12")
        assert stands is membership.HeadsUpRound.running
        assert member_store.get_member(session, TEAM, "UBEN").status == "active"
    # Once that round has closed, its old heads-up says so, and skips nothing later either.
    with session_scope(engine) as session:
        december = round_store.round_for_period(session, TEAM, "2026-12")
        december.state = "closed"
        session.add(december)
    with session_scope(engine) as session:
        change, stands = membership.skip_round(session, TEAM, "UBEN", "2026-12")
        assert (change, stands) == (membership.Change.already, membership.HeadsUpRound.closed)
        assert member_store.get_member(session, TEAM, "UBEN").status == "active"


def test_both_answering_the_follow_up_at_once_are_both_told_they_want_to_stay_in_touch(engine, pairs, monkeypatch):
    # Each save waits, after writing its own answer, for the other to have written theirs (or for
    # a second and a half, when the other is kept waiting): without a lock on the match, each
    # then sees only its own answer on PostgreSQL, and nobody hears that both want to stay in touch.
    both_saved = threading.Barrier(2, timeout=1.5)
    real_save = meeting_store.save_follow_up

    def save_then_wait(session, **fields):
        saved = real_save(session, **fields)
        try:
            both_saved.wait()
        except threading.BrokenBarrierError:
            pass
        return saved

    monkeypatch.setattr(meeting_store, "save_follow_up", save_then_wait)
    errors, results = [], {}

    def answer(user):
        try:
            with session_scope(engine) as session:
                results[user] = meetings.save_follow_up(session, TEAM, user, pairs[user],
                                                        meetings.FollowUpForm(learned="Plenty", stay_in_touch=True))
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)

    with freeze_time(OPENS + timedelta(days=22)):
        threads = [threading.Thread(target=answer, args=(user,)) for user in ("UADA", "UBEN")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == [] and all(r.outcome is Outcome.done for r in results.values())
    with session_scope(engine) as session:
        told = sorted(member_store.get_member_by_id(session, row.member_id).slack_user_id
                      for row in session.exec(select(Outbox).where(Outbox.kind == "stay_in_touch")))
    assert told == ["UADA", "UBEN"]


def test_two_of_a_trio_waiting_on_the_third_are_both_told_the_truth_and_both_hear_when_the_time_is_up(
        engine, trio):
    """Ada asks first, so Ben and Eve are nudged; then Ben, nudged himself, says he's waiting too. He is
    told Eve is the quiet one (not "I've sent Ada and Eve a nudge": Ada is waiting, like him), and he
    hears when the time is up as Ada does, rather than being promised a word that never comes."""
    group_id, _ = trio
    with freeze_time(OPENS + timedelta(days=7, minutes=1)), session_scope(engine) as session:
        first = meetings.report_silence(session, TEAM, "UADA", group_id)
        assert first.outcome is Outcome.nudged and set(first.quiet_ids) == {"UBEN", "UEVE"}
    with freeze_time(OPENS + timedelta(days=7, hours=3)), session_scope(engine) as session:
        second = meetings.report_silence(session, TEAM, "UBEN", group_id)
        assert second.outcome is Outcome.nudged and second.send_now == []  # no second nudge for Eve
        assert second.quiet_ids == ("UEVE",)
        reply = meeting_blocks.quiet_partner_nudged_reply(second.partner_ids, second.wait_until, fresh=False,
                                                          quiet_ids=second.quiet_ids)["text"]
        assert reply.startswith("<@UEVE> has had a kind nudge from me already. <@UADA> is keen to meet too")
        overs = session.exec(select(Outbox).where(Outbox.kind == "wait_over")).all()
        assert sorted(member_store.get_member(session, TEAM, u).id for u in ("UADA", "UBEN")) == \
            sorted(row.member_id for row in overs)
        assert {row.not_before for row in overs} == {first.wait_until}
    with freeze_time(first.wait_until + timedelta(minutes=1)), session_scope(engine) as session:
        planned = {sends.plan(session, row).channel: sends.plan(session, row).content for row in overs}
        # Each of the two waiting hears that Eve is still quiet, and that they could carry on as a pair.
        assert planned["UADA"].quiet_ids == planned["UBEN"].quiet_ids == ("UEVE",)
        assert planned["UADA"].others_ids == ("UBEN",) and planned["UBEN"].others_ids == ("UADA",)
