"""Every kind of message the bot sends on its own, one module per kind.

Each module holds one kind's whole definition: its typed parameters (a dataclass), its key,
how it is planned into a message, and the message it plans (whose `builder` names the
function in `bot/blocks/sends.py` that renders it). Delivery only looks kinds up here.

To add a kind, add a module beside these and a builder in `bot/blocks/sends.py`; nothing else
changes ("Adding a kind of send" in docs/design.md says how).
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlmodel import Session

from scheduler.sends import base
from scheduler.sends.base import (  # noqa: F401  (the names callers use)
    KINDS,
    REFUSED_AS_INVALID,
    UNREACHABLE,
    Plan,
    Send,
    load,
    queue,
    register,
)
from storage.models import Outbox

# Every module in this package defines and registers its kinds when imported: importing
# them all here is what lets a new kind be one new file.
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def plan(session: Session, row: Outbox) -> Plan | None:
    """What this outbox row should send now, or None when it no longer makes sense."""
    send = load(row)
    if row.member_id:
        member = base.member(session, row.member_id)
        if member is None or member.slack_user_id is None:
            return None  # they left; their data is gone
    return send.plan(session, row.team_id)

