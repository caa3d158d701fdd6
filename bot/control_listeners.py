"""Listeners for App Home's "members in control" pieces: the pause-until date and the "don't pair me with" list."""

from __future__ import annotations

from slack_bolt import App

from bot import commands, home, ids
from bot.blocks import member as member_blocks
from bot.handling import Listeners
from bot.payload import Payload
from bot.services import Services
from scheduler import avoid
from storage.db import session_scope

LISTENERS = Listeners()


def register(app: App, services: Services) -> None:
    LISTENERS.register(app, services)


@LISTENERS.click(ids.PAUSE_UNTIL)
def pause_until_picked(services: Services, p: Payload, respond) -> None:
    day = commands.parse_day(p.picked_date or "")
    reply = member_blocks.pause_until_usage_message() if day is None else commands.pause_until(
        services, p.team_id, p.user_id, day)
    # App Home has nowhere to answer in place: a DM says what happened (or what to change).
    services.client.chat_postMessage(channel=p.user_id, **reply)
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.AVOID_LIST)
def avoid_list_changed(services: Services, p: Payload, respond) -> None:
    """The picker holds the whole list: whoever is in it now is avoided, whoever was taken out isn't."""
    with session_scope(services.engine) as session:
        change = avoid.replace_list(session, p.team_id, p.user_id, list(p.picked_users))
        now_listed = avoid.listed(session, p.team_id, p.user_id)
    # As for the pause date: App Home has nowhere to answer in place, so a DM confirms the list as saved.
    reply = (member_blocks.avoid_list_message(now_listed) if change is avoid.AvoidChange.done
             else member_blocks.not_member_message())
    services.client.chat_postMessage(channel=p.user_id, **reply)
    home.refresh(services, p.team_id, p.user_id)
