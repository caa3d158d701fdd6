"""A click counts once: a signed request caught and sent again within Slack's five minutes is not
acted on again (Slack signs each delivery afresh, its retries included).

Personas: ada, a member, pauses from App Home and asks for her status; someone who caught those
signed requests sends them again.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from bot import ids
from playground.slack import payloads as sr
from tests.conftest import SIGNING_SECRET
from tests.inprocess import Bot
from tests.personas import ADA, TEAM, join


@pytest.fixture
def bot(sqlite_engine, fake_slack):
    join(sqlite_engine, [ADA], fake_slack)
    running = Bot(sqlite_engine, fake_slack, TEAM, http=True)
    yield running
    running.stop()


def _post_as_sent(url: str, body: bytes, headers: dict) -> int:
    content_type = "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_replayed_click_and_command_are_answered_but_not_acted_on_again(bot, fake_slack):
    click = sr.block_actions_body(ids.SKIP, "x", ADA.user_id, team_id=TEAM,
                                  view={"id": "VHOME", "type": "home", "blocks": []})
    command = sr.slash_command_body("status", user_id=ADA.user_id, team_id=TEAM,
                                    response_url=fake_slack.response_url("status"))
    signed = [(body, sr.signed_headers(body, SIGNING_SECRET)) for body in (click, command)]
    for body, headers in signed:
        assert _post_as_sent(bot.url, body, headers) == 200
    assert fake_slack.wait_for(lambda f: len(f.calls_to("views.publish")) == 1
                               and len([r for r in f.responses if r["_name"] == "status"]) == 1)
    time.sleep(1)  # a second later, well within Slack's five minutes, the same signed bytes again
    for body, headers in signed:
        assert _post_as_sent(bot.url, body, headers) == 200
    # Whatever a replay set going was handed to the bot's pool before its answer came back (the
    # listener runs in the request's own thread, bot/app.py): once that is done, it would show.
    assert bot.work.settle(timeout=10)
    assert len(fake_slack.calls_to("views.publish")) == 1  # her Home redrawn once: the skip done once
    assert len([r for r in fake_slack.responses if r["_name"] == "status"]) == 1
    # A fresh click of her own (signed anew, as Slack does) still works.
    again = sr.block_actions_body(ids.RESUME, "x", ADA.user_id, team_id=TEAM,
                                  view={"id": "VHOME", "type": "home", "blocks": []})
    assert sr.post(bot.url, again, SIGNING_SECRET)[0] == 200
    assert fake_slack.wait_for(lambda f: len(f.calls_to("views.publish")) == 2)
