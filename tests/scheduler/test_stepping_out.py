"""Stepping out, a quiet trio member, and the one left waiting: the hard moments, below HTTP, on both databases.

Personas: ada (Acme) and ben (Beta) are a pair; cy (Gamma) and di (Delta) are a pair; eve (Epsilon)
is free to step in. The trio fixture puts cy, di and eve together instead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.blocks import meetings as meeting_blocks
from bot.blocks import organisers as organiser_blocks
from bot.blocks import sends as send_blocks
from scheduler import meetings, sends, stats
from scheduler.meetings import NUDGE_GRACE, Outcome
from scheduler.quiet_rounds import account_for_round
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.partner_moved_on import PartnerMovedOn
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Member, Outbox, Round
from tests import personas
from tests.personas import ADA, BEN, CY, DI, EVE, OPENS, TEAM, join
from tests.scheduler.test_meetings import group, nudged, pairs  # noqa: F401  (fixtures and helpers)


def _round(session) -> Round:
    return session.exec(select(Round)).one()


def _plan(session, kind: str, member_id: int | None = None):
    """What the outbox's send of this kind (to this member) would say now, or None if it would say nothing."""
    rows = [r for r in session.exec(select(Outbox).where(Outbox.kind == kind))
            if member_id is None or r.member_id == member_id]
    assert len(rows) == 1, (kind, rows)
    return sends.plan(session, rows[0])


def _id(session, user: str) -> int:
    return member_store.get_member(session, TEAM, user).id


@pytest.fixture
def trio(engine):
    """Round 1 with cy, di and eve in one group (ada and ben join but are matched with nobody)."""
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, CY, DI, EVE))
        with session_scope(engine) as session:
            round_ = personas.december_round(session)
            ids = [_id(session, u) for u in ("UCY", "UDI", "UEVE")]
            made = round_store.add_group(session, round_, ids, [])
            round_store.set_group_fields(session, made, channel_id="GTRIO", intro_ts="1.1")
            return made.id


def test_i_cant_make_this_round_ends_a_pair_kindly_and_looks_after_the_partner(engine, pairs):  # noqa: F811
    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        result = meetings.step_out(session, TEAM, "UADA", pairs["UADA"])
        assert result.outcome is Outcome.done and result.partner_ids == ("UBEN",) and not result.carried_on
        # Ben hears at once, by name and without blame, with a fresh match on offer.
        told = _plan(session, "partner_stepped_out", _id(session, "UBEN"))
        assert told.content.partner_id == "UADA" and told.content.can_rematch and told.channel == "UBEN"
        assert "nothing you did" in send_blocks.render(told.content, None)["text"]
        assert member_store.get_member(session, TEAM, "UBEN").priority is True
        # Ada isn't offered as anyone's fresh match this round.
        assert _id(session, "UADA") in meeting_store.unavailable_in_round(session, _round(session).id)
        # A second click, or any other button of that match, answers about her own situation.
        again = meetings.step_out(session, TEAM, "UADA", pairs["UADA"])
        assert again.outcome is Outcome.stepped_out
        assert meetings.mark_met(session, TEAM, "UADA", pairs["UADA"]).outcome is Outcome.stepped_out
    assert group(engine, pairs["UADA"]).status == "ended"
    with freeze_time(OPENS + timedelta(days=28)), session_scope(engine) as session:
        account_for_round(session, _round(session))
        quiet = {m.slack_user_id: (m.quiet_rounds, m.status) for m in session.exec(select(Member))}
    # Neither is counted quiet: she said so, and nothing was asked of him. Both are in next round as usual.
    assert quiet["UADA"] == (0, "active") and quiet["UBEN"] == (0, "active")


def test_stepping_out_after_meeting_changes_nothing(engine, pairs):  # noqa: F811
    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        meetings.mark_met(session, TEAM, "UCY", pairs["UCY"])
        assert meetings.step_out(session, TEAM, "UDI", pairs["UDI"]).outcome is Outcome.already_met
    assert group(engine, pairs["UCY"]).status == "met"


def test_when_one_of_a_trio_cant_make_it_the_other_two_carry_on_in_a_conversation_of_their_own(engine, trio):
    with freeze_time(OPENS + timedelta(days=3)), session_scope(engine) as session:
        result = meetings.step_out(session, TEAM, "UCY", trio)
        assert result.outcome is Outcome.done and result.carried_on and result.partner_ids == ("UDI", "UEVE")
        # The old intro, which Cy can still see, is settled into a note naming all three.
        moved = _plan(session, "intro_moved")
        assert (moved.channel, moved.update_ts) == ("GTRIO", "1.1")
        assert moved.content.staying == ("UDI", "UEVE") and moved.content.out == ("UCY",)
        # Di and Eve's intro comes again, to the two of them, saying why.
        again = _plan(session, "intro")
        assert again.users == ("UDI", "UEVE") and again.content.why == "carrying_on"
        # Cy's other buttons answer about her own situation, and she isn't anyone's fresh match.
        assert meetings.mark_met(session, TEAM, "UCY", trio).outcome is Outcome.stepped_out
        assert _id(session, "UCY") in meeting_store.unavailable_in_round(session, _round(session).id)
        # Introduced all the same: never matched with Di or Eve again.
        pairs_ = set(round_store.history_pairs(session, TEAM))
        cy, di, eve = (_id(session, u) for u in ("UCY", "UDI", "UEVE"))
        assert {tuple(sorted(p)) for p in [(cy, di), (cy, eve)]} <= pairs_
    assert group(engine, trio).status == "new"


