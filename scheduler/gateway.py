"""What the scheduler needs of Slack: a Gateway, supplied by the bot (bot.gateway), and the one error its calls raise.

Kept apart from delivery so everything that talks through a gateway (delivery, the paced wrapper,
the opening window) shares these without importing the delivery loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class SendError(Exception):
    """A failed call to Slack; permanent ones are recorded and not retried.

    `in_doubt`: the answer doesn't prove whether Slack acted (none came, or a 5xx, or a page
    that isn't JSON); a post that failed so may be in the conversation already."""

    def __init__(self, code: str, *, permanent: bool, retry_after: float | None = None, in_doubt: bool = False):
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after
        self.in_doubt = in_doubt


class Gateway(Protocol):
    def open_conversation(self, user_ids: Sequence[str]) -> str: ...

    # With `safe`, the message's safe minimal form: for a send Slack refused as invalid.
    def post(self, channel: str, content: object, marker: str, *, safe: bool = False,
             zones: Sequence[str] = ()) -> tuple[str, str]: ...

    def update(self, channel: str, ts: str, content: object, *, safe: bool = False,
               zones: Sequence[str] = ()) -> None: ...

    def find_marker(self, channel: str, marker: str, oldest: datetime) -> str | None: ...

    def is_reachable(self, user_id: str) -> bool: ...
