"""Every kind of message the bot sends on its own, one module per kind, and the table of them.

Each module holds one kind's whole definition: its typed parameters (a dataclass), its key,
how it is planned into a message, and the message it plans (which `bot/blocks/sends.py`'s
BUILDERS renders). Delivery only looks kinds up here, in KINDS.

To add a kind, add a module beside these, its line in KINDS and its builder in BUILDERS;
nothing else changes ("Adding a kind of send" in docs/design.md says how).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime

from sqlmodel import Session

from scheduler.sends import base
from scheduler.sends.announce import AnnounceSend
from scheduler.sends.base import (  # noqa: F401  (the names callers use)
    REFUSED_AS_INVALID,
    UNREACHABLE,
    Plan,
    Send,
    queue,
)
from scheduler.sends.calendar_links import CalendarLinksSend
from scheduler.sends.follow_up import FollowUpSend
from scheduler.sends.intro import IntroSend
from scheduler.sends.intro_failed import IntroFailedSend
from scheduler.sends.intro_moved import IntroMovedSend
from scheduler.sends.intro_update import IntroUpdateSend
from scheduler.sends.left_for_round import LeftForRoundSend
from scheduler.sends.nudge import NudgeSend
from scheduler.sends.nudge_settled import NudgeSettledSend
from scheduler.sends.partner_left import PartnerLeftSend
from scheduler.sends.partner_moved_on import PartnerMovedOnSend
from scheduler.sends.partner_stepped_out import PartnerSteppedOutSend
from scheduler.sends.partner_unreachable import PartnerUnreachableSend
from scheduler.sends.paused_quietly import PausedQuietlySend
from scheduler.sends.quiet_nudge import QuietNudgeSend
from scheduler.sends.reminder import ReminderSend
from scheduler.sends.reschedule_accepted import RescheduleAcceptedSend
from scheduler.sends.reschedule_notice import RescheduleNoticeSend
from scheduler.sends.reschedule_settled import RescheduleSettledSend
from scheduler.sends.stay_in_touch import StayInTouchSend
from scheduler.sends.still_in import StillInSend
from scheduler.sends.unmatched import UnmatchedSend
from scheduler.sends.wait_over import WaitOverSend
from scheduler.sends.waiting_check import WaitingCheckSend
from scheduler.sends.waiting_check_settled import WaitingCheckSettledSend
from scheduler.sends.welcome import WelcomeSend, WelcomeUpdateSend
from scheduler.sends.welcome_back import WelcomeBackSend
from storage.models import Outbox


def _by_kind(*classes: type[Send]) -> dict[str, type[Send]]:
    table = {}
    for cls in classes:
        if cls.kind in table:
            raise ValueError(f"two definitions of the {cls.kind!r} send")
        table[cls.kind] = cls
    return table


# Every kind of send, by the outbox's `kind` column: delivery loads each row as the class named here.
KINDS: dict[str, type[Send]] = _by_kind(
    AnnounceSend,
    CalendarLinksSend,
    FollowUpSend,
    IntroFailedSend,
    IntroMovedSend,
    IntroSend,
    IntroUpdateSend,
    LeftForRoundSend,
    NudgeSend,
    NudgeSettledSend,
    PartnerLeftSend,
    PartnerMovedOnSend,
    PartnerSteppedOutSend,
    PartnerUnreachableSend,
    PausedQuietlySend,
    QuietNudgeSend,
    ReminderSend,
    RescheduleAcceptedSend,
    RescheduleNoticeSend,
    RescheduleSettledSend,
    StayInTouchSend,
    StillInSend,
    UnmatchedSend,
    WaitOverSend,
    WaitingCheckSend,
    WaitingCheckSettledSend,
    WelcomeBackSend,
    WelcomeSend,
    WelcomeUpdateSend,
)


def load(row: Outbox) -> Send:
    """The send a row records, with its parameters typed again."""
    cls = KINDS.get(row.kind)
    if cls is None:
        raise ValueError(f"unknown outbox kind {row.kind!r}")
    params = json.loads(row.params or "{}")
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in base.COLUMNS:
            values[field.name] = getattr(row, field.name)
        elif field.name in params:
            values[field.name] = _from_json(params[field.name], hints[field.name])
    return cls(**values)


def _from_json(value, hint):
    if value is None:
        return None
    wanted = {a for a in typing.get_args(hint) if a is not type(None)} if _is_union(hint) else {hint}
    if datetime in wanted:
        return datetime.fromisoformat(value)
    if any(typing.get_origin(w) is tuple for w in wanted):
        return tuple(value)
    return value


def _is_union(hint) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def plan(session: Session, row: Outbox) -> Plan | None:
    """What this outbox row should send now, or None when it no longer makes sense."""
    send = load(row)
    if row.member_id:
        member = base.member(session, row.member_id)
        if member is None or member.slack_user_id is None:
            return None  # they left; their data is gone
    return send.plan(session, row.team_id)

