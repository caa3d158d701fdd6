"""The welcome names the member's organisation, so a change of organisation edits it to match,
even when the change comes while the welcome is still on its way.

Personas: ada (Acme, London) joins; nobody else is needed.
"""

from __future__ import annotations

from bot.app import make_client
from bot.blocks import sends as send_blocks
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, membership
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.sends.welcome import Welcome
from scheduler.workspace_schedule import next_round_at
from storage.db import session_scope
from tests.conftest import BOT_TOKEN
from tests.personas import TEAM


def _gateway(fake_slack):
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


def _save(engine, organisation: str) -> list[str]:
    """Ada types her organisation, by `/unmentor join` or the edit form; the keys to send now."""
    with session_scope(engine) as session:
        result = membership.save_profile(session, TEAM, "UADA", ProfileForm(organisation=organisation),
                                         SlackProfile(timezone="Europe/London", name="Ada Lovelace"))
        return membership.welcome(session, TEAM, result)


def _welcome_in_dm(engine, fake_slack) -> list[str]:
    """The texts in ada's DM as Slack holds them now (edits applied)."""
    return [m["text"] for m in fake_slack.messages(fake_slack.conversation_id("UADA")) or fake_slack.messages("UADA")]


def _expected(engine, organisation: str) -> str:
    with session_scope(engine) as session:
        at = next_round_at(session, TEAM)
    return send_blocks.welcome_message(Welcome(organisation, at), zones=("Europe/London",))["text"]


class _ChangedWhileSending:
    """A gateway whose first post is followed by `change` while Slack still holds it, before we hear back."""

    def __init__(self, gateway, change):
        self._gateway, self._changes = gateway, [change]

    def post(self, channel, content, marker, **options):
        posted = self._gateway.post(channel, content, marker, **options)
        while self._changes:
            self._changes.pop()()
        return posted

    def __getattr__(self, name):
        return getattr(self._gateway, name)


def test_changing_organisation_edits_the_welcome_to_name_the_new_one(engine, fake_slack):
    fake_slack.add_user("UADA", tz="Europe/London")
    gateway = _gateway(fake_slack)
    delivery.deliver(engine, TEAM, gateway, pace=0, keys=_save(engine, "Acme Housing"))
    assert _welcome_in_dm(engine, fake_slack) == [_expected(engine, "Acme Housing")]
    delivery.deliver(engine, TEAM, gateway, pace=0, keys=_save(engine, "Northgate Health Trust"))
    assert _welcome_in_dm(engine, fake_slack) == [_expected(engine, "Northgate Health Trust")]
    # Other details, or the same organisation again, leave it as it is: nothing is queued.
    assert _save(engine, "Northgate Health Trust") == []


def test_a_change_of_organisation_while_the_welcome_is_on_its_way_still_reaches_it(engine, fake_slack):
    fake_slack.add_user("UADA", tz="Europe/London")
    keys = _save(engine, "Acme Housing")

    def ada_corrects_it():
        # As the form's listener does: the edit goes at once, and finds no welcome yet to edit.
        delivery.deliver(engine, TEAM, _gateway(fake_slack), pace=0, keys=_save(engine, "Acme Homes"))

    # Ada corrects her organisation in the moment between Slack taking the welcome and the bot hearing back.
    delivery.deliver(engine, TEAM, _ChangedWhileSending(_gateway(fake_slack), ada_corrects_it), pace=0, keys=keys)
    delivery.deliver(engine, TEAM, _gateway(fake_slack), pace=0)
    assert _welcome_in_dm(engine, fake_slack) == [_expected(engine, "Acme Homes")]
