"""Suggested times in the intro, one click to agree, and calendar links, below the HTTP layer on both databases.

Personas: ada (Acme, London) and ben (Beta, New York) are a pair; cy (Gamma, London) joins
them as a trio where a test says so.
"""

from __future__ import annotations

import json
import threading
from datetime import time, timedelta
from urllib.parse import parse_qs, unquote_plus, urlparse
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot import ids
from bot.blocks import organisers as organiser_blocks
from bot.blocks import sends as send_blocks
from scheduler import meeting_times, meetings, sends, stats
from scheduler.meetings import Outcome
from scheduler.sends.intro import IntroSend, intro_for
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Group, MeetingEvent, Member, Outbox
from tests import personas
from tests.personas import ADA, BEN, CY, DI, EVE, FAY, OPENS, TEAM, join

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
SOON = OPENS + timedelta(hours=1)  # clicks come the morning the intro lands


def _round_with(engine, users, words=False):
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, CY), words=words)
        with session_scope(engine) as session:
            round_ = personas.december_round(session)
            ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
            group = round_store.add_group(session, round_, [ids[u] for u in users], [])
            round_store.set_group_fields(session, group, channel_id="GPAIR", intro_ts="1.1")
            # As delivery does when the intro first goes out.
            IntroSend(round_id=round_.id, group_id=group.id).plan(session, TEAM)
            return group.id


@pytest.fixture
def pair(engine):
    return _round_with(engine, ["UADA", "UBEN"])


@pytest.fixture
def trio(engine):
    return _round_with(engine, ["UADA", "UBEN", "UCY"])


def _group(engine, group_id) -> Group:
    with session_scope(engine) as session:
        return session.get(Group, group_id)


def _choose(engine, user, group_id, index, at=SOON):
    with freeze_time(at), session_scope(engine) as session:
        return meetings.choose_time(session, TEAM, user, group_id, index)


def _outbox(engine, kind):
    with session_scope(engine) as session:
        return session.exec(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)).all()


def test_the_intro_suggests_three_times_inside_both_working_days_and_keeps_them(engine, pair):
    times = meeting_times.suggestions(_group(engine, pair))
    assert len(times) == 3 and len({t.date() for t in times}) == 3
    for at in times:
        assert OPENS + timedelta(hours=18) <= at <= OPENS + timedelta(days=14)
        london, new_york = at.astimezone(LONDON), (at + timedelta(hours=1)).astimezone(NEW_YORK)
        assert london.time() >= time(9) and new_york.time() <= time(17, 30) and london.weekday() < 5
    # Planned again (a retry, a second process), the intro suggests the very same times, even if
    # someone has since said when they're free: a button always means the time its reader saw.
    with freeze_time(OPENS + timedelta(hours=2)), session_scope(engine) as session:
        member_store.set_usually_free(session, member_store.get_member(session, TEAM, "UADA"), "fri|morning")
        group = session.get(Group, pair)
        plan = IntroSend(round_id=group.round_id, group_id=pair).plan(session, TEAM)
    assert [s.at for s in plan.content.suggestions] == times
    message = send_blocks.intro_message(plan.content)
    buttons = [b["accessory"]["action_id"] for b in message["blocks"] if "accessory" in b]
    assert buttons == ["suggested_time_1", "suggested_time_2", "suggested_time_3"]


def test_suggestions_keep_to_when_a_member_says_they_are_usually_free(engine):
    with freeze_time(OPENS):
        join(engine, (ADA, BEN))
        with session_scope(engine) as session:
            ada = member_store.get_member(session, TEAM, "UADA")
            member_store.set_usually_free(session, ada, "tue,thu|afternoon")
    group_id = _round_with(engine, ["UADA", "UBEN"])
    times = meeting_times.suggestions(_group(engine, group_id))
    assert len(times) == 3
    for at in times:
        london = at.astimezone(LONDON)
        assert london.weekday() in (1, 3) and london.time() >= time(12)


