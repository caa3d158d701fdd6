"""Puts every listener on the Bolt app: one module per audience, mirroring bot/blocks/.

- `bot.member_listeners`: `/unmentor`, joining, leaving, App Home's buttons, the heads-up's Skip;
- `bot.control_listeners`: App Home's pause-until date and "don't pair me with" list;
- `bot.meeting_listeners`: the intro's buttons, their replies and the meeting and follow-up modals;
- `bot.organiser_listeners`: organisers' App Home buttons and the schedule and prompt modals.
"""

from __future__ import annotations

from slack_bolt import App

from bot import control_listeners, meeting_listeners, member_listeners, organiser_listeners
from bot.services import Services


def register(app: App, services: Services) -> None:
    for audience in (member_listeners, control_listeners, meeting_listeners, organiser_listeners):
        audience.register(app, services)
