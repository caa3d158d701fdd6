"""The one source of the current time, so tests can move it with freezegun.

(Not to be confused with the round clock, `bot/round_clock.py`, which runs phases on schedule.)

The clock can also run ahead of the system's by a fixed offset, for running the bot's time
ahead of the world's: a demo, or a rehearsal of a round, lives through a month in minutes,
while everything that waits on real seconds (HTTP timeouts, Slack's signatures, the
scheduler's intervals) keeps real time.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_offset = timedelta(0)
_lock = threading.Lock()


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc) + _offset


def offset() -> timedelta:
    """How far this process's clock runs ahead of the system's (zero unless moved)."""
    return _offset


def move_to(moment: datetime) -> timedelta:
    """Make now() read `moment` (aware) and run on from there; returns the new offset.

    Never backwards: rounds, claims and sends recorded at a later time would otherwise look
    as if they happened in the future.
    """
    global _offset
    if moment.tzinfo is None:
        raise ValueError("move_to needs an aware datetime")
    with _lock:
        ahead = moment - datetime.now(timezone.utc)
        if ahead < _offset:
            raise ValueError(
                f"the clock only moves forward: {moment:%Y-%m-%d %H:%M} is before now ({now():%Y-%m-%d %H:%M})"
            )
        _offset = ahead
        return _offset


def reset() -> None:
    """Back to the system's time (for tests)."""
    global _offset
    with _lock:
        _offset = timedelta(0)
