"""Rounds end to end below the HTTP layer: heads-up, opening, intros, phases, restarts and delivery, on both databases.

Time is moved with freezegun; every Slack call goes to the spec-checked fake.
Past 400 lines on purpose: the round's phases in order, all sharing this file's join/deliver/groups helpers.
"""

from __future__ import annotations

import json
import weakref
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, membership, rounds, sending
from scheduler import prompts as prompt_library
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.schedule import Schedule, round_times
from scheduler.sends.intro import intro_for
from storage import members as member_store
from storage import outbox
from storage.db import session_scope
from storage.models import Group, GroupMember, Member, Outbox, Round
from tests import personas, said
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM, heads_up_went

UTC = timezone.utc
# The December 2026 round: heads-up Fri 4 Dec, opens Mon 7 Dec 10:00 London (= UTC in winter).
HEADS_UP = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def opening(months_after: int) -> datetime:
    """When the round `months_after` December 2026 opens."""
    return round_times(Schedule(), 2026 * 12 + 11 + months_after).opens_at


@pytest.fixture
def gateway(fake_slack):
    # The client the app itself builds, with its retry handlers.
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


# Databases whose workspace has had its heads-ups recorded (heads_up_went): nothing in a test takes
# them back, so a crowd joining one by one records them once rather than once each.
_heads_ups_recorded: weakref.WeakSet = weakref.WeakSet()


def join(engine, fake, user, organisation, tz="Europe/London", **details):
    fake.add_user(user, real_name=user, tz=tz)
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation, **details),
                                SlackProfile(timezone=tz))
    if engine not in _heads_ups_recorded:
        heads_up_went(engine)
        _heads_ups_recorded.add(engine)


def deliver(engine, gateway):
    return delivery.deliver(engine, TEAM, gateway, pace=0)


def intro_posts(fake):
    return [c for c in fake.calls_to("chat.postMessage") if said.kind_of(c.args) == "intro"]


def groups(engine, round_number=None):
    with session_scope(engine) as session:
        query = select(Group, Round.number).join(Round, Round.id == Group.round_id)
        out = []
        for group, number in session.exec(query.order_by(Group.id)):
            if round_number is None or number == round_number:
                members = session.exec(
                    select(Member.slack_user_id).join(GroupMember, GroupMember.member_id == Member.id)
                    .where(GroupMember.group_id == group.id).order_by(Member.slack_user_id)).all()
                out.append((group, members))
        return out


def member(engine, user):
    with session_scope(engine) as session:
        return member_store.get_member(session, TEAM, user)


def test_the_heads_up_reaches_each_active_member_once_with_a_skip_button(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    join(engine, fake_slack, "U3", "Gamma")
    with session_scope(engine) as session:
        membership.pause(session, TEAM, "U3")
    with freeze_time(HEADS_UP - timedelta(hours=1)):
        assert rounds.run_due(engine, TEAM) == []  # not yet
    with freeze_time(HEADS_UP + timedelta(minutes=1), tick=True):
        assert rounds.run_due(engine, TEAM) == ["announce"]
        assert rounds.run_due(engine, TEAM) == []  # a second tick queues nothing new
        deliver(engine, gateway)
    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == ["U1", "U2"]
    blocks = (
        json.loads(posts[0].args["blocks"]) if isinstance(posts[0].args["blocks"], str) else posts[0].args["blocks"]
    )
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("round_skip", "period:2026-12")]
    assert said.kind_of(posts[0].args) == "announce" and "<!date^" in posts[0].args["text"]


