"""The opening window's hard paths: people changing their plans in it, the clock's jobs racing at the
opening, a bot down through it, the schedule closing the round before at the next one's time. On both
databases, against the spec-checked stand-in."""

from __future__ import annotations

from datetime import date, timedelta

from freezegun import freeze_time
from sqlmodel import select

from scheduler import membership, opening_window, rounds
from scheduler.workspace_schedule import change_schedule, next_round_at
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Group, GroupMember, Outbox
from tests.scheduler import test_rounds
from tests.scheduler.test_opening_window import _match_ahead, _open, _unmatched_reasons, _users, _window
from tests.scheduler.test_rounds import OPENS, TEAM, deliver, groups, intro_posts, join, member

gateway = test_rounds.gateway


def _live_groups_of(engine, user):
    return [g for g, users in groups(engine) if g.status != "ended" and user in users]


# The clock's delivery job (every 15 s) may reach the opening before its rounds tick (every 60 s): the
# held intros still wait for the opening itself, which first takes out whoever withdrew.
def test_an_intro_delivered_before_the_tick_at_the_opening_never_reaches_someone_who_paused(
        engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, "U1")
    with freeze_time(OPENS + timedelta(seconds=5), tick=True):
        deliver(engine, gateway)  # the delivery job, a few seconds before the rounds tick
        rounds.run_due(engine, TEAM)
        deliver(engine, gateway)
    assert [p for p in intro_posts(fake_slack) if "U1" in _users(fake_slack, p)] == []


# Two left alone are paired with each other, and neither is then given a second partner as well.
def test_two_left_alone_and_paired_together_are_not_each_given_a_second_partner(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))
    (_, (a, b)), (_, (c, d)) = groups(engine)
    lonely_first = b  # processed first: the group made earliest
    with freeze_time(OPENS - timedelta(seconds=30)):
        with session_scope(engine) as session:
            membership.pause(session, TEAM, a)
            membership.pause(session, TEAM, c)
        # Someone joins in the window, a colleague of the first left alone: free, but only for the other.
        org = member(engine, lonely_first).organisation
        join(engine, fake_slack, "U9", org)
    _open(engine, gateway)
    for user in (b, d, "U9"):
        assert len(_live_groups_of(engine, user)) <= 1, (user, groups(engine))
    # and nobody who is matched is put first in line for next round as if they'd been left out
    for user in (b, d):
        if _live_groups_of(engine, user):
            assert not member(engine, user).priority, user


# "Someone back today is in a round that opens today" (rounds.run_due) holds for a round matched a
# window before, while they were still paused: matched at the opening, or told kindly.
def test_someone_whose_pause_ends_at_the_opening_is_in_that_round(engine, fake_slack, gateway):
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, TEAM)
        change_schedule(session, TEAM, at="09:00")
    opens = OPENS - timedelta(hours=1)
    for user, org in (("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")):
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS - timedelta(days=3)), session_scope(engine) as session:
        membership.pause_until(session, TEAM, "U3", date(2026, 12, 7), "Europe/London")
    with freeze_time(opens - _window(engine), tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
    with freeze_time(opens, tick=True):
        rounds.run_due(engine, TEAM)  # welcome back, then the opening
        deliver(engine, gateway)
    assert member(engine, "U3").status == "active"
    assert _live_groups_of(engine, "U3") or "U3" in _unmatched_reasons(fake_slack)


def test_someone_who_resumes_in_the_window_is_matched_or_told(engine, fake_slack, gateway):
    with session_scope(engine) as session:
        join(engine, fake_slack, "U3", "Gamma")
        membership.pause(session, TEAM, "U3")
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=20)), session_scope(engine) as session:
        assert membership.resume(session, TEAM, "U3") is membership.Change.done
        # what they are told: "active: you'll be in the next round", opening...
        told = next_round_at(session, TEAM)
    _open(engine, gateway)
    in_this_round = bool(_live_groups_of(engine, "U3")) or "U3" in _unmatched_reasons(fake_slack)
    # Either they're in the round opening now, or what they were told named the one after; it says "now"-ish.
    assert in_this_round, f"resumed 20 s before the opening: not in it, nor told; Home said next round {told:%d %b}"


