"""Time zones for the working-hours preference: offsets read at one fixed instant, and whether two overlap."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Two offsets at most this far apart share enough of a 9-to-5 day to meet.
OVERLAP_HOURS = 5.0

# IANA zones are resolved at one fixed instant so that matching stays a pure
# function of its input (no clock); mid-January keeps a whole run on one side
# of every daylight-saving change.
REFERENCE_INSTANT = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def utc_offset_hours(value: object) -> float | None:
    """Hours east of UTC for an IANA zone name or a number of hours; None when unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"timezone must be an IANA name or a number of hours, not {value!r}")
    if isinstance(value, (int, float)):
        hours = float(value)
        if not math.isfinite(hours) or not -14.0 <= hours <= 14.0:
            raise ValueError(f"timezone offset {value!r} is not between -14 and +14 hours")
        return hours
    if isinstance(value, str):
        try:
            zone = ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        offset = REFERENCE_INSTANT.astimezone(zone).utcoffset()
        assert offset is not None
        return offset.total_seconds() / 3600.0
    raise ValueError(f"timezone must be an IANA name or a number of hours, not {value!r}")


def hours_overlap(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return True  # unknown: no reason to avoid the pair
    d = abs(a - b) % 24.0
    return min(d, 24.0 - d) <= OVERLAP_HOURS  # +14 and -10 are two hours apart, not 24