def test_a_pair_is_scheduled_with_one_click_each_and_each_gets_a_reminder_and_calendar_links(engine, pair):
    first = _choose(engine, "UADA", pair, 1)
    assert first.outcome is Outcome.noted and first.send_now  # the intro is edited to show ada's choice
    with freeze_time(SOON), session_scope(engine) as session:
        shown = intro_for(session, pair)
    assert [s.chosen_by for s in shown.suggestions] == [(), ("UADA",), ()]
    assert "<@UADA> can do this." in str(send_blocks.intro_message(shown)["blocks"])
    assert _group(engine, pair).status == "new"

    second = _choose(engine, "UBEN", pair, 1)
    chosen = meeting_times.suggestions(_group(engine, pair))[1]
    assert second.outcome is Outcome.done and second.meeting_at == chosen
    group = _group(engine, pair)
    assert (group.status, group.meeting_at) == ("scheduled", chosen)
    assert len(_outbox(engine, "reminder")) == 2
    assert len(_outbox(engine, "calendar_links")) == 2
    with freeze_time(SOON), session_scope(engine) as session:
        shown = intro_for(session, pair)
        kinds = [e.kind for e in meeting_store.events(session, pair)]
    assert shown.status == "scheduled" and shown.meeting_at == chosen
    assert kinds.count("suggestion_agreed") == 1 and kinds.count("scheduled") == 1
    # Suggestions step aside once the time is set; the status line says when.
    assert not any("accessory" in b for b in send_blocks.intro_message(shown)["blocks"])
    # The same click again changes nothing.
    assert _choose(engine, "UBEN", pair, 1).outcome is Outcome.already


def test_different_picks_schedule_nothing_until_everyone_picks_the_same_one(engine, pair):
    assert _choose(engine, "UADA", pair, 0).outcome is Outcome.noted
    assert _choose(engine, "UBEN", pair, 2).outcome is Outcome.noted
    assert _group(engine, pair).status == "new"
    # Ada changes her mind to ben's time: that's everyone.
    assert _choose(engine, "UADA", pair, 2).outcome is Outcome.done
    assert _group(engine, pair).meeting_at == meeting_times.suggestions(_group(engine, pair))[2]


def test_a_trio_is_scheduled_when_all_three_pick_the_same_time(engine, trio):
    assert len(meeting_times.suggestions(_group(engine, trio))) == 3
    assert _choose(engine, "UADA", trio, 0).outcome is Outcome.noted
    assert _choose(engine, "UBEN", trio, 0).outcome is Outcome.noted
    assert _group(engine, trio).status == "new"
    assert _choose(engine, "UCY", trio, 0).outcome is Outcome.done
    assert _group(engine, trio).status == "scheduled"
    assert len(_outbox(engine, "calendar_links")) == 3


def test_a_time_gone_by_or_a_forged_button_schedules_nothing(engine, pair):
    first = meeting_times.suggestions(_group(engine, pair))[0]
    assert _choose(engine, "UADA", pair, 0, at=first + timedelta(minutes=1)).outcome is Outcome.time_passed
    assert _choose(engine, "UADA", pair, 7).outcome is Outcome.not_yours
    assert _choose(engine, "UCY", pair, 0).outcome is Outcome.not_yours
    assert _group(engine, pair).status == "new"