# Home in the window names the round about to open, so "Skip the next round" skips the one it says.
def test_home_in_the_window_names_the_round_about_to_open(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=20)), session_scope(engine) as session:
        assert next_round_at(session, TEAM) == OPENS


# The organiser's preview in the window shows the groups "Open now" would introduce.
def test_the_preview_in_the_window_shows_the_groups_opening_would_introduce(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))
    matched = sorted(sorted(users) for _, users in groups(engine))
    with freeze_time(OPENS - timedelta(seconds=20)):
        plan = rounds.preview(engine, TEAM).plan
    assert plan.period == "2026-12"
    assert sorted(sorted(m.slack_user_id for m in g) for g in plan.groups) == matched


# Down from the match until long past the opening (rounds.GRACE): like a round never matched, it's too
# late, and no stale intro goes.
def test_a_matched_round_found_long_after_its_opening_does_not_send_stale_intros(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with session_scope(engine) as session:
        closes = round_store.running_round(session, TEAM).closes_at
    with freeze_time(closes + timedelta(days=1), tick=True):
        rounds.run_due(engine, TEAM)
        deliver(engine, gateway)
    assert intro_posts(fake_slack) == [] and fake_slack.calls_to("chat.postMessage") == []
    # Nobody counts as having met: the next round may pair the same two, and opens as it should.
    with freeze_time(test_rounds.opening(1), tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
        deliver(engine, gateway)
    (post,) = intro_posts(fake_slack)
    assert _users(fake_slack, post) == ["U1", "U2"]


# Someone who leaves while their group's conversation is being opened ahead: the group DM's ID (which says
# who was in it) isn't written back after erasure cleared it.
def test_a_conversation_opened_ahead_for_someone_leaving_meanwhile_is_not_kept(engine, fake_slack, gateway):
    for user, org in (("U1", "Acme"), ("U2", "Beta")):
        join(engine, fake_slack, user, org)
    start = OPENS - _window(engine)
    with freeze_time(start, tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
        real_open = gateway.open_conversation

        def open_while_leaving(users):
            channel = real_open(users)
            with session_scope(engine) as session:  # U1 leaves while Slack answers
                membership.leave(session, TEAM, "U1")
            return channel

        gateway.open_conversation = open_while_leaving
        opening_window.open_ahead(engine, TEAM, gateway, pace=0)
        gateway.open_conversation = real_open
    _open(engine, gateway)
    with session_scope(engine) as session:
        old = fake_slack.conversation_id("U1", "U2")
        left_in = [r.key for r in session.exec(select(Outbox)) if r.channel_id == old]
    assert left_in == []


# Someone first in line (left out last round) who skips in the window keeps their place.
def test_someone_first_in_line_who_skips_in_the_window_is_still_first_next_time(engine, fake_slack, gateway):
    for user, org in (("U1", "Acme"), ("U2", "Beta")):
        join(engine, fake_slack, user, org)
    with session_scope(engine) as session:
        member_store.set_priority(session, [member_store.get_member(session, TEAM, "U1")], True)
    start = OPENS - _window(engine)
    with freeze_time(start, tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
    with freeze_time(OPENS - timedelta(seconds=20)), session_scope(engine) as session:
        membership.skip_round(session, TEAM, "U1", "2026-12")
    _open(engine, gateway)
    assert member(engine, "U1").priority


# A trio where two withdraw: the one left is looked after.
def test_a_trio_where_two_withdraw_leaves_the_third_looked_after(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"))
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, "U1")
        membership.skip_next(session, TEAM, "U2")
    _open(engine, gateway)
    assert intro_posts(fake_slack) == []
    assert list(_unmatched_reasons(fake_slack)) == ["U3"]
    with session_scope(engine) as session:
        assert session.exec(select(GroupMember).join(Group).where(Group.status != "ended")).all() == []


# Two processes at the opening time: the round opens once.
def test_two_processes_at_the_opening_open_the_matched_round_once(db_url, fake_slack, gateway):
    import threading

    from storage.db import make_engine

    engine = make_engine(db_url)
    _match_ahead(engine, fake_slack, gateway, *((f"U{i}", f"Org{i}") for i in range(10)))
    (_, (a, b)), *_ = groups(engine)
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, a)
    engines = [make_engine(db_url) for _ in range(2)]
    barrier, results = threading.Barrier(2), []

    def race(e):
        barrier.wait()
        results.append(rounds.open_round(e, TEAM, OPENS + timedelta(seconds=1)).reason)

    threads = [threading.Thread(target=race, args=(e,)) for e in engines]
    with freeze_time(OPENS + timedelta(seconds=1), tick=True):
        [t.start() for t in threads]
        [t.join(60) for t in threads]
    assert results.count("opened") == 1 and len(results) == 2, results  # the other: round_running or delivering
    with session_scope(engine) as session:
        unmatched = session.exec(select(Outbox).where(Outbox.kind == "unmatched")).all()
        intros = session.exec(select(Outbox).where(Outbox.kind == "intro")).all()
    assert len(unmatched) + len(intros) == 5 + (1 if unmatched else 0)
    for e in (*engines, engine):
        e.dispose()


# Delivery's lanes side by side on one SQLite file: opens, posts and edits at once, none failed.
def test_lanes_side_by_side_on_sqlite_fail_nothing(sqlite_engine, fake_slack, gateway):
    engine = sqlite_engine
    for i in range(41):
        join(engine, fake_slack, f"U{i:02}", f"Org{i}")
    with freeze_time(OPENS - timedelta(days=20), tick=True):
        assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
        deliver(engine, gateway)
        assert rounds.run_phase(engine, TEAM, "close", by_hand=True).result == "done"  # 20 edits queued
        with session_scope(engine) as session:
            for i in range(0, 41, 2):
                membership.pause(session, TEAM, f"U{i:02}")
            for i in range(0, 41, 2):
                membership.resume(session, TEAM, f"U{i:02}")
        assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"  # 20 intros + 1 unmatched
        report = deliver(engine, gateway)
    with session_scope(engine) as session:
        bad = [(r.key, r.error) for r in session.exec(select(Outbox)) if r.state != "sent"]
    assert bad == [] and report.failed == 0, (bad, report)


# A 429 while opening ahead, with the clock's own gateway (it doesn't wait rate limits out itself).
def test_a_429_while_opening_ahead_is_waited_out_and_the_conversation_still_opened(engine, fake_slack):
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from tests.conftest import BOT_TOKEN

    clock_gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url),
                                             wait_out_rate_limits=False))
    team = TEAM
    for user, org in (("U1", "Acme"), ("U2", "Beta")):
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS - _window(engine), tick=True):
        assert rounds.run_due(engine, team) == ["match_ahead"]
    fake_slack.fail_next("conversations.open", retry_after=1, times=2)
    with freeze_time(OPENS - timedelta(seconds=30), tick=True):
        opened = opening_window.open_ahead(engine, team, clock_gateway, budget=30)
    assert opened == 1