def test_a_round_opens_on_time_and_every_group_gets_exactly_one_intro(engine, fake_slack, gateway):
    for i, org in enumerate(["Acme", "Acme", "Beta", "Beta", "Gamma", "Delta"]):
        join(engine, fake_slack, f"U{i}", org)
    with freeze_time(OPENS - timedelta(minutes=1)):
        assert "open" not in rounds.run_due(engine, TEAM)
    with freeze_time(OPENS + timedelta(minutes=1), tick=True):
        assert "open" in rounds.run_due(engine, TEAM)
        assert "open" not in rounds.run_due(engine, TEAM)
        report = deliver(engine, gateway)
        deliver(engine, gateway)  # again: nothing more goes out
    made = groups(engine)
    assert len(made) == 3 and report.sent == 3
    for group, users in made:
        orgs = {member(engine, u).organisation_key for u in users}
        assert len(orgs) == len(users)  # never two from one organisation
        channel = fake_slack.conversation_id(*users)
        assert len(fake_slack.messages(channel)) == 1
        assert group.channel_id == channel and group.intro_ts == fake_slack.messages(channel)[0]["ts"]
    opened = fake_slack.calls_to("conversations.open")
    assert sorted(sorted(c.args["users"].split(",")) for c in opened) == sorted(u for _, u in made)


def test_the_intro_says_who_where_why_and_gives_three_prompts_and_the_meeting_buttons(engine, fake_slack, gateway):
    join(engine, fake_slack, "UADA", "Acme", role="Runs the volunteer programme",
         talk_about="hybrid events", could_share="recruiting trustees")
    join(engine, fake_slack, "UBEN", "Beta Trust", role="Data lead", talk_about="board reporting",
         could_share="running hybrid events")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    (post,) = intro_posts(fake_slack)
    blocks = post.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    text = json.dumps(blocks)
    # Who, where and what each said they'd like to talk about or could share (the words around
    # them are checked in the intro's golden files).
    for needle in ("<@UADA>", "<@UBEN>", "*Acme*", "*Beta Trust*", "Runs the volunteer programme",
                   "hybrid events", "recruiting trustees", "board reporting"):
        assert needle in text
    (group, _), = groups(engine)
    # The three prompts stored for the group, numbered, in one section.
    with session_scope(engine) as session:
        library = prompt_library.library_for(session, TEAM)
    chosen = [library.by_id(prompt_id) for prompt_id in json.loads(group.prompts)]
    assert len(chosen) == 3
    (prompts,) = [b for b in blocks if b["type"] == "section" and all(p.text in b["text"]["text"] for p in chosen)]
    assert [line.split(". ", 1)[0] for line in prompts["text"]["text"].splitlines()[1:]] == ["1", "2", "3"]
    actions = next(b for b in blocks if b.get("block_id") == "meeting")
    assert [e["action_id"] for e in actions["elements"]] == [
        "meeting_scheduled", "meeting_met", "meeting_reschedule", "meeting_missed", "meeting_step_out"]
    assert {e["value"] for e in actions["elements"]} == {f"group:{group.id}"}


def test_an_odd_one_out_joins_a_trio_and_with_sit_out_is_told_kindly_and_goes_first_next_time(
    engine, fake_slack, gateway
):
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
    ((_, users),) = groups(engine)
    assert users == ["U1", "U2", "U3"]  # a trio, nobody left out

    with session_scope(engine) as session:
        from dataclasses import replace

        from scheduler.workspace_schedule import load_schedule, save_schedule
        save_schedule(session, TEAM, replace(load_schedule(session, TEAM), odd="sit_out"))
    join(engine, fake_slack, "U4", "Delta")
    join(engine, fake_slack, "U5", "Epsilon")
    _finish_round(engine)
    with freeze_time(opening(1), tick=True):
        outcome = rounds.open_round(engine, TEAM)  # January: U1..U5, five people, no trio allowed
        deliver(engine, gateway)
    assert outcome.reason == "opened" and len(outcome.plan.unmatched) == 1
    (left_out,) = outcome.plan.unmatched
    dm = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == left_out.slack_user_id]
    assert len(dm) == 1 and "No match for you" in dm[0].args["text"] and "nothing you did" in dm[0].args["text"]
    assert "pairs people two by two" in dm[0].args["text"]  # the true reason: sit-out is the setting
    assert member(engine, left_out.slack_user_id).priority is True


def _finish_round(engine):
    with session_scope(engine) as session:
        for r in session.exec(select(Round)).all():
            r.state = "closed"
            session.add(r)