def test_two_people_agreeing_at_the_same_moment_schedule_the_chat_once(engine, pair):
    # Each click reads the others' choices; without holding the group first, two clicks at once
    # each miss the other's and the chat is never scheduled (or, read differently, twice).
    arrived = threading.Barrier(2)
    real = meeting_store.latest_choices
    results, errors = {}, []

    def slow_read(session, group_id):
        try:
            arrived.wait(timeout=2)  # both clicks side by side, if the database lets them be
        except threading.BrokenBarrierError:
            pass
        return real(session, group_id)

    def click(user):
        try:
            with session_scope(engine) as session:
                results[user] = meetings.choose_time(session, TEAM, user, pair, 1)
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)

    meeting_store.latest_choices = slow_read
    try:
        with freeze_time(SOON):
            threads = [threading.Thread(target=click, args=(user,)) for user in ("UADA", "UBEN")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
    finally:
        meeting_store.latest_choices = real
    assert errors == []
    assert sorted(r.outcome.value for r in results.values()) == ["done", "noted"]
    assert _group(engine, pair).status == "scheduled"
    with session_scope(engine) as session:
        agreed = session.exec(select(MeetingEvent).where(MeetingEvent.kind == "suggestion_agreed")).all()
    assert len(agreed) == 1
    assert len(_outbox(engine, "reminder")) == 2 and len(_outbox(engine, "calendar_links")) == 2


def test_calendar_links_carry_the_time_the_partner_and_the_conversation_and_nothing_anyone_wrote(engine):
    group_id = _round_with(engine, ["UADA", "UBEN"], words=True)
    _choose(engine, "UADA", group_id, 0)
    _choose(engine, "UBEN", group_id, 0)
    at = meeting_times.suggestions(_group(engine, group_id))[0]
    with freeze_time(SOON), session_scope(engine) as session:
        rows = {r.member_id: r for r in session.exec(select(Outbox).where(Outbox.kind == "calendar_links"))}
        ada = member_store.get_member(session, TEAM, "UADA")
        plan = sends.plan(session, rows[ada.id])
    assert plan.channel == "UADA" and plan.content.partner_ids == ("UBEN",)
    message = send_blocks.render(plan.content, None)
    urls = [e["url"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    google = parse_qs(urlparse(urls[0]).query)
    assert google["text"] == ["unmentor: an hour with Ben (Beta)"]
    assert google["dates"] == [f"{at:%Y%m%dT%H%M%S}Z/{at + timedelta(hours=1):%Y%m%dT%H%M%S}Z"]
    assert "https://slack.com/app_redirect?team=" in google["details"][0] and "GPAIR" in google["details"][0]
    outlook = parse_qs(urlparse(urls[1]).query)
    assert outlook["subject"] == google["text"] and outlook["startdt"] == [f"{at:%Y-%m-%dT%H:%M:%S}Z"]
    for url in urls:
        for words in (ADA.talk_about, ADA.could_share, BEN.talk_about, BEN.could_share, ADA.role):
            assert words not in unquote_plus(url)


def test_rescheduling_a_scheduled_chat_brings_calendar_links_for_the_new_time_only(engine, pair):
    _choose(engine, "UADA", pair, 0)
    _choose(engine, "UBEN", pair, 0)
    new_time = OPENS + timedelta(days=9, hours=5)  # Wednesday 16 December, 15:00 London
    with freeze_time(SOON), session_scope(engine) as session:
        assert meetings.ask_reschedule(session, TEAM, "UBEN", pair, new_time, "").outcome is Outcome.done
        assert meetings.accept_reschedule(session, TEAM, "UADA", pair).outcome is Outcome.done
    rows = _outbox(engine, "calendar_links")
    assert len(rows) == 4
    with freeze_time(SOON), session_scope(engine) as session:
        plans = [sends.plan(session, row) for row in rows]
    old, new = plans[:2], plans[2:]
    assert old == [None, None]  # the first time's links are dropped, never sent late
    assert {p.content.meeting_at for p in new} == {new_time} and all(p.content.moved for p in new)


def test_organisers_see_how_chats_were_scheduled_as_counts(engine):
    """A suggestion (ada and ben), the form (cy and di), and not at all (eve and fay)."""
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, CY, DI, EVE, FAY))
        with session_scope(engine) as session:
            round_ = personas.december_round(session)
            ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
            made = {}
            for a, b in [("UADA", "UBEN"), ("UCY", "UDI"), ("UEVE", "UFAY")]:
                group = round_store.add_group(session, round_, [ids[a], ids[b]], [])
                IntroSend(round_id=round_.id, group_id=group.id).plan(session, TEAM)
                made[a] = group.id
    _choose(engine, "UADA", made["UADA"], 0)
    _choose(engine, "UBEN", made["UADA"], 0)
    with freeze_time(SOON), session_scope(engine) as session:
        meetings.mark_scheduled(session, TEAM, "UCY", made["UCY"], OPENS + timedelta(days=3))
        (latest,) = stats.round_stats(session, TEAM)
    assert (latest.groups, latest.scheduled) == (3, 2)
    assert (latest.scheduled_by_suggestion, latest.scheduled_by_form, latest.not_scheduled) == (1, 1, 1)
    shown = json.dumps(organiser_blocks.stats_blocks([latest], [], ""), ensure_ascii=False)
    assert "2 (67%): 1 from a suggested time · 1 with a date given when marking it scheduled · 1 not at all" in shown
    assert "UADA" not in shown and "UCY" not in shown  # counts, never people
    assert "by-sugg" in stats.to_table([latest]) and "scheduled_by_suggestion" in stats.to_csv([latest])


SAM = personas.Persona("USAM", "Sam", "Sigma", "Asia/Singapore")
NOOR = personas.Persona("UNOOR", "Noor", "Nu", "Asia/Dubai")


def _trio_carrying_on(engine, third, free=None, picks=()):
    """A trio of ada, ben and `third`, its intro planned as delivery does; after `picks` (user, index),
    `third` steps out and the pair's new intro is planned. The group, the trio's intro as it read
    just before, and the pair's."""
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, third))
        with session_scope(engine) as session:
            if free:
                member_store.set_usually_free(session, member_store.get_member(session, TEAM, third.user_id), free)
    group_id = _round_with(engine, ["UADA", "UBEN", third.user_id])
    for user, index in picks:
        assert _choose(engine, user, group_id, index).outcome is Outcome.noted
    with freeze_time(SOON), session_scope(engine) as session:
        trio_intro = intro_for(session, group_id)
        assert meetings.step_out(session, TEAM, third.user_id, group_id).carried_on
        out = member_store.get_member(session, TEAM, third.user_id).id
        group = session.get(Group, group_id)
        pair_plan = IntroSend(round_id=group.round_id, group_id=group_id, without=(out,)).plan(session, TEAM)
    return group_id, trio_intro, pair_plan.content


