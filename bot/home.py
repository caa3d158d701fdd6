"""The App Home tab: each member's own status and buttons, published whenever it may have changed."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.services import Services
from scheduler import membership
from scheduler.round_settings import next_round_at
from storage.db import session_scope

log = logging.getLogger("unmentor")


def refresh(services: Services, team_id: str, user_id: str) -> None:
    with session_scope(services.engine) as session:
        view = membership.status(session, team_id, user_id, next_round_at(session, team_id))
    try:
        services.client.views_publish(user_id=user_id, view=blocks.home_view(view))
    except SlackApiError as error:
        # The Home tab is a convenience; a failed refresh must not undo what the click did.
        log.warning("views.publish failed for %s: %s", user_id, error.response.get("error"))
