"""App Home redraws: whatever order two redraws for one person run in, the Home left showing is the latest."""

from __future__ import annotations

import json
import threading
import time

from bot import callers, home
from bot.config import Settings
from bot.services import Services
from scheduler import membership
from scheduler.membership import ProfileForm, SlackProfile
from storage.db import session_scope
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

TEAM = "T0HOME"


class SlowSlack:
    """views.publish that holds its first call until told, as a slow network would."""

    def __init__(self):
        self.published, self.first_started, self.let_first_finish = [], threading.Event(), threading.Event()

    def users_info(self, user):
        return {"user": {"id": user, "tz": "Europe/London", "profile": {}}}

    def views_publish(self, user_id, view):
        if not self.first_started.is_set():
            self.first_started.set()
            self.let_first_finish.wait(10)
        self.published.append(view)


def test_a_redraw_that_read_the_member_before_a_pause_never_lands_after_the_pauses_own(engine):
    callers.forget_cached_users()
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, "UADA", ProfileForm(organisation="Acme"), SlackProfile())
    slack = SlowSlack()
    services = Services(Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET), engine, slack)
    # Ada opens App Home while still active; its publish is slow to reach Slack.
    opened = threading.Thread(target=home.refresh, args=(services, TEAM, "UADA"))
    opened.start()
    assert slack.first_started.wait(10)
    # Meanwhile she clicks Pause, and that click redraws her Home too.
    with session_scope(engine) as session:
        membership.pause(session, TEAM, "UADA")
    clicked = threading.Thread(target=home.refresh, args=(services, TEAM, "UADA"))
    clicked.start()
    time.sleep(0.5)  # room for the click's redraw to overtake, were nothing stopping it
    slack.let_first_finish.set()
    opened.join(10)
    clicked.join(10)
    assert len(slack.published) == 2
    last = json.dumps(slack.published[-1])
    assert "member_resume" in last and "member_pause\"" not in last  # she sees she is paused