# The default monthly schedule can close a round at the very moment the next one opens (7 Dec + 28 days
# = 4 Jan, the first Monday; weekly rounds always do): the round before closes as the window begins,
# so the next one is still matched ahead.
def test_the_round_after_a_round_closing_at_its_opening_is_still_matched_ahead(engine, fake_slack, gateway):
    for i in range(4):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    with freeze_time(OPENS, tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
    january = test_rounds.opening(1)
    with session_scope(engine) as session:
        assert round_store.running_round(session, TEAM).closes_at == january
    for day in range(1, 28):  # the round's phases on the way
        with freeze_time(OPENS + timedelta(days=day)):
            rounds.run_due(engine, TEAM)
    with freeze_time(january - timedelta(seconds=30), tick=True):
        assert "match_ahead" in rounds.run_due(engine, TEAM)


# Two left alone and paired together are neither of them put first in line as if left out.
def test_the_second_of_two_paired_together_is_not_also_treated_as_left_out(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))
    (_, (a, b)), (_, (c, d)) = groups(engine)
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, a)
        membership.skip_next(session, TEAM, c)
    _open(engine, gateway)
    assert _live_groups_of(engine, b) and _live_groups_of(engine, d)
    assert (member(engine, b).priority, member(engine, d).priority) == (False, False)