def _fits_london_and_new_york(at) -> bool:
    london, new_york = at.astimezone(LONDON), (at + timedelta(hours=1)).astimezone(NEW_YORK)
    return london.time() >= time(9) and new_york.time() <= time(17, 30) and london.weekday() < 5


def test_a_trio_with_no_times_in_common_that_carries_on_as_a_pair_is_suggested_times_that_suit_the_two(engine):
    group_id, trio_intro, pair_intro = _trio_carrying_on(engine, SAM)
    assert trio_intro.suggestions == ()
    assert "hardly overlap" in str(send_blocks.intro_message(trio_intro)["blocks"])
    assert [p.user_id for p in pair_intro.people] == ["UADA", "UBEN"]
    assert len(pair_intro.suggestions) == 3
    assert all(_fits_london_and_new_york(s.at) for s in pair_intro.suggestions)
    shown = str(send_blocks.intro_message(pair_intro)["blocks"])
    assert "hardly overlap" not in shown and "Times that suit you both" in shown
    # Planned again (a retry), the pair's intro suggests the very same times.
    with freeze_time(SOON + timedelta(hours=1)), session_scope(engine) as session:
        again = intro_for(session, group_id)
    assert again.suggestions == pair_intro.suggestions
    assert _choose(engine, "UADA", group_id, 0).outcome is Outcome.noted
    assert _choose(engine, "UBEN", group_id, 0).outcome is Outcome.done
    assert _group(engine, group_id).meeting_at == pair_intro.suggestions[0].at


def test_a_button_on_the_trios_old_intro_still_means_the_time_its_reader_saw(engine):
    """Noor (Dubai) is free only on Tuesday evenings, so the trio has two times; ada picks the
    second, then noor steps out. The pair keeps the trio's times in their places (a time that
    suits three suits two), and gains one of its own in the place the trio's intro had no button for."""
    group_id, trio_intro, pair_intro = _trio_carrying_on(engine, NOOR, free="tue|evening", picks=[("UADA", 1)])
    saw = {s.index: s.at for s in trio_intro.suggestions}
    assert len(saw) == 2
    old_buttons = [ids.parse_suggested_time(b["accessory"]["action_id"])
                   for b in send_blocks.intro_message(trio_intro)["blocks"] if "accessory" in b]
    assert sorted(old_buttons) == [0, 1]
    now_named = dict(enumerate(meeting_times.suggestions(_group(engine, group_id))))
    assert all(now_named[i] == saw[i] for i in old_buttons)
    assert [s.at for s in pair_intro.suggestions] == sorted(now_named.values()) and len(now_named) == 3
    assert all(_fits_london_and_new_york(at) for at in now_named.values())
    # Ada's pick is a time still suggested to the pair, and still hers.
    assert {s.at: s.chosen_by for s in pair_intro.suggestions}[saw[1]] == ("UADA",)
    # Ben presses the second button on the trio's old intro: it schedules the time he saw there.
    assert _choose(engine, "UBEN", group_id, 1).outcome is Outcome.done
    assert _group(engine, group_id).meeting_at == saw[1]
