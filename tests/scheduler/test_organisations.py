"""Colleagues are never paired as strangers, however they typed their organisation, on both databases."""

from __future__ import annotations

from datetime import timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from scheduler import membership, organisations, rematch, rounds
from scheduler.membership import ProfileForm, SlackProfile
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import Member
from tests.personas import OPENS, TEAM, heads_up_went


def same_organisation(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """Whether two people (organisation as typed, email domain) get the key the matcher never pairs."""
    keys = organisations.colleague_keys({0: a, 1: b})
    return keys[0] == keys[1]

UTC = timezone.utc
CYRILLIC_A = "\u0410"  # looks like "A"


@pytest.mark.parametrize("a, b", [
    ("Devon County Council", "Devon CC"),
    ("Devon County Council", "DEVON C.C."),
    ("Devon County Council", "Dеvon Сounty Сouncil"),  # Cyrillic е and С
    (f"{CYRILLIC_A}cme", "Acme"),
    ("ΑCΜΕ", "acme"),  # Greek capitals
    ("Acme Ltd", "ACME Limited"),
    ("The Acme Company", "acme"),
    ("Ａｃｍｅ\u00a0Ltd", "acme ltd"),  # full-width, no-break space
    ("Café Müller & Söhne", "Cafe Muller and Sohne"),
    ("Straße", "STRASSE"),
    ("Univ. of Exeter", "University of Exeter"),
    ("DCC", "Devon County Council"),  # an acronym beside the name it abbreviates
    ("UoE", "University of Exeter"),
])
def test_variants_and_look_alikes_are_one_organisation(a, b):
    assert same_organisation((a, None), (b, None))


@pytest.mark.parametrize("a, b", [
    ("Acme Ltd", "Acme Labs"),
    ("Devon County Council", "Cornwall County Council"),
    ("Beta", "Gamma"),
    ("NHS", "National Rail"),
])
def test_different_organisations_stay_different(a, b):
    assert not same_organisation((a, None), (b, None))


def test_a_shared_work_domain_makes_colleagues_a_public_one_does_not():
    assert same_organisation(("Acme", "acme.example"), ("Widgets R Us", "acme.example"))
    assert not same_organisation(("Beta", "gmail.com"), ("Gamma", "gmail.com"))
    for address in ("a@gmail.com", "a@outlook.com", "a@hotmail.co.uk", "a@icloud.com", "a@yahoo.co.uk"):
        assert organisations.work_domain(address) is None, address
    assert organisations.work_domain("Someone@Devon.Gov.UK") == "devon.gov.uk"


def test_the_organisers_domain_map_joins_a_domain_to_the_name_they_gave_it():
    people = {1: ("DC Council", "devon.gov.uk"), 2: ("Devon County Council", None)}
    assert len(set(organisations.colleague_keys(people).values())) == 2
    assert len(set(organisations.colleague_keys(people, {"devon.gov.uk": "Devon County Council"}).values())) == 1


# Six people at Devon County Council, typed six ways; two at Acme by their email; two strangers on gmail.
DEVON = [
    ("UDEV1", "Devon County Council", "one@devon.gov.uk"),
    ("UDEV2", "Devon CC", "two@gmail.com"),
    ("UDEV3", "DEVON C.C.", None),
    ("UDEV4", "Dеvon County Сouncil", None),
    ("UDEV5", "DCC", None),
    ("UDEV6", "Highways team", "six@devon.gov.uk"),
]
ACME = [("UACM1", "Acme", "a@acme.example"), ("UACM2", "Widgets R Us", "b@acme.example")]
OTHERS = [("UBETA", "Beta", "beta@gmail.com"), ("UGAMMA", "Gamma", "gamma@gmail.com")]


def _join(engine, people):
    with session_scope(engine) as session:
        for user, organisation, email in people:
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation),
                                    SlackProfile(email=email, timezone="Europe/London"))
    heads_up_went(engine)


def _colleagues(user_a, user_b):
    return any({user_a, user_b} <= {u for u, _, _ in team} for team in (DEVON, ACME))


def test_a_round_never_pairs_colleagues_however_they_typed(engine):
    _join(engine, DEVON + ACME + OTHERS)
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert outcome.reason == "opened"
    groups = [[m.slack_user_id for m in group] for group in outcome.plan.groups]
    assert groups
    for group in groups:
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                assert not _colleagues(a, b), groups
    # Only four people aren't from Devon, so at least two from Devon sit this one out.
    assert sum(1 for m in outcome.plan.unmatched if m.slack_user_id.startswith("UDEV")) >= 2
    assert outcome.round.organisations == 4


def test_what_people_typed_is_kept_for_display_and_only_the_domain_is_stored(engine):
    _join(engine, DEVON)
    with session_scope(engine) as session:
        stored = {m.slack_user_id: m for m in session.exec(select(Member).where(Member.team_id == TEAM))}
    assert stored["UDEV4"].organisation == "Dеvon County Сouncil"
    assert stored["UDEV3"].organisation == "DEVON C.C."
    assert stored["UDEV1"].email_domain == "devon.gov.uk"
    assert stored["UDEV2"].email_domain is None  # a public mail domain says nothing about an employer
    assert "one@" not in repr(stored["UDEV1"])


def test_a_fresh_match_mid_round_never_offers_a_colleague(engine):
    _join(engine, [("UDEV1", "Devon County Council", None), ("UOTHER", "Beta", None)])
    with freeze_time(OPENS, tick=True):
        with session_scope(engine) as session:
            member_store.set_status(session, member_store.get_member(session, TEAM, "UOTHER"),
                                    membership.MemberStatus.paused)
        assert rounds.open_round(engine, TEAM).reason == "opened"
        _join(engine, [("UDEV2", "Dеvon CC", None)])  # joins after the round opened, typed another way
        with session_scope(engine) as session:
            round_ = round_store.running_round(session, TEAM)
            assert rematch.find_new_partner(session, round_, member_store.get_member(session, TEAM, "UDEV1")) is None
            member_store.set_status(session, member_store.get_member(session, TEAM, "UOTHER"),
                                    membership.MemberStatus.active)
            assert rematch.find_new_partner(session, round_, member_store.get_member(session, TEAM, "UDEV1"))