# Outside the window too: someone already picked as a fresh partner who then clicks "find me someone new"
# on their own partner-left note keeps the match they have, and isn't given a second.
def test_someone_already_rematched_who_asks_for_someone_new_is_not_given_a_second_group(engine, fake_slack, gateway):
    from scheduler import departures

    for user, org in (("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta")):
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS, tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
        deliver(engine, gateway)
        (g1, (a, x)), (g2, (b, y)) = groups(engine)
        with session_scope(engine) as session:
            membership.leave(session, TEAM, x)
            membership.leave(session, TEAM, y)
        join(engine, fake_slack, "U9", member(engine, b).organisation)  # free, but not for b
        with session_scope(engine) as session:
            first = departures.after_partner_left(session, TEAM, b, g2.id, rematch_now=True)
        assert first.new_group_id is not None  # b is given a (the only one free to b)
        with session_scope(engine) as session:
            departures.after_partner_left(session, TEAM, a, g1.id, rematch_now=True)
    assert len(_live_groups_of(engine, a)) == 1, groups(engine)


# More ways plans change in the window.
def test_both_of_a_pair_pausing_in_the_window_hear_nothing(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, "U1")
        membership.pause(session, TEAM, "U2")
    _open(engine, gateway)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_the_rounds_unmatched_member_pausing_in_the_window_hears_nothing(engine, fake_slack, gateway):
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, TEAM)
        change_schedule(session, TEAM, odd="sit_out")
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"))
    (_, pair), = groups(engine)
    (odd,) = {"U1", "U2", "U3"} - set(pair)
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, odd)
    _open(engine, gateway)
    assert _unmatched_reasons(fake_slack) == {} and len(intro_posts(fake_slack)) == 1


def test_open_ahead_racing_a_bring_forward_never_keeps_the_old_conversation(engine, fake_slack, gateway):
    for user, org in (("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")):
        join(engine, fake_slack, user, org)
    with freeze_time(OPENS - _window(engine), tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
        real_open = gateway.open_conversation

        def open_while_opening(users):
            channel = real_open(users)
            with session_scope(engine) as session:
                membership.pause(session, TEAM, "U3")
            assert rounds.open_round(engine, TEAM, manual=True).reason == "brought_forward"
            return channel

        gateway.open_conversation = open_while_opening
        assert opening_window.open_ahead(engine, TEAM, gateway, pace=0) == 0
        gateway.open_conversation = real_open
        deliver(engine, gateway)
    (post,) = intro_posts(fake_slack)
    assert _users(fake_slack, post) == ["U1", "U2"]


# An organiser opening by hand just after the opening time, before the clock got there: the round opens,
# and App Home and the command line say so.
def test_opening_by_hand_just_after_the_opening_time_answers_the_organiser(engine, fake_slack, gateway):
    from bot.blocks import organisers as organiser_blocks

    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS + timedelta(seconds=10), tick=True):
        outcome = rounds.open_round(engine, TEAM, manual=True)
    assert outcome.reason == "brought_forward"
    reply = organiser_blocks.round_opened_message(outcome)
    assert "Round 1" in reply["text"]


def test_round_open_on_the_command_line_just_after_the_opening_time(sqlite_url, fake_slack, gateway, monkeypatch):
    from click.testing import CliRunner

    from bot.cli import cli
    from storage.db import make_engine
    from tests.botprocess import bot_env

    engine = make_engine(sqlite_url)
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    for k, v in bot_env(sqlite_url, fake_slack.api_url).items():
        monkeypatch.setenv(k, v)
    with freeze_time(OPENS + timedelta(seconds=10), tick=True):
        result = CliRunner().invoke(cli, ["round", "open", "--team", TEAM, "--pace", "0"])
    assert result.exception is None, result.output
    assert len(intro_posts(fake_slack)) == 1
