"""How every listener finishes: a modal's problems go back in the ack, and work after the ack that fails is answered."""

from __future__ import annotations

import logging
from typing import Callable

from bot import blocks
from bot.services import Services
from scheduler.membership import InputError

log = logging.getLogger("unmentor")


def ack_modal(ack, check: Callable[[], object], default_field: str) -> bool:
    """Run a modal's checks; errors go back beside the field in the ack itself (Slack's only way).

    True when the modal was accepted and the work may go on.
    """
    try:
        check()
    except InputError as problem:
        ack(response_action="errors", errors={problem.field or default_field: str(problem)[:150]})
        return False
    ack()
    return True


def after_ack(services: Services, body: dict, respond, name: str, work: Callable[[], None]) -> None:
    """Work done after ack(): if it fails, the person hears so, where they clicked or by DM."""
    try:
        work()
    except Exception:
        log.exception("%s failed", name)
        reply = blocks.something_went_wrong_message()
        if respond is not None and body.get("response_url"):
            respond(replace_original=False, response_type="ephemeral", **reply)
        else:
            services.client.chat_postMessage(channel=body["user"]["id"], **reply)