def test_people_left_out_last_time_are_matched_first(engine, fake_slack, gateway):
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
        join(engine, fake_slack, user, org)
    with session_scope(engine) as session:
        from dataclasses import replace

        from scheduler.workspace_schedule import load_schedule, save_schedule
        save_schedule(session, TEAM, replace(load_schedule(session, TEAM), odd="sit_out"))
        member_store.get_member(session, TEAM, "U3").priority = True
    for month in range(3):
        with freeze_time(opening(month), tick=True):
            outcome = rounds.open_round(engine, TEAM)
        assert "U3" not in [m.slack_user_id for m in outcome.plan.unmatched]
        _finish_round(engine)
        with session_scope(engine) as session:
            # forget the pairs so the same three can be matched again
            for gm in session.exec(select(GroupMember)).all():
                session.delete(gm)
            for m in session.exec(select(Member)).all():
                m.priority = m.slack_user_id == "U3"
                session.add(m)


def test_skipping_members_sit_out_one_round_then_come_back(engine, fake_slack, gateway):
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
        join(engine, fake_slack, user, org)
    with session_scope(engine) as session:
        membership.skip_next(session, TEAM, "U3")
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert {m.slack_user_id for g in outcome.plan.groups for m in g} == {"U1", "U2"}
    assert member(engine, "U3").status == "active"  # back for the next one


def test_pairs_never_repeat_and_prompts_never_repeat_for_anyone(engine, fake_slack, gateway):
    people = [(f"U{i}", f"Org{i % 4}") for i in range(8)]
    for user, org in people:
        join(engine, fake_slack, user, org)
    for month in range(4):
        with freeze_time(opening(month), tick=True):
            assert rounds.open_round(engine, TEAM).reason == "opened"
        _finish_round(engine)
    seen_pairs, prompts_by_person = set(), {}
    for group, users in groups(engine):
        pair = tuple(users)
        assert pair not in seen_pairs
        seen_pairs.add(pair)
        for user in users:
            given = set(json.loads(group.prompts))
            assert len(given) == 3
            assert not (prompts_by_person.setdefault(user, set()) & given), f"{user} got a prompt twice"
            prompts_by_person[user] |= given


