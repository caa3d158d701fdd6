"""What every kind of send shares: typed parameters, a key that is only its identity, and a plan.

A kind is a frozen dataclass subclassing `Send`. Its fields are its parameters: `round_id`,
`group_id` and `member_id` go in the outbox's own columns (queries and foreign keys need
them); every other field is stored as JSON in `params`. The key says which send this is,
so queuing twice is harmless; nothing is ever read back out of it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from storage import members as member_store
from storage import outbox
from storage import rounds as round_store
from storage.models import Member, MemberStatus

COLUMNS = ("round_id", "group_id", "member_id")

# Slack's answers that mean a person can't be reached at all (deactivated, gone, a bot). Not
# account_inactive: Slack says that of the bot's own token (scheduler.slack_trouble), never of a member.
UNREACHABLE = frozenset({"user_not_found", "user_disabled", "cannot_dm_bot", "user_not_visible"})
# Slack's answers that mean the message we built was wrong: a bug of ours, never a sign that
# anyone is unreachable. The send is tried once more in its safe minimal form.
REFUSED_AS_INVALID = frozenset({
    "invalid_blocks", "invalid_blocks_format", "invalid_arguments", "msg_too_long", "no_text",
    "invalid_attachments", "too_many_attachments", "invalid_metadata_format", "invalid_metadata_schema",
    "metadata_too_large", "invalid_form_data", "markdown_text_conflict",
})

class Content:
    """A message a kind of send plans: plain data, rendered by its builder in bot.blocks.sends.BUILDERS."""


@dataclass(frozen=True)
class Plan:
    """Where a send goes and what it says. `users` opens a group DM; `channel` posts to a known one;
    with `update_ts` the message already there is edited instead."""

    content: object
    users: tuple[str, ...] = ()
    channel: str | None = None
    update_ts: str | None = None


@dataclass(frozen=True)
class Send:
    kind: ClassVar[str]
    # The Web API method the send's first call goes to: delivery runs each method's sends in a
    # lane of its own, so a wait for one method's turn never holds up another's.
    first_call: ClassVar[str] = "chat.postMessage"

    def key(self) -> str:
        """Which send this is (unique in a workspace); a new identity means a new message."""
        raise NotImplementedError

    def not_before(self) -> datetime | None:
        """Don't send before this (a reminder waits for the day before the chat)."""
        return None

    def plan(self, session: Session, team_id: str) -> Plan | None:
        """What to send now, or None when it no longer makes sense (moved on, settled, superseded)."""
        raise NotImplementedError

    def sent(self, session: Session, channel: str, ts: str) -> list[str] | None:
        """After Slack took it: anything the kind must remember (the intro's conversation), and the
        keys of any sends it queued that should go in the same pass."""

    def overtaken(self, session: Session) -> object | None:
        """Slack took it into a conversation with someone who left while it was on its way (their
        leaving erased that conversation's ID, and it stays erased): what the message should say
        instead, edited in at once; None leaves it as it is."""
        return None

    def gave_up(self, session: Session, code: str, is_reachable: Callable[[str], bool]) -> None:
        """Slack refused it for good. Someone Slack says can't be reached stops being matched."""
        member_id = getattr(self, "member_id", None)
        if member_id and code in UNREACHABLE:
            member = member_store.get_member_by_id(session, member_id)
            if member is not None and member.status == MemberStatus.active.value:
                member_store.set_status(session, member, MemberStatus.paused)


def queue(session: Session, team_id: str, sends: list[Send]) -> int:
    """Record sends in the outbox; one already recorded (same key) is left alone. Returns how many were new."""
    return outbox.queue(session, team_id, [row_values(send) for send in sends])


def row_values(send: Send) -> dict:
    values = {name: getattr(send, name, None) for name in COLUMNS}
    params = {f.name: _to_json(getattr(send, f.name)) for f in dataclasses.fields(send) if f.name not in COLUMNS}
    return {"key": send.key(), "kind": send.kind, "params": json.dumps(params, sort_keys=True),
            "not_before": send.not_before(), **values}


def _to_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


# Small lookups most kinds need.

def member(session: Session, member_id: int | None) -> Member | None:
    return member_store.get_member_by_id(session, member_id) if member_id else None


def partners(session: Session, group_id: int, member_id: int) -> tuple[str, ...]:
    """The Slack ids of everyone else still in the group."""
    return tuple(m.slack_user_id for m in round_store.group_members(session, group_id)
                       if m.slack_user_id and m.id != member_id)
