"""Who makes the first move in a new group: a fair rule that takes turns.

Whoever has started fewest chats so far goes first; between equals, whoever started one
least recently (never beats any time); a draw from the round's seed settles the rest. So
someone who started last time hands the turn to a partner who didn't.
"""

from __future__ import annotations

import random
from typing import Mapping, Sequence


def choose(member_ids: Sequence[int], moves: Mapping[int, tuple[int, int]], rng: random.Random) -> int:
    """The member id to name in the intro; `moves` maps id -> (first moves made, latest group id or -1)."""
    def turn(member_id: int) -> tuple[int, int]:
        return moves.get(member_id, (0, -1))

    best = min(turn(m) for m in member_ids)
    return rng.choice(sorted(m for m in member_ids if turn(m) == best))
