"""Listeners for App Home's "members in control" pieces: the pause-until date and the "don't pair me with" list."""

from __future__ import annotations

from slack_bolt import App

from bot import blocks, commands, handling, home, ids
from bot.services import Services
from scheduler import avoid
from storage.db import session_scope


def register(app: App, services: Services) -> None:
    app.action(ids.PAUSE_UNTIL)(lambda ack, body: on_pause_until(services, ack, body))
    app.action(ids.AVOID_LIST)(lambda ack, body: on_avoid_list(services, ack, body))


def on_pause_until(services: Services, ack, body: dict) -> None:
    ack()
    team_id, user_id = _team(body), body["user"]["id"]
    picked = (body.get("actions") or [{}])[0].get("selected_date") or ""

    def work():
        day = commands.parse_day(picked)
        reply = blocks.pause_until_usage_message() if day is None else commands.pause_until(services, team_id, user_id, day)
        # App Home has nowhere to answer in place: a DM says what happened (or what to change).
        services.client.chat_postMessage(channel=user_id, **reply)
        home.refresh(services, team_id, user_id)

    handling.after_ack(services, body, None, "pause_until", work)


def on_avoid_list(services: Services, ack, body: dict) -> None:
    """The picker holds the whole list: whoever is in it now is avoided, whoever was taken out isn't."""
    ack()
    team_id, user_id = _team(body), body["user"]["id"]
    chosen = [u for u in (body.get("actions") or [{}])[0].get("selected_users") or [] if isinstance(u, str)]

    def work():
        with session_scope(services.engine) as session:
            avoid.replace_list(session, team_id, user_id, chosen)
        home.refresh(services, team_id, user_id)

    handling.after_ack(services, body, None, "avoid_list", work)


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or body.get("team_id") or body["user"].get("team_id")
