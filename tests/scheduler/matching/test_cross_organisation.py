"""The cross-organisation rate organisers see is counted from the groups as made, not assumed.

Personas: ada (Acme), ben (Beta), cy (Gamma), dee (" ACME ", so Acme too), eve (Delta);
fay (Echo) joins after the round opened, free for a fresh match.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from scheduler import membership, rematch, rounds, stats
from scheduler.membership import ProfileForm, SlackProfile
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from tests.personas import OPENS, TEAM, heads_up_went

PEOPLE = [("UADA", "Acme"), ("UBEN", "Beta"), ("UCY", "Gamma"), ("UDEE", " ACME "), ("UEVE", "Delta")]


def _join(engine, people):
    with session_scope(engine) as session:
        for user, organisation in people:
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation),
                                    SlackProfile(timezone="Europe/London"))
    heads_up_went(engine)


def _last_round_stats(engine):
    with session_scope(engine) as session:
        return stats.round_stats(session, TEAM)[-1]


def test_groups_from_a_round_a_trio_and_a_fresh_match_all_count_as_cross_organisation(engine):
    _join(engine, PEOPLE)
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert outcome.reason == "opened"
    assert sorted(len(g) for g in outcome.plan.groups) == [2, 3]  # five people: a pair and a trio
    # Two who joined since the opening: free this round, so a fresh match pairs them.
    _join(engine, [("UFAY", "Echo"), ("UGUS", "Foxtrot")])
    with freeze_time(OPENS + timedelta(days=8), tick=True), session_scope(engine) as session:
        round_ = round_store.running_round(session, TEAM)
        assert rematch.find_new_partner(session, round_, member_store.get_member(session, TEAM, "UFAY"))
    s = _last_round_stats(engine)
    assert (s.groups, s.cross_organisation, s.cross_organisation_rate) == (3, 3, 1.0)


def test_a_group_whose_members_share_an_organisation_is_not_counted_as_cross_organisation(engine):
    _join(engine, PEOPLE[:2])
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"  # ada and ben
    _join(engine, PEOPLE[3:4])
    with session_scope(engine) as session:
        # However a group comes about, the figure reads what it is: dee's " ACME " is Acme.
        round_ = round_store.running_round(session, TEAM)
        ada, dee = (member_store.get_member(session, TEAM, u) for u in ("UADA", "UDEE"))
        round_store.add_group(session, round_, [ada.id, dee.id], [])
    s = _last_round_stats(engine)
    assert (s.groups, s.cross_organisation, s.cross_organisation_rate) == (2, 1, 0.5)
