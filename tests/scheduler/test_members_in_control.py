"""Members in control, below Slack: a private "don't pair me with" list, and pausing until a chosen day.

Personas: ada (Acme, London), ben (Beta, New York), cy (Gamma, London). Only ada keeps a list.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import avoid, delivery, membership, rematch, rounds
from scheduler.inputs import InputError
from scheduler.membership import Change
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Avoid, Outbox
from tests.conftest import BOT_TOKEN
from tests.personas import MEMBERS, OPENS, TEAM, introduce, join

UTC = timezone.utc
PEOPLE = MEMBERS[:3]  # ada, ben, cy


def _groups(engine, outcome):
    return sorted(tuple(sorted(m.slack_user_id for m in group)) for group in outcome.plan.groups)


@pytest.mark.parametrize("who_asks, who_is_avoided", [("UADA", "UBEN"), ("UBEN", "UADA")])
def test_an_avoided_pair_is_never_matched_whoever_asked(engine, who_asks, who_is_avoided):
    join(engine, PEOPLE[:2])
    with freeze_time(OPENS - timedelta(days=1)):
        assert rounds.preview(engine, TEAM).plan.groups  # without the rule, they would meet
        with session_scope(engine) as session:
            assert avoid.avoid(session, TEAM, who_asks, who_is_avoided) is avoid.AvoidChange.done
        assert rounds.preview(engine, TEAM).plan.groups == []
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert outcome.reason == "opened" and outcome.plan.groups == []


def test_the_rule_holds_for_someone_avoided_before_they_joined(engine):
    join(engine, PEOPLE[:1])
    with session_scope(engine) as session:
        assert avoid.avoid(session, TEAM, "UADA", "UBEN") is avoid.AvoidChange.done
    join(engine, PEOPLE[1:])
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert ("UADA", "UBEN") not in _groups(engine, outcome) and outcome.plan.groups


def test_a_fresh_match_mid_round_never_offers_someone_on_either_list(engine):
    join(engine, PEOPLE)
    with session_scope(engine) as session:
        avoid.avoid(session, TEAM, "UBEN", "UADA")  # ben's list, not ada's
    with freeze_time(OPENS, tick=True):
        with session_scope(engine) as session:
            for user in ("UBEN", "UCY"):  # both busy: only ben is free for ada, and he's ruled out
                member_store.set_status(
                    session, member_store.get_member(session, TEAM, user), membership.MemberStatus.paused
                )
        assert rounds.open_round(engine, TEAM).reason == "opened"
        with session_scope(engine) as session:
            member_store.set_status(
                session, member_store.get_member(session, TEAM, "UBEN"), membership.MemberStatus.active
            )
            round_ = round_store.running_round(session, TEAM)
            assert rematch.find_new_partner(session, round_, member_store.get_member(session, TEAM, "UADA")) is None


def test_the_list_is_the_members_own_and_says_what_changed(engine):
    join(engine, PEOPLE)
    with session_scope(engine) as session:
        assert avoid.avoid(session, TEAM, "UADA", "UADA") is avoid.AvoidChange.yourself
        assert avoid.avoid(session, TEAM, "UADA", "UBEN") is avoid.AvoidChange.done
        assert avoid.avoid(session, TEAM, "UADA", "UBEN") is avoid.AvoidChange.already
        assert avoid.avoid(session, TEAM, "UNOBODY", "UBEN") is avoid.AvoidChange.not_member
        assert avoid.listed(session, TEAM, "UADA") == ["UBEN"]
        assert avoid.listed(session, TEAM, "UBEN") == []  # ben's own list knows nothing of ada's
        assert avoid.unavoid(session, TEAM, "UADA", "UBEN") is avoid.AvoidChange.done
        assert avoid.unavoid(session, TEAM, "UADA", "UBEN") is avoid.AvoidChange.already
        assert avoid.listed(session, TEAM, "UADA") == []


def test_a_list_has_room_for_fifty(engine):
    join(engine, PEOPLE[:1])
    with session_scope(engine) as session:
        for i in range(avoid.LIST_MAX):
            assert avoid.avoid(session, TEAM, "UADA", f"U{i:04d}") is avoid.AvoidChange.done
        assert avoid.avoid(session, TEAM, "UADA", "UONEMORE") is avoid.AvoidChange.full


@pytest.mark.parametrize("leaver", ["UADA", "UBEN"])
def test_avoid_rows_go_when_either_person_leaves(engine, leaver):
    join(engine, PEOPLE)
    with session_scope(engine) as session:
        avoid.avoid(session, TEAM, "UADA", "UBEN")
        avoid.avoid(session, TEAM, "UCY", "UBEN")
        avoid.avoid(session, TEAM, "UCY", "UADA")
    with session_scope(engine) as session:
        assert membership.leave(session, TEAM, leaver) is Change.done
    with session_scope(engine) as session:
        left = {(r.member_id, r.avoided_user_id) for r in session.exec(select(Avoid))}
        ids = {u: member_store.get_member(session, TEAM, u) for u in ("UADA", "UBEN", "UCY")}
        assert all(leaver != user for _, user in left)
        assert all(ids[leaver] is None or mid != ids[leaver].id for mid, _ in left)
        stays = "UBEN" if leaver == "UADA" else "UADA"
        assert (ids["UCY"].id, stays) in left  # other people's lists keep everyone else


def test_pausing_until_a_day_resumes_that_morning_in_their_own_time_and_welcomes_them_back_once(engine, fake_slack):
    join(engine, PEOPLE)
    with freeze_time(datetime(2026, 12, 10, 12, 0, tzinfo=UTC)):
        with session_scope(engine) as session:
            change, until = membership.pause_until(session, TEAM, "UBEN", date(2027, 3, 1), "Europe/London")
        assert change is Change.done
        # Nine in the morning in New York, where ben is.
        assert until == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
        assert member_store_status(engine, "UBEN") == ("paused", until)
    with freeze_time(until - timedelta(minutes=1)):
        assert "welcome_back" not in rounds.run_due(engine, TEAM)
        assert member_store_status(engine, "UBEN")[0] == "paused"
    with freeze_time(until + timedelta(minutes=1)):
        assert "welcome_back" in rounds.run_due(engine, TEAM)
        assert "welcome_back" not in rounds.run_due(engine, TEAM)
        introduce(fake_slack, PEOPLE)
        gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))
        assert delivery.deliver(engine, TEAM, gateway, pace=0).failed == 0
    welcomes = [c.args for c in fake_slack.calls_to("chat.postMessage") if c.args["text"].startswith("Welcome back")]
    assert [w["channel"] for w in welcomes] == ["UBEN"]
    assert member_store_status(engine, "UBEN") == ("active", None)
    with session_scope(engine) as session:
        sends = session.exec(select(Outbox).where(Outbox.kind == "welcome_back")).all()
        assert [s.member_id for s in sends] == [member_store.get_member(session, TEAM, "UBEN").id]


def member_store_status(engine, user):
    with session_scope(engine) as session:
        member = member_store.get_member(session, TEAM, user)
        return member.status, member.paused_until


def test_a_plain_pause_or_resume_forgets_the_day(engine):
    join(engine, PEOPLE)
    with freeze_time(datetime(2026, 12, 10, 12, 0, tzinfo=UTC)):
        with session_scope(engine) as session:
            membership.pause_until(session, TEAM, "UADA", date(2027, 3, 1), "Europe/London")
            membership.resume(session, TEAM, "UADA")
        assert member_store_status(engine, "UADA") == ("active", None)
        with session_scope(engine) as session:
            membership.pause_until(session, TEAM, "UADA", date(2027, 3, 1), "Europe/London")
            membership.pause(session, TEAM, "UADA")
        assert member_store_status(engine, "UADA") == ("paused", None)  # open-ended now: no surprise return


def test_a_day_in_the_past_or_years_away_is_refused_kindly(engine):
    join(engine, PEOPLE)
    with freeze_time(datetime(2026, 12, 10, 12, 0, tzinfo=UTC)):
        with session_scope(engine) as session:
            with pytest.raises(InputError, match="already come"):
                membership.pause_until(session, TEAM, "UADA", date(2026, 12, 10), "Europe/London")
            with pytest.raises(InputError, match="two years"):
                membership.pause_until(session, TEAM, "UADA", date(2030, 1, 1), "Europe/London")
        assert member_store_status(engine, "UADA") == ("active", None)
