"""The opening window: a scheduled round is matched and its conversations opened before its time,
and every intro goes at the opening; whoever withdraws in between gets none, and their partner
is looked after. On both databases, against the spec-checked stand-in."""

from __future__ import annotations

import uuid
from datetime import timedelta

from freezegun import freeze_time

from scheduler import delivery, membership, opening_window, pacing, rounds
from scheduler.sends.intro import intro_for
from storage import members as member_store
from storage import outbox
from storage.db import session_scope
from storage.models import Member, MemberStatus, Outbox, RoundState
from tests import personas, said
from tests.personas import OPENS, TEAM
from tests.scheduler import test_rounds
from tests.scheduler.test_rounds import deliver, groups, intro_posts, join, member

gateway = test_rounds.gateway  # the fixture: the client the app itself builds


def _window(engine) -> timedelta:
    with session_scope(engine) as session:
        return opening_window.window(session, TEAM)


def _match_ahead(engine, fake_slack, gateway, *people) -> None:
    """Join `people` (user, organisation), then let the clock reach the window: matched, conversations opened."""
    for user, organisation in people:
        join(engine, fake_slack, user, organisation)
    start = OPENS - _window(engine)
    with freeze_time(start - timedelta(seconds=1)):
        assert "match_ahead" not in rounds.run_due(engine, TEAM)  # not yet
    with freeze_time(start, tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
        assert opening_window.open_ahead(engine, TEAM, gateway, pace=0) == len(groups(engine))


def _open(engine, gateway):
    with freeze_time(OPENS, tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
        return deliver(engine, gateway)


def _users(fake_slack, post) -> list[str]:
    """Who is in the conversation a post went to."""
    return sorted(next(c.args["users"].split(",") for c in fake_slack.calls_to("conversations.open")
                       if fake_slack.conversation_id(*c.args["users"].split(",")) == post.args["channel"]))


def _group_users(engine, group_id) -> list[str]:
    return next(users for group, users in groups(engine) if group.id == group_id)


def _unmatched_reasons(fake_slack) -> dict[str, str]:
    return {c.args["channel"]: c.args["text"] for c in fake_slack.calls_to("chat.postMessage")
            if said.kind_of(c.args) == "unmatched"}


def test_a_scheduled_round_is_matched_ahead_and_every_intro_lands_at_the_opening_time(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))
    with freeze_time(OPENS - timedelta(seconds=5), tick=True):
        # Conversations open, nothing said: nobody hears of their match before the time...
        assert deliver(engine, gateway).sent == 0
        assert fake_slack.calls_to("chat.postMessage") == []
        with session_scope(engine) as session:
            assert membership.status(session, TEAM, "U1", OPENS).partner_user_ids == ()  # ...nor sees it on Home
        assert rounds.open_round(engine, TEAM).reason == "matched"
        assert opening_window.open_ahead(engine, TEAM, gateway, pace=0) == 0  # each opened once
    opened = len(fake_slack.calls_to("conversations.open"))
    assert opened == 2
    report = _open(engine, gateway)
    assert report.sent == 2 and len(intro_posts(fake_slack)) == 2
    assert len(fake_slack.calls_to("conversations.open")) == opened  # at the time, only posting
    for group, users in groups(engine):
        assert len(fake_slack.messages(fake_slack.conversation_id(*users))) == 1
        assert group.intro_ts is not None
    with session_scope(engine) as session:
        assert membership.status(session, TEAM, "U1", OPENS).partner_user_ids != ()


def test_members_who_pause_or_skip_before_the_opening_get_no_intro_and_those_left_are_paired(
        engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"), ("U4", "Delta"))
    (first, (a, b)), (second, (c, d)) = groups(engine)
    with freeze_time(OPENS - timedelta(seconds=30)):
        with session_scope(engine) as session:
            membership.pause(session, TEAM, a)
            # The heads-up's button for this very round: it hasn't opened, so it still takes them out.
            change, opened = membership.skip_round(session, TEAM, c, "2026-12")
        assert (change, opened) == (membership.Change.done, membership.HeadsUpRound.upcoming)
    _open(engine, gateway)
    # The two whose partners withdrew are introduced to each other, in a conversation of their own.
    assert [_users(fake_slack, p) for p in intro_posts(fake_slack)] == [sorted([b, d])]
    for users in ([a, b], [c, d]):
        assert fake_slack.messages(fake_slack.conversation_id(*users)) == []  # opened ahead, never used
    assert not any(a in users or c in users for group, users in groups(engine) if group.status != "ended")
    # The skip was for this round only: back for the next; the pause stays until they resume.
    assert member(engine, c).status == MemberStatus.active.value
    assert member(engine, a).status == MemberStatus.paused.value
    assert _unmatched_reasons(fake_slack) == {}


def test_a_partner_who_leaves_before_the_opening_is_never_introduced_and_the_one_left_is_told_kindly(
        engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=30)):
        with session_scope(engine) as session:
            membership.leave(session, TEAM, "U1")
        assert deliver(engine, gateway).sent == 0  # nothing said before the time, not even "your partner left"
    _open(engine, gateway)
    assert intro_posts(fake_slack) == []
    (told,) = _unmatched_reasons(fake_slack).items()
    assert told[0] == "U2" and "can't make this round" in told[1]
    assert member(engine, "U2").priority  # first in line next round


def test_a_trio_with_one_who_pauses_before_the_opening_goes_ahead_as_a_pair_without_them(
        engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma"))
    ((_, trio),) = groups(engine)
    assert len(trio) == 3
    with freeze_time(OPENS - timedelta(seconds=30)), session_scope(engine) as session:
        membership.pause(session, TEAM, "U3")
    _open(engine, gateway)
    (post,) = intro_posts(fake_slack)
    # Not into the conversation opened ahead (U3 is in it): a new one, just the two.
    assert post.args["channel"] == fake_slack.conversation_id("U1", "U2")
    assert fake_slack.messages(fake_slack.conversation_id(*trio)) == []


def test_a_crash_at_any_point_of_the_window_resumes_without_a_duplicate(engine, fake_slack, gateway):
    for i in range(6):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    start = OPENS - _window(engine)
    with freeze_time(start, tick=True):
        assert rounds.run_due(engine, TEAM) == ["match_ahead"]
        # Killed straight after matching, and run again: the same round, nothing matched twice.
        assert rounds.run_due(engine, TEAM) == []
        assert len(groups(engine)) == 3
        # Killed part way through opening: the first conversation only.
        assert opening_window.open_ahead(engine, TEAM, gateway, pace=0, budget=-1) == 0
        with session_scope(engine) as session:
            first = personas.sends(session)[0]
        channel = gateway.open_conversation(_group_users(engine, first.group_id))
        with session_scope(engine) as session:
            assert outbox.set_channel_ahead(session, first.id, channel, start)
        assert opening_window.open_ahead(engine, TEAM, gateway, pace=0) == 2  # the rest, not the first again
    with freeze_time(OPENS, tick=True):
        assert rounds.run_due(engine, TEAM) == ["open"]
        # Killed mid-posting: Slack took the first intro, the database never heard.
        with session_scope(engine) as session:
            row = session.get(Outbox, first.id)
            content = intro_for(session, row.group_id)
            gateway.post(row.channel_id, content, delivery.marker_for(row))
            assert outbox.claim(session, row, "elsewhere:1")
    with freeze_time(OPENS + delivery.DEFAULT_LEASE + timedelta(minutes=1), tick=True):
        assert rounds.run_due(engine, TEAM) == []  # opened once
        report = deliver(engine, gateway)
    assert (report.found_already_sent, report.sent) == (1, 2)
    for _, users in groups(engine):
        assert len(fake_slack.messages(fake_slack.conversation_id(*users))) == 1
    assert len(intro_posts(fake_slack)) == 3


def test_opening_by_hand_brings_a_matched_round_forward_and_its_intros_go_at_once(engine, fake_slack, gateway):
    _match_ahead(engine, fake_slack, gateway, ("U1", "Acme"), ("U2", "Beta"))
    with freeze_time(OPENS - timedelta(seconds=30), tick=True):
        # A phase by hand can't skip the opening itself.
        assert rounds.run_phase(engine, TEAM, "nudge", by_hand=True).result == "not_opened"
        outcome = rounds.open_round(engine, TEAM, manual=True)
        assert outcome.reason == "brought_forward" and outcome.round.state == RoundState.open.value
        assert deliver(engine, gateway).sent == 1
        assert rounds.open_round(engine, TEAM, manual=True).reason == "round_running"  # not opened twice
    assert len(intro_posts(fake_slack)) == 1


def test_an_opening_by_hand_posts_as_each_group_is_opened_without_waiting(engine, fake_slack, gateway):
    for i in range(4):
        join(engine, fake_slack, f"U{i}", f"Org{i}")
    with freeze_time(OPENS - timedelta(days=10), tick=True):
        assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
        assert deliver(engine, gateway).sent == 2
    assert len(intro_posts(fake_slack)) == 2


def test_the_window_is_sized_from_the_groups_and_the_pace_measured_so_far(engine):
    team = "TW" + uuid.uuid4().hex[:8].upper()  # a pacer of its own: nothing has called Slack for it yet
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, team)
        session.add_all(Member(team_id=team, slack_user_id=f"U{i:05}", organisation=f"Org {i}",
                               organisation_key=f"org {i}") for i in range(2000))

    def window() -> timedelta:
        with session_scope(engine) as session:
            return opening_window.window(session, team)

    # 1,000 groups at Slack's floor for conversations.open (50 a minute) take 20 minutes: room for more.
    at_the_floor = window()
    assert timedelta(minutes=20) < at_the_floor < timedelta(minutes=30)
    pacer = pacing.for_workspace(team)
    for _ in range(10):
        pacer.succeeded("conversations.open")  # faster and faster, but Slack hasn't said where its limit is
    assert window() == at_the_floor
    pacer.limited("conversations.open", 0.0, 1.0)  # now it has: the pace learned is the pace planned for
    learned = window()
    assert learned == timedelta(seconds=pacing.opening_window(1000, pacer.gap("conversations.open")))
    assert learned < at_the_floor / 2
