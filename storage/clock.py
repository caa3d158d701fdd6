"""The one source of the current time, so tests can move it with freezegun.

(Not to be confused with the round clock, `bot/round_clock.py`, which runs phases on schedule.)
"""

from datetime import datetime, timezone


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
