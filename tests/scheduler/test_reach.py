"""People Slack won't let us reach as members: deactivated accounts, bots, guests and people from another
organisation's workspace are checked for before a round is matched, on both databases; and someone whose
partner Slack can't reach hears one coherent thing, never a note that nobody is free and then an intro."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, membership, rounds
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.workspace_schedule import change_schedule
from storage.db import session_scope
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM
from tests.scheduler.test_rounds import groups


@pytest.fixture
def gateway(fake_slack):
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))

FULL = ["U01", "U02", "U03", "U04"]
# As Slack marks them: a deactivated account, a bot user, a multi- and a single-channel guest, and someone
# from another organisation's workspace in a Slack Connect channel.
OTHERS = {"UDEAD": {"deleted": True}, "UROBOT": {"is_bot": True}, "UGUEST": {"is_restricted": True},
          "UGUEST1": {"is_ultra_restricted": True}, "UELSE": {"team_id": "T0OTHER"}}


def _join(engine, fake, user, organisation, **marks):
    fake.add_user(user, real_name=user, **marks)
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation),
                                SlackProfile(timezone="Europe/London"))


def _everyone(engine, fake):
    for i, user in enumerate(FULL + list(OTHERS)):
        _join(engine, fake, user, f"Org{i}", **OTHERS.get(user, {}))


def _said_to(fake, user) -> list[dict]:
    """Every message in every conversation `user` shares with the bot."""
    return [m for channel, _ in fake.conversations_of(user) for m in fake.messages(channel)]


def test_deactivated_accounts_bots_guests_and_people_from_elsewhere_are_left_out_quietly(engine, fake_slack, gateway):
    _everyone(engine, fake_slack)
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM, manual=True, look_up=gateway.people)
        assert outcome.reason == "opened" and outcome.plan.unmatched == []
        delivery.deliver(engine, TEAM, gateway, pace=0)
    assert sorted(user for _, people in groups(engine) for user in people) == FULL
    for user in OTHERS:
        assert _said_to(fake_slack, user) == []  # nobody tried to reach them, nobody told them anything
        assert not any(user in json.dumps(c.args) for c in fake_slack.calls_to("conversations.open"))
    # Slack was asked page by page, and person by person only about whom its list doesn't hold.
    assert fake_slack.calls_to("users.list")
    assert [c.args["user"] for c in fake_slack.calls_to("users.info")] == ["UELSE"]
    assert fake_slack.violations == []


def test_guests_are_matched_when_the_organisers_include_them(engine, fake_slack, gateway):
    _everyone(engine, fake_slack)
    with session_scope(engine) as session:
        change_schedule(session, TEAM, guests="include")
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM, manual=True, look_up=gateway.people).reason == "opened"
    assert sorted(user for _, people in groups(engine) for user in people) == sorted(FULL + ["UGUEST", "UGUEST1"])


def test_a_partner_slack_cant_reach_leaves_the_other_one_message_never_a_note_then_an_intro(engine, fake_slack,
                                                                                            gateway):
    for i, user in enumerate(FULL):
        _join(engine, fake_slack, user, f"Org{i}")
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM, manual=True, look_up=gateway.people).reason == "opened"
        # One of each pair is deactivated after the check, before the intros go.
        (_, first), (_, second) = groups(engine)
        for gone in (first[0], second[0]):
            fake_slack.add_user(gone, real_name=gone, deleted=True)
        for _ in range(3):
            delivery.deliver(engine, TEAM, gateway, pace=0)
    for partner in (first[1], second[1]):
        said = _said_to(fake_slack, partner)
        assert len(said) == 1, [m["text"][:60] for m in said]  # an intro, or a kind note: never both
    assert fake_slack.violations == []


def test_slack_busy_with_the_list_is_waited_out_and_slack_silent_leaves_everyone_as_they_were(fake_slack):
    for user in FULL + list(OTHERS):
        fake_slack.add_user(user, real_name=user, **OTHERS.get(user, {}))
    # The clock's own client, which leaves 429s to the bot.
    clock_gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url),
                                             wait_out_rate_limits=False))
    fake_slack.fail_next("users.list", times=2)  # 429, Retry-After 1
    assert {user: person.deleted for user, person in clock_gateway.people(["UDEAD", "U01"]).items()} == \
        {"UDEAD": True, "U01": False}
    fake_slack.fail_next("users.list", error="fatal_error", status=500, times=10)
    assert clock_gateway.people(["UDEAD", "U01"]) == {}  # nothing said: nobody's standing changes


def _join_while_slack_cant_say_who_they_are(engine, fake, user, organisation, email):
    """`/unmentor join <organisation>` while users.info fails: stored without the email domain."""
    from tests.inprocess import Bot

    fake.add_user(user, real_name=user, email=email)
    bot = Bot(engine, fake, TEAM)
    try:
        fake.fail_next("users.info", error="internal_error", status=500, times=5)
        bot.command(f"join {organisation}", user)
    finally:
        bot.stop()
    assert fake.violations == []
    fake.reset()  # users.info answers again from here on
    assert _domain(engine, user) is None


def _domain(engine, user):
    from storage import members as member_store

    with session_scope(engine) as session:
        return member_store.get_member(session, TEAM, user).email_domain


def test_someone_who_joined_while_slack_couldnt_say_who_they_are_is_never_paired_with_a_colleague(engine, fake_slack,
                                                                                                 gateway):
    # Nia joined as "Widgets Inc" while Slack was down; Cal, from the same company, typed "Acme Corporation".
    # Only their work address (acme.example) says they are colleagues, and they are the only two members.
    _join_while_slack_cant_say_who_they_are(engine, fake_slack, "UNIA", "Widgets Inc", "nia@acme.example")
    fake_slack.add_user("UCAL", real_name="Cal", email="cal@acme.example")
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, "UCAL", ProfileForm(organisation="Acme Corporation"),
                                SlackProfile(email="cal@acme.example", timezone="Europe/London"))
    fake_slack.fail_next("users.info", error="internal_error", status=500, times=5)  # still down: the list answers
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM, manual=True, look_up=gateway.people)
    assert outcome.reason == "opened"
    assert _domain(engine, "UNIA") == "acme.example"
    assert groups(engine) == []  # colleagues, never a pair
    assert sorted(m.slack_user_id for m in outcome.plan.unmatched) == ["UCAL", "UNIA"]


def test_slack_still_silent_at_the_match_they_are_matched_on_their_organisation_and_asked_again_next_time(
        engine, fake_slack, gateway):
    _join_while_slack_cant_say_who_they_are(engine, fake_slack, "UNIA", "Widgets Inc", "nia@acme.example")
    _join(engine, fake_slack, "UBO", "Beta Books")
    fake_slack.fail_next("users.list", error="fatal_error", status=500, times=10)
    fake_slack.fail_next("users.info", error="fatal_error", status=500, times=10)
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM, manual=True, look_up=gateway.people).reason == "opened"
    # Not left out of their first round over a Slack hiccup: the organisation they typed keeps colleagues apart.
    assert [people for _, people in groups(engine)] == [["UBO", "UNIA"]]
    assert _domain(engine, "UNIA") is None  # still unknown, so asked again before the next match


def test_someone_who_joins_between_the_early_match_and_the_opening_is_checked_before_being_paired_there(
        engine, fake_slack, gateway):
    from tests.scheduler.test_opening_window import _match_ahead

    _match_ahead(engine, fake_slack, gateway, ("U01", "Org1"), ("U02", "Org2"))
    # After the match, before the opening: Nia (Slack down as she joins) and her colleague Cal.
    _join_while_slack_cant_say_who_they_are(engine, fake_slack, "UNIA", "Widgets Inc", "nia@acme.example")
    fake_slack.add_user("UCAL", real_name="Cal", email="cal@acme.example")
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, "UCAL", ProfileForm(organisation="Acme Corporation"),
                                SlackProfile(email="cal@acme.example", timezone="Europe/London"))
    with freeze_time(OPENS, tick=True):
        assert "open" in rounds.run_due(engine, TEAM, look_up=gateway.people)
    assert _domain(engine, "UNIA") == "acme.example"
    assert [people for _, people in groups(engine)] == [["U01", "U02"]]  # the two colleagues aren't paired