def test_a_phase_missed_while_down_runs_once_when_back_and_not_after_the_grace_period(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    # Down over the opening; back six hours later: the round still opens, once.
    with freeze_time(OPENS + timedelta(hours=6), tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
        deliver(engine, gateway)
        assert rounds.run_due(engine, TEAM) == []
    # Down over the nudge (day 10) for a day: it still goes.
    with freeze_time(OPENS + timedelta(days=11), tick=True):
        assert rounds.run_due(engine, TEAM) == ["nudge", "offer_no_reply"]
        deliver(engine, gateway)
    nudges = [c for c in fake_slack.calls_to("chat.postMessage") if "gentle nudge" in c.args["text"]]
    assert len(nudges) == 1
    # Down for a week over the follow-up (day 21): the round moves on without a stale message.
    with freeze_time(OPENS + timedelta(days=27), tick=True):
        assert "follow_up" in rounds.run_due(engine, TEAM)
        with session_scope(engine) as session:
            assert not session.exec(select(Outbox).where(Outbox.kind == "follow_up")).all()
    with freeze_time(OPENS + timedelta(days=28, minutes=1), tick=True):
        assert rounds.run_due(engine, TEAM)[0] == "close"
    # A round missed entirely (back 3 days after the January opening) is not opened late.
    with freeze_time(datetime(2027, 1, 4, 10, tzinfo=UTC) + timedelta(days=3), tick=True):
        assert "open" not in rounds.run_due(engine, TEAM)


def test_the_nudge_skips_groups_that_have_scheduled_or_met(engine, fake_slack, gateway):
    for user, org in [("U1", "A"), ("U2", "B"), ("U3", "C"), ("U4", "D"), ("U5", "E"), ("U6", "F")]:
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    made = groups(engine)
    with session_scope(engine) as session:
        for (group, _), status in zip(made, ["scheduled", "met", "new"]):
            g = session.get(Group, group.id)
            g.status = status
            session.add(g)
    with freeze_time(OPENS + timedelta(days=10, minutes=1), tick=True):
        rounds.run_due(engine, TEAM)
        deliver(engine, gateway)
    nudged = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage") if "gentle nudge" in c.args["text"]]
    assert nudged == [made[2][0].channel_id]


def test_the_follow_up_reaches_every_member_and_the_close_marks_the_old_intro_ended(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    # The private check goes a day after the group's nudge: a tick past that day comes in between.
    for at in (timedelta(days=10, minutes=1), timedelta(days=11, minutes=10), timedelta(days=21, minutes=1),
               timedelta(days=28, minutes=1)):
        with freeze_time(OPENS + at, tick=True):
            rounds.run_due(engine, TEAM)
            deliver(engine, gateway)
    asks = [c for c in fake_slack.calls_to("chat.postMessage") if "is nearly over" in c.args["text"]]
    assert sorted(c.args["channel"] for c in asks) == ["U1", "U2"]
    # They never said they met, so they're asked whether they talked, not what they took away.
    assert all("Did you and" in c.args["text"] and "What did you take away" not in c.args["text"] for c in asks)
    ((group, users),) = groups(engine, round_number=1)
    updates = fake_slack.calls_to("chat.update")
    # The quiet pair is each asked privately whether they're waiting (never on the intro they share),
    # and the close retires the intro's buttons.
    assert sorted(c["channel"] for c in said.sends(fake_slack, "waiting_check")) == ["U1", "U2"]
    assert [u.args["ts"] for u in updates] == [group.intro_ts]
    assert "meeting_partner_no_reply" not in json.dumps(updates[0].args["blocks"])
    assert group.status == "no_reply"
    (message,) = [m for m in fake_slack.messages(group.channel_id) if m["ts"] == group.intro_ts]
    assert "has ended" in json.dumps(message["blocks"]) and "meeting_met" not in json.dumps(message["blocks"])


def test_preview_shows_the_groups_opening_would_make_and_stores_and_sends_nothing(engine, fake_slack, gateway):
    for i in range(7):
        join(engine, fake_slack, f"U{i}", f"Org{i % 3}")
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        shown = rounds.preview(engine, TEAM).plan
        with session_scope(engine) as session:
            assert session.exec(select(Round)).all() == [] and personas.sends(session) == []
        opened = rounds.open_round(engine, TEAM, manual=True).plan
    assert [[m.id for m in g] for g in shown.groups] == [[m.id for m in g] for g in opened.groups]
    assert fake_slack.calls == []


def test_a_manual_open_takes_the_next_period_so_the_schedule_does_not_open_it_again(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS - timedelta(days=20), tick=True):
        assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
        # Until its intros have gone, opening again finishes them rather than refusing.
        again = rounds.open_round(engine, TEAM, manual=True)
        assert (again.reason, again.waiting, again.round.number) == ("delivering", 1, 1)
        assert deliver(engine, gateway).sent == 1
        assert rounds.open_round(engine, TEAM, manual=True).reason == "round_running"
    _finish_round(engine)
    with freeze_time(OPENS + timedelta(minutes=5), tick=True):
        assert "open" not in rounds.run_due(engine, TEAM)


def test_opening_by_hand_after_closing_by_hand_opens_the_next_unused_period_even_twice_a_day(
        engine, fake_slack, gateway):
    for i in range(6):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    from scheduler.workspace_schedule import next_round_at

    periods = []
    with freeze_time(OPENS - timedelta(days=20), tick=True):
        for number in (1, 2, 3):
            outcome = rounds.open_round(engine, TEAM, manual=True)
            assert (outcome.reason, outcome.round.number) == ("opened", number)
            periods.append(outcome.round.period)
            deliver(engine, gateway)
            assert rounds.run_phase(engine, TEAM, "close", by_hand=True).result == "done"
            # The next opening shown to people is the first period no round has taken.
            with session_scope(engine) as session:
                assert next_round_at(session, TEAM) == opening(number)
    # December, January, February: the next three scheduled periods, each taken once.
    assert periods == ["2026-12", "2027-01", "2027-02"]
    # The schedule doesn't open those periods again when their dates come (the next round it knows
    # of is March's, not yet due); March opens as usual.
    for months_after in (0, 1, 2):
        with freeze_time(opening(months_after) + timedelta(minutes=5), tick=True):
            outcome = rounds.open_round(engine, TEAM)
            assert outcome.reason == "not_due" and outcome.round is None
    with freeze_time(opening(3) + timedelta(minutes=5), tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"


def test_a_phase_by_hand_runs_straight_after_opening_and_records_what_it_passed_over(engine, fake_slack, gateway):
    for i in range(4):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
        # On schedule the follow-up waits for the nudge...
        assert rounds.run_phase(engine, TEAM, "follow_up", OPENS + timedelta(days=30)).result == "not_ready"
        # ...but asked for by hand it runs now.
        outcome = rounds.run_phase(engine, TEAM, "follow_up", by_hand=True)
        assert (outcome.result, outcome.skipped) == ("done", ("nudge",))
        assert deliver(engine, gateway).sent == 4  # everyone is asked what they learned
        assert rounds.run_phase(engine, TEAM, "nudge", by_hand=True).result == "passed_over"
        assert rounds.run_phase(engine, TEAM, "follow_up", by_hand=True).result == "already_done"
        assert rounds.run_phase(engine, TEAM, "close", by_hand=True).skipped == ()
    with session_scope(engine) as session:
        round_ = session.exec(select(Round)).one()
        assert round_.state == "closed" and round_.nudged_at is None and round_.followed_up_at is not None
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "nudge" in json.dumps(c.args).lower()]


def test_rate_limits_and_transient_errors_are_retried_until_sent(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    fake_slack.fail_next("conversations.open", status=429, retry_after=0, times=1)
    fake_slack.fail_next("chat.postMessage", status=503, times=1)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        first = deliver(engine, gateway)
    # The 429 is retried inside the Slack client; the 503 puts the intro back to wait.
    assert first.sent == 0 and first.retrying == 1
    with freeze_time(OPENS + timedelta(minutes=5), tick=True):
        second = deliver(engine, gateway)
    assert second.sent == 1
    assert len(fake_slack.messages(fake_slack.conversation_id("U1", "U2"))) == 1


def test_a_deactivated_member_does_not_stop_the_others_and_their_partner_is_rematched(engine, fake_slack, gateway):
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta")]:
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        made = groups(engine)
        gone = made[0][1][0]
        partner = made[0][1][1]
        fake_slack.add_user(gone, deleted=True)
        join(engine, fake_slack, "U5", "Epsilon")  # joined after the round opened: free to step in
        deliver(engine, gateway)
    assert member(engine, gone).status == "paused"
    after = groups(engine)
    live = [users for group, users in after if group.status != "ended"]
    assert sorted(live) == sorted([made[1][1], sorted([partner, "U5"])])
    channels = {fake_slack.conversation_id(*users) for users in live}
    assert all(len(fake_slack.messages(c)) == 1 for c in channels)


def test_a_partner_nobody_can_replace_is_told_kindly_and_goes_first_next_round(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        fake_slack.add_user("U2", deleted=True)
        deliver(engine, gateway)
    dm = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "U1"]
    assert len(dm) == 1 and "can't be reached" in dm[0].args["text"] and "go first" in dm[0].args["text"]
    assert member(engine, "U1").priority is True


def test_a_send_left_in_doubt_by_a_crash_is_found_in_the_conversation_not_sent_again(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        with session_scope(engine) as session:
            (row,) = personas.sends(session)
            # What a crash leaves: Slack took the post, the database never heard back.
            channel = gateway.open_conversation(["U1", "U2"])
            content = intro_for(session, row.group_id)
            gateway.post(channel, content, delivery.marker_for(row))
            assert outbox.claim(session, row, "elsewhere:1")
    with freeze_time(OPENS + timedelta(minutes=10), tick=True):
        report = deliver(engine, gateway)
    assert report.found_already_sent == 1 and report.sent == 0
    assert len(fake_slack.messages(channel)) == 1
    assert fake_slack.calls_to("conversations.history")
    ((group, _),) = groups(engine)
    assert group.intro_ts == fake_slack.messages(channel)[0]["ts"]


def test_a_send_claimed_by_a_live_process_is_left_to_it(engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    import os
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        with session_scope(engine) as session:
            (row,) = personas.sends(session)
            # pid 1 is alive on every machine: a live process on this host has this send in hand.
            assert outbox.claim(session, row, f"{sending.HOST}:1")
        assert deliver(engine, gateway).sent == 0
    assert fake_slack.calls_to("chat.postMessage") == [] and os.getpid() != 1


def test_a_rate_limited_send_waits_as_long_as_slack_says_without_blocking_the_queue(engine, fake_slack):
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url),
                                       wait_out_rate_limits=False))
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta")]:
        join(engine, fake_slack, user, org)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30, times=1)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        first = deliver(engine, gateway)
        assert (first.sent, first.retrying) == (1, 1)  # the other intro went on regardless
        assert 29 <= delivery.seconds_until_retry(engine, TEAM) <= 30
        assert deliver(engine, gateway).sent == 0  # not before Slack said
    # The clock ticked on while the round opened and the first pass paced its calls (seconds on a
    # busy machine), so the retry falls due a little after OPENS + 30: look well past it.
    with freeze_time(OPENS + timedelta(seconds=90), tick=True):
        assert deliver(engine, gateway).sent == 1
        assert delivery.seconds_until_retry(engine, TEAM) is None
    assert all(len(fake_slack.messages(g.channel_id)) == 1 for g, _ in groups(engine))


def test_a_row_that_cannot_be_built_is_recorded_and_the_rest_still_go(engine, fake_slack, gateway):
    for user, org in [("U1", "Acme"), ("U2", "Beta")]:
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        with session_scope(engine) as session:
            outbox.queue(session, TEAM, [{"key": "mystery:1", "kind": "no_such_kind"}])
        report = deliver(engine, gateway)
    assert report.sent == 1 and report.failed == 1
    with session_scope(engine) as session:
        bad = session.exec(select(Outbox).where(Outbox.key == "mystery:1")).one()
    assert bad.state == "failed" and bad.error.startswith("internal")


def test_a_send_this_process_has_in_hand_is_not_taken_over_by_another_thread(engine, fake_slack, gateway):
    for user, org in [("U1", "Acme"), ("U2", "Beta")]:
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        with session_scope(engine) as session:
            (row,) = personas.sends(session)
            assert outbox.claim(session, row, sending.claimer())
        process = sending.Sending()  # this process's, shared by its threads that deliver
        assert process.take(row.id)  # a click's thread is posting it right now
        try:
            assert delivery.deliver(engine, TEAM, gateway, pace=0, sending=process).sent == 0
        finally:
            process.let_go(row.id)
        # Once that thread is gone without marking it, the send is in doubt and is checked, not repeated.
        assert delivery.deliver(engine, TEAM, gateway, pace=0, sending=process).sent == 1
    assert len(fake_slack.messages(fake_slack.conversation_id("U1", "U2"))) == 1


def test_the_private_check_goes_a_day_after_the_groups_nudge_and_counts_the_days_as_they_are(
        engine, fake_slack, gateway):
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    # Day 10 is the nudge (monthly): the quiet pair has waited a week, but the group's nudge goes
    # alone; nobody is asked privately in the same minute.
    with freeze_time(OPENS + timedelta(days=10, minutes=1), tick=True):
        assert rounds.run_due(engine, TEAM) == ["nudge", "offer_no_reply"]
        deliver(engine, gateway)
        assert said.sends(fake_slack, "nudge") and not said.sends(fake_slack, "waiting_check")
    # A day later it goes, saying how long it has really been.
    with freeze_time(OPENS + timedelta(days=11, minutes=10), tick=True):
        rounds.run_due(engine, TEAM)
        deliver(engine, gateway)
    checks = said.sends(fake_slack, "waiting_check")
    assert sorted(c["channel"] for c in checks) == ["U1", "U2"]
    assert all(c["text"].startswith("It's been 11 days since your unmentor intro") for c in checks)
    assert not any("a week" in c["text"] for c in checks)
