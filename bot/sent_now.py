"""What a click or a leaving sets off, delivered at once rather than at the clock's next pass.

Built as the clock would build them: the clicker's time zone is for replies to the clicker, not
for a notice someone else reads, so these are rendered for no reader in particular.
"""

from __future__ import annotations

import logging

from bot.gateway import SlackGateway
from bot.services import Services
from scheduler import delivery
from scheduler.departures import Departure
from scheduler.gateway import SendError

log = logging.getLogger("unmentor.slack")


def deliver_now(services: Services, team_id: str, keys: list[str]) -> None:
    """The sends a click queued (intro edits, the others' notices), by their outbox keys. Not paced yet:
    the workspace's pacer made a click's sends outlive the tests that set them off."""
    if keys:
        delivery.deliver(services.engine, team_id, SlackGateway(services.client), pace=0, keys=keys,
                         sending=services.sending)


def after_leaving(services: Services, team_id: str, departure: Departure) -> None:
    """Once someone's leaving has committed: edit their old intros and tell whoever was left, now."""
    gateway = SlackGateway(services.client)
    for channel, ts, content in departure.edits:
        try:
            gateway.update(channel, ts, content)
        except SendError as error:
            # The one left is told anyway; an old intro left unedited is the lesser harm.
            log.warning("couldn't edit an intro after someone left: %s", error.code)
    deliver_now(services, team_id, departure.keys)