def test_a_quiet_trio_member_is_told_what_their_own_screen_shows(engine, trio):
    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        meetings.ask_reschedule(session, TEAM, "UDI", trio, None, "Next week?")  # Di answers; Cy stays quiet
    nudged(engine, ("UEVE", trio))
    with freeze_time(OPENS + timedelta(days=9, minutes=2)), session_scope(engine) as session:
        result = meetings.report_silence(session, TEAM, "UEVE", trio)
        assert result.carried_on and result.partner_ids == ("UDI",) and result.out_ids == ("UCY",)
        told = _plan(session, "partner_moved_on", _id(session, "UCY"))
        assert told.content.carried_on and told.content.partner_ids == ("UDI", "UEVE")
        text = send_blocks.render(told.content, None)["text"]
        assert "carrying on as a pair" in text and "couldn't find each other" not in text
        moved = _plan(session, "intro_moved")
        assert moved.content.staying == ("UDI", "UEVE") and moved.content.out == ("UCY",)
        # Whatever Cy clicks later is answered about Cy, never "someone else's match".
        for click in (meetings.mark_met, meetings.report_silence, meetings.step_out):
            assert click(session, TEAM, "UCY", trio).outcome is Outcome.stepped_out


def test_a_week_in_each_person_is_asked_privately_and_the_intro_never_changes_for_it(engine, pairs):  # noqa: F811
    from scheduler import rounds

    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        meetings.mark_scheduled(session, TEAM, "UCY", pairs["UCY"], None)  # cy and di have a time
    assert rounds.offer_no_reply(engine, TEAM, OPENS + timedelta(days=6)) == 0
    assert rounds.offer_no_reply(engine, TEAM, OPENS + timedelta(days=7, minutes=1)) == 2  # ada and ben only
    with session_scope(engine) as session:
        checks = session.exec(select(Outbox).where(Outbox.kind == "waiting_check")).all()
        ids = {_id(session, u): u for u in ("UADA", "UBEN")}
        # Each is a DM to one person; nothing is queued that would edit the intro they share.
        planned = {ids[row.member_id]: sends.plan(session, row) for row in checks}
        assert {u: p.channel for u, p in planned.items()} == {"UADA": "UADA", "UBEN": "UBEN"}
        assert planned["UADA"].content.partner_ids == ("UBEN",)
        edits = session.exec(select(Outbox).where(Outbox.kind == "intro_update")).all()
        assert [row.group_id for row in edits] == [pairs["UCY"]]  # only cy's "scheduled", nothing for the wait
    with freeze_time(OPENS + timedelta(days=7, minutes=2)), session_scope(engine) as session:
        meetings.mark_scheduled(session, TEAM, "UBEN", pairs["UBEN"], None)
        assert [sends.plan(session, row) for row in checks] == [None, None]  # found a time before it went


def test_the_one_waiting_is_told_when_the_time_is_up_and_offered_only_what_can_still_happen(engine, pairs):  # noqa: F811,E501
    nudged(engine, ("UADA", pairs["UADA"]), ("UCY", pairs["UCY"]))
    with session_scope(engine) as session:
        rows = {r.member_id: r for r in session.exec(select(Outbox).where(Outbox.kind == "wait_over"))}
        ada, cy = _id(session, "UADA"), _id(session, "UCY")
        assert set(rows) == {ada, cy}
        assert rows[ada].not_before == OPENS + timedelta(days=7, minutes=1) + NUDGE_GRACE
        over = sends.plan(session, rows[ada])
        assert over.channel == "UADA" and over.content.quiet_ids == ("UBEN",) and over.content.can_rematch
    with freeze_time(OPENS + timedelta(days=9, hours=1)), session_scope(engine) as session:
        meetings.mark_scheduled(session, TEAM, "UDI", pairs["UDI"], None)  # di answered meanwhile
        assert sends.plan(session, rows[cy]) is None  # nothing to tell cy: they're in touch
        # Past the follow-up, a fresh match won't fit: only first place next round is offered.
        round_ = _round(session)
        round_.state = "following_up"
        session.add(round_)
        session.flush()
        late = sends.plan(session, session.get(Outbox, rows[ada].id))
        assert late.content.can_rematch is False
        message = send_blocks.render(late.content, None)
        assert "no_reply_rematch" not in str(message["blocks"]) and "no_reply_sit_out" in str(message["blocks"])
        choice = meetings.report_silence(session, TEAM, "UADA", pairs["UADA"])
        assert choice.outcome is Outcome.done and choice.too_late_to_rematch
    assert "no_reply_rematch" not in str(meeting_blocks.no_reply_choice(1, can_rematch=False)["blocks"])


