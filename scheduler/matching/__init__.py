"""Who meets whom each round: a pure function of members, past groups, avoided pairs and a seed.

Where each part lives:
- pairing: the rules (`match`, `Candidate`, `MatchResult`, organisation names, the lower bound);
- blossom: the exact maximum matching (Edmonds' blossom search over implicit neighbours);
- greedy: the quick start that the search completes;
- refine: working-hours swaps between pairs, quick trios for the people left over, and trios
  moved towards shared working hours;
- trios: exact trio placement when the quick pass leaves someone out (Gallai–Edmonds);
- zones: UTC offsets and whether two people share working hours.
"""

from scheduler.matching.pairing import (
    ODD_MODES,
    Candidate,
    MatchResult,
    Odd,
    lower_bound_unmatched,
    match,
    organisation_key,
)
from scheduler.matching.zones import OVERLAP_HOURS, REFERENCE_INSTANT, utc_offset_hours

__all__ = [
    "Candidate",
    "MatchResult",
    "ODD_MODES",
    "Odd",
    "OVERLAP_HOURS",
    "REFERENCE_INSTANT",
    "lower_bound_unmatched",
    "match",
    "organisation_key",
    "utc_offset_hours",
]
