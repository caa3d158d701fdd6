"""One workspace: the bot serves the workspace its token belongs to, and nobody else.

Personas: ada types in the stand-in's own workspace (T111); someone in T0OTHERWS, someone whose
payload names no workspace, and people on Enterprise Grid send the same signed requests.
Nothing from outside is stored, and no second workspace ever appears.
"""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select

from bot import ids
from playground.slack import payloads as sr
from storage import members as member_store
from storage.db import session_scope
from storage.models import Member
from tests.inprocess import Bot
from tests.personas import ADA, TEAM, introduce

OTHER = "T0OTHERWS"
GRID = "E0GRID01"


@pytest.fixture
def bot(sqlite_engine, fake_slack):
    introduce(fake_slack, [ADA])
    running = Bot(sqlite_engine, fake_slack, TEAM)
    yield running
    running.stop()


def _stored(engine) -> tuple[list[str], int]:
    """The workspaces the database knows, and how many members it holds in all of them."""
    with session_scope(engine) as session:
        return member_store.team_ids(session), len(session.exec(select(Member)).all())


def _command(bot, text, **fields) -> tuple[int, str]:
    body = sr.slash_command_body(text, user_id=ADA.user_id, response_url=bot.fake.response_url("c-" + uuid.uuid4().hex),
                                 **fields)
    return bot.post(body)


def _form_payload(body: bytes) -> dict:
    from urllib.parse import parse_qs

    return json.loads(parse_qs(body.decode())["payload"][0])


def _as_form(payload: dict) -> bytes:
    from urllib.parse import urlencode

    return urlencode({"payload": json.dumps(payload)}).encode()


def _grid_click(team_id: str | None, org_wide: bool) -> bytes:
    """A Home click shaped as Enterprise Grid sends it: an enterprise, and on an org-wide install no team."""
    payload = _form_payload(sr.block_actions_body(ids.PAUSE, "x", ADA.user_id, team_id=TEAM,
                                                  view={"id": "VHOME", "type": "home", "blocks": []}))
    payload["enterprise"] = {"id": GRID, "name": "Grid Org"}
    payload["is_enterprise_install"] = org_wide
    payload["team"] = None if team_id is None else {"id": team_id, "domain": "grid-ws"}
    payload["user"]["team_id"] = team_id or TEAM
    return _as_form(payload)


def test_a_command_from_another_workspace_is_refused_and_stores_nothing(bot, sqlite_engine):
    status, text = _command(bot, "join Acme", team_id=OTHER)
    assert status == 200
    assert "serves another Slack workspace" in json.loads(text)["text"]
    assert _stored(sqlite_engine) == ([], 0)
    # Ada, in the bot's own workspace, joins as ever.
    assert bot.command("join Acme", ADA.user_id) is not None
    assert _stored(sqlite_engine) == ([TEAM], 1)


def test_payloads_naming_no_workspace_or_another_one_are_ignored(bot, sqlite_engine, fake_slack):
    no_team = _form_payload(sr.block_actions_body(ids.PAUSE, "x", ADA.user_id, team_id=TEAM,
                                                  view={"id": "VHOME", "type": "home", "blocks": []}))
    no_team["team"], no_team["user"]["team_id"] = None, None
    other_modal = sr.view_submission_body(ids.JOIN_VIEW, {"organisation": {"organisation": "Acme"}}, ADA.user_id,
                                          team_id=OTHER)
    event, _ = sr.event_body(sr.app_home_opened_event(ADA.user_id), team_id="")
    for body in (_as_form(no_team), other_modal, event, _command_body_without_team()):
        assert bot.post(body)[0] == 200
    assert bot.work.settle(timeout=10)  # whatever work they set going (handed over before each answer), done
    assert _stored(sqlite_engine) == ([], 0)
    assert fake_slack.calls_to("views.publish") == []  # nobody's Home was drawn for them


def _command_body_without_team() -> bytes:
    from urllib.parse import parse_qsl, urlencode

    fields = dict(parse_qsl(sr.slash_command_body("join Acme", user_id=ADA.user_id).decode()))
    del fields["team_id"]
    return urlencode(fields).encode()


def test_an_org_wide_grid_payload_is_refused_plainly(bot, sqlite_engine):
    status, text = _command(bot, "join Acme", enterprise_id=GRID)
    assert status == 200 and "Enterprise Grid" not in text  # a Grid workspace's own command is fine...
    body = sr.slash_command_body("join Acme", user_id=ADA.user_id, enterprise_id=GRID).replace(
        b"is_enterprise_install=false", b"is_enterprise_install=true")
    status, text = bot.post(body)
    assert status == 200
    assert "Enterprise Grid" in json.loads(text)["text"]  # ...an org-wide one is not
    assert bot.post(_grid_click(None, org_wide=True))[0] == 200
    teams, _ = _stored(sqlite_engine)
    assert teams in ([], [TEAM])  # never a workspace for the organisation, nor one called ''


def test_installed_org_wide_the_bot_refuses_everyone_and_says_why(sqlite_engine, fake_slack):
    fake_slack.installed_in_grid(GRID, org_wide=True)
    introduce(fake_slack, [ADA])
    running = Bot(sqlite_engine, fake_slack, TEAM)
    try:
        status, text = _command(running, "join Acme", enterprise_id=GRID)
        assert status == 200
        assert "install it to a single workspace" in json.loads(text)["text"]
        assert running.post(_grid_click(TEAM, org_wide=False))[0] == 200
    finally:
        running.stop()
    assert _stored(sqlite_engine) == ([], 0)


def test_a_grid_workspace_install_serves_its_own_workspace(sqlite_engine, fake_slack):
    fake_slack.installed_in_grid(GRID, org_wide=False)
    introduce(fake_slack, [ADA])
    running = Bot(sqlite_engine, fake_slack, TEAM)
    try:
        assert running.command("join Acme", ADA.user_id) is not None
        # Someone from another workspace of the same organisation (a shared channel, say) is not a member here.
        assert running.post(_grid_click("T0SISTER", org_wide=False))[0] == 200
    finally:
        running.stop()
    assert _stored(sqlite_engine) == ([TEAM], 1)