def test_the_quiet_partner_never_reads_two_messages_that_disagree(engine, pairs):  # noqa: F811
    """The lighter follow-up says "you'll be matched again next round"; the closed-early note says the same."""
    nudged(engine, ("UADA", pairs["UADA"]), day=19)
    with session_scope(engine) as session:
        round_ = _round(session)
        round_.state = "following_up"
        session.add(round_)
    with freeze_time(OPENS + timedelta(days=22)), session_scope(engine) as session:
        meetings.partner_silent(session, TEAM, "UADA", pairs["UADA"], rematch_now=False)
        moved = _plan(session, "partner_moved_on", _id(session, "UBEN")).content
    follow_up = send_blocks.render(FollowUpAsk(pairs["UADA"], 1, ("UADA",), met=False), None)["text"]
    closed = send_blocks.render(moved, None)["text"]
    assert "matched again next round" in follow_up and "matched again then" in closed
    assert "shall I match you" not in closed and "?" not in closed
    assert isinstance(moved, PartnerMovedOn) and not moved.carried_on


def test_weve_met_after_the_follow_up_has_gone_promises_no_other_follow_up(engine, pairs):  # noqa: F811
    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        early = meetings.mark_met(session, TEAM, "UADA", pairs["UADA"])
    assert early.outcome is Outcome.done and not early.too_late_to_rematch
    assert "Near the end of the round" in meeting_blocks.met_reply(False, early.too_late_to_rematch)["text"]
    with session_scope(engine) as session:
        round_ = _round(session)
        round_.state = "following_up"
        session.add(round_)
    with freeze_time(OPENS + timedelta(days=22)), session_scope(engine) as session:
        late = meetings.mark_met(session, TEAM, "UCY", pairs["UCY"])
    assert late.outcome is Outcome.done and late.too_late_to_rematch
    reply = meeting_blocks.met_reply(False, late.too_late_to_rematch)["text"]
    assert "Near the end of the round" not in reply and "the follow-up I sent you" in reply


GUS, HAL = personas.Persona("UGUS", "Gus", "Eta"), personas.Persona("UHAL", "Hal", "Theta")


def test_organisers_count_a_trio_that_carried_on_as_a_pair_by_what_the_two_said(engine):
    """Cy steps out of a trio and Di and Eve meet; Fay stays quiet in a trio and Ada and Ben, left
    as a pair, say no more; Gus steps out of his pair with Hal. Only Gus's pair said they didn't meet."""
    with freeze_time(OPENS):
        join(engine, (ADA, BEN, CY, DI, EVE, personas.FAY, GUS, HAL))
        with session_scope(engine) as session:
            round_ = personas.december_round(session)
            made = {}
            for users in (("UCY", "UDI", "UEVE"), ("UADA", "UBEN", "UFAY"), ("UGUS", "UHAL")):
                made[users[0]] = round_store.add_group(session, round_, [_id(session, u) for u in users], []).id
    with freeze_time(OPENS + timedelta(days=2)), session_scope(engine) as session:
        assert meetings.step_out(session, TEAM, "UCY", made["UCY"]).carried_on
        assert meetings.mark_met(session, TEAM, "UDI", made["UCY"]).outcome is Outcome.done
        meetings.ask_reschedule(session, TEAM, "UADA", made["UADA"], None, "Next week?")  # Fay stays quiet
        assert meetings.step_out(session, TEAM, "UGUS", made["UGUS"]).outcome is Outcome.done
    nudged(engine, ("UBEN", made["UADA"]))
    with freeze_time(OPENS + timedelta(days=9, minutes=2)), session_scope(engine) as session:
        assert meetings.report_silence(session, TEAM, "UBEN", made["UADA"]).carried_on
    with freeze_time(OPENS + timedelta(days=10)), session_scope(engine) as session:
        (latest,) = stats.round_stats(session, TEAM)
    assert (latest.groups, latest.met, latest.didnt_meet, latest.not_told) == (3, 1, 1, 1)
    assert latest.heard_nothing_back == 0  # Ben heard nothing from Fay, but he and Ada carry on
    shown = str(organiser_blocks.stats_blocks([latest], [], ""))
    assert "*Said they didn't meet*\\n1 (33%)" in shown and "hearing nothing back" not in shown
