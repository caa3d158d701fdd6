"""A match made part-way through a round says why, and a failed intro tries a fresh match before giving up
the round; on both databases.

U1..U3 (Acme, Beta, Gamma) have never met, so any two of them may be paired.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import text

from bot import home
from bot.config import Settings
from bot.services import Services
from scheduler import membership, rematch, rounds
from scheduler.departures import Departure, after_partner_left
from scheduler.sends.intro import IntroWhy, intro_for
from scheduler.workspace_schedule import load_schedule, save_schedule
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from tests import said
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.personas import OPENS, TEAM
from tests.scheduler.test_rounds import deliver, gateway, groups, join  # noqa: F401


def _intro_blocks(fake, *users) -> str:
    (intro,) = [c.args for c in fake.calls_to("chat.postMessage")
                if said.kind_of(c.args) == "intro" and c.args["channel"] == fake.conversation_id(*users)]
    return json.dumps(intro["blocks"])


def test_someone_told_there_was_no_match_is_matched_after_all_and_the_intro_says_what_changed(
        engine, fake_slack, gateway):  # noqa: F811
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
        join(engine, fake_slack, user, org)
    with session_scope(engine) as session:
        save_schedule(session, TEAM, replace(load_schedule(session, TEAM), odd="sit_out"))
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    ((first, pair),) = groups(engine)
    (alone,) = {"U1", "U2", "U3"} - set(pair)
    assert said.sends(fake_slack, "unmatched", alone)  # told: no match this round
    staying, leaving = pair
    with freeze_time(OPENS + timedelta(days=3), tick=True):
        with session_scope(engine) as session:
            membership.leave(session, TEAM, leaving, Departure())
        with session_scope(engine) as session:
            result = after_partner_left(session, TEAM, staying, first.id, rematch_now=True)
        deliver(engine, gateway)
    # The one told there was nobody is the fresh match, rather than a round alone for both.
    assert result.new_group_id is not None
    with session_scope(engine) as session:
        fresh = intro_for(session, result.new_group_id)
    assert (fresh.why, fresh.first_group_ended, fresh.told_unmatched) == (IntroWhy.fresh_group, (staying,), (alone,))
    shown = _intro_blocks(fake_slack, staying, alone)
    # The intro is shared: it says the match comes part-way through, and tells nobody's history to the other.
    assert "This match comes part-way through the round, so there's a little less time" in shown
    assert "first match" not in shown and "no match for you" not in shown


def test_a_fresh_group_recorded_by_an_earlier_version_still_says_what_changed(engine, fake_slack, gateway):  # noqa: F811
    for user, org in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
        join(engine, fake_slack, user, org)
    with session_scope(engine) as session:
        save_schedule(session, TEAM, replace(load_schedule(session, TEAM), odd="sit_out"))
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        deliver(engine, gateway)
    ((first, pair),) = groups(engine)
    (alone,) = {"U1", "U2", "U3"} - set(pair)
    with session_scope(engine) as session:
        round_ = round_store.get_round(session, first.round_id)
        ids = [member_store.get_member(session, TEAM, user).id for user in (alone, pair[0])]
        fresh_id = round_store.add_group(session, round_, ids, []).id
    # The event as every version so far has written it, by its stored name.
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO meeting_event (team_id, group_id, kind, note, created_at)"
                                " VALUES (:team, :group_id, 'fresh_match', '', :at)"),
                           {"team": TEAM, "group_id": fresh_id, "at": OPENS.replace(tzinfo=None)})
    with session_scope(engine) as session:
        fresh = intro_for(session, fresh_id)
    assert (fresh.why, fresh.told_unmatched) == (IntroWhy.fresh_group, (alone,))


def test_an_intro_slack_refuses_on_day_one_becomes_a_fresh_match_and_organisers_see_it(
        engine, fake_slack, gateway):  # noqa: F811
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        join(engine, fake_slack, "U3", "Gamma")  # joined just after the round opened: free to step in
        # The intro is refused, even in its safe form: our message's fault, nobody's account.
        fake_slack.fail_next("chat.postMessage", error="invalid_blocks", status=200, times=2)
        deliver(engine, gateway)
        deliver(engine, gateway)
    live = [users for group, users in groups(engine) if group.status != "ended"]
    (fresh,) = live
    assert "U3" in fresh  # one of the two has a fresh match this round
    (rematched,) = set(fresh) - {"U3"}
    (told,) = {"U1", "U2"} - {rematched}
    shown = _intro_blocks(fake_slack, *fresh)
    assert "This match comes part-way through the round" in shown and "first match" not in shown
    # Nobody was free for the other: told what happened as it is, and first next round.
    (note,) = said.sends(fake_slack, "intro_failed", told)
    assert "went wrong on my side" in note["text"] and "can't be reached" not in note["text"]
    with session_scope(engine) as session:
        assert member_store.get_member(session, TEAM, told).priority
        assert rematch.failed_intros(session, TEAM) == rematch.FailedIntros(1, 1, 2, 1)
    # Organisers read it at the top of their App Home, in counts.
    services = Services(Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET), engine, None)
    shown = json.dumps(home.organiser_part(services, TEAM))
    assert "Slack wouldn't take an intro" in shown and "1 of the 2 people in it has a fresh match" in shown
    assert "U1" not in shown and "U2" not in shown and "U3" not in shown


def test_someone_whose_fresh_match_fails_too_is_told_rather_than_tried_again(engine, fake_slack, gateway):  # noqa: F811
    join(engine, fake_slack, "U1", "Acme")
    join(engine, fake_slack, "U2", "Beta")
    with freeze_time(OPENS, tick=True):
        rounds.open_round(engine, TEAM)
        join(engine, fake_slack, "U3", "Gamma")
        fake_slack.fail_next("chat.postMessage", error="invalid_blocks", status=200, times=2)
        deliver(engine, gateway)
        ((fresh, users),) = [(g, u) for g, u in groups(engine) if g.status != "ended"]
        (rematched,) = set(users) - {"U3"}
        # That intro is refused for good as well: its second failure in a round, so no third try for
        # the one rematched; U3's first match, so U3 may still meet the one nobody had been found for.
        with session_scope(engine) as session:
            rematch.after_failed_intro(session, fresh.id, lambda _user: True)
    with session_scope(engine) as session:
        mine = member_store.get_member(session, TEAM, rematched)
        assert mine.priority and member_store.get_member(session, TEAM, "U3").priority is False
        assert rematch.failed_intros(session, TEAM).intros == 2
    ((again, users),) = [(g, u) for g, u in groups(engine) if g.status != "ended"]
    (other,) = {"U1", "U2"} - {rematched}
    assert sorted(users) == sorted([other, "U3"])
    with freeze_time(OPENS, tick=True):
        deliver(engine, gateway)
    # The other heard "no match this round" only if that note had already gone, and then the intro says
    # what changed; a note still waiting was taken back instead. Never two messages that disagree.
    noted = said.sends(fake_slack, "intro_failed", other)
    with session_scope(engine) as session:
        assert intro_for(session, again.id).told_unmatched == ((other,) if noted else ())
