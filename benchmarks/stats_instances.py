"""Seeded synthetic round histories (members to follow-ups) and a naive stats reference,
for the stats benchmark and tests."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from storage.stats import GONE_FROM_GROUP, MADE_THEN_ENDED, SAID_NOT_MET

# Tables in insertion order: parents before children.
TABLES = ("member", "round", "match_group", "group_member", "meeting_event", "follow_up")

START = datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)
ROUND_EVERY = timedelta(days=28)

# The bot's own no_reply event, with no member on it, when a round closes on a group that never said.
CLOSED_UNHEARD = "closed_unheard"

# How a group's round turned out: (share, events in order). Roughly what a network sees:
# most meet, a good fifth never answer, a few miss or reschedule.
_STORIES = (
    (0.30, ("scheduled", "met")),
    (0.10, ("scheduled", "suggestion_agreed", "met")),  # everyone picked one of the intro's suggested times
    (0.08, ("met",)),
    (0.06, ("scheduled", "reschedule_asked", "scheduled", "met")),
    (0.02, ("reschedule_asked", "reschedule_asked", "met")),
    (0.08, ("scheduled",)),
    (0.04, ("reschedule_asked",)),
    (0.06, ("scheduled", "missed")),
    (0.02, ("reschedule_asked", "left_there")),
    (0.08, ("quiet_nudge", "no_reply")),  # someone heard nothing back, and said so (the pair ends there)
    (0.01, ("stepped_out", "scheduled", "met")),  # a trio's third stepped out; the other two met
    (0.10, (CLOSED_UNHEARD,)),            # nobody said anything: the round closed on them
    (0.08, ()),
)
_STATUS_AFTER = {"met": "met", "scheduled": "scheduled", "reschedule_asked": "rescheduling",
                 "missed": "missed", "no_reply": "ended", "left_there": "missed", CLOSED_UNHEARD: "no_reply"}


def make_history(members: int, rounds: int, seed: int, team_id: str = "T1", *, id_base: int = 0,
                 answer_rate: float = 0.45) -> dict[str, list[dict]]:
    """Rows for every table, with explicit ids (offset by id_base so histories can share a database).

    Most members join before the first round and the rest along the way; about one in twenty
    leaves (their row stays, anonymised, and their answers are gone); each round matches
    the members there at the time, mostly in pairs with a trio for an odd count, and a few
    groups end (re-matched). The last round is still running and has no answers yet.
    """
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    orgs = [f"org {i:03d}" for i in range(max(2, members // 100))]
    last_open = START + ROUND_EVERY * (rounds - 1)

    people = []
    for i in range(members):
        early = rng.random() < 0.96
        joined = START - timedelta(days=rng.uniform(1, 90)) if early else START + (last_open - START) * rng.random()
        left = joined + timedelta(days=rng.uniform(20, 700)) if rng.random() < 0.05 else None
        if left is not None and left > last_open + ROUND_EVERY:
            left = None
        status = "left" if left else rng.choices(("active", "paused", "skipping"), (0.9, 0.07, 0.03))[0]
        org = rng.choice(orgs)
        people.append({
            "id": id_base + i + 1, "team_id": team_id,
            "slack_user_id": None if left else f"U{id_base + i + 1:07d}",
            "organisation": "" if left else org, "organisation_key": "" if left else org,
            "role": "", "talk_about": "", "could_share": "", "timezone": None,
            "status": status, "priority": False, "joined_at": joined, "updated_at": left or joined,
            "left_at": left,
        })
    rows["member"] = people

    group_id = event_id = follow_up_id = id_base
    for r in range(rounds):
        opened = START + ROUND_EVERY * r
        running = r == rounds - 1
        here = [p for p in people if p["joined_at"] < opened and (p["left_at"] is None or p["left_at"] >= opened)]
        # Some sit a round out (paused or skipping that month).
        sitting = {p["id"]: rng.choices(("active", "paused", "skipping"), (0.975, 0.018, 0.007))[0] for p in here}
        active = [p for p in here if sitting[p["id"]] == "active"]
        rng.shuffle(active)
        unmatched = 0
        if len(active) % 2 == 1 and rng.random() < 0.3:
            active, unmatched = active[:-1], 1  # an odd one out this time, not a trio
        groups = [active[i:i + 2] for i in range(0, len(active) - len(active) % 2, 2)]
        if len(active) % 2 == 1 and groups:
            groups[-1] = groups[-1] + [active[-1]]
        round_id = id_base + r + 1
        rows["round"].append({
            "id": round_id, "team_id": team_id, "number": r + 1, "period": opened.strftime("%Y-%m-%d"),
            "seed": rng.randrange(2**31), "state": "open" if running else "closed",
            "opens_at": opened, "nudge_at": opened + timedelta(days=10),
            "follow_up_at": opened + timedelta(days=21), "closes_at": opened + timedelta(days=28),
            "opened_at": opened, "nudged_at": None if running else opened + timedelta(days=10),
            "followed_up_at": None if running else opened + timedelta(days=21),
            "closed_at": None if running else opened + timedelta(days=28),
            "members_active": len(active) + unmatched,
            "members_paused": sum(v == "paused" for v in sitting.values()),
            "members_skipping": sum(v == "skipping" for v in sitting.values()),
            "organisations": len({p["organisation_key"] or p["id"] for p in active}),
            "unmatched": unmatched,
        })
        weights = [w for w, _ in _STORIES]
        for group in groups:
            group_id += 1
            ended = rng.random() < 0.03
            story = () if running and rng.random() < 0.7 else rng.choices(_STORIES, weights)[0][1]
            status = "ended" if ended else (_STATUS_AFTER[story[-1]] if story else "new")
            rows["match_group"].append({
                "id": group_id, "team_id": team_id, "round_id": round_id, "status": status,
                "channel_id": None, "intro_ts": None, "meeting_at": None,
                "cross_organisation": rng.random() < 0.97, "prompts": "[]",
                "created_at": opened, "updated_at": opened,
            })
            for p in group:
                rows["group_member"].append({"group_id": group_id, "member_id": p["id"], "team_id": team_id})
            for k, kind in enumerate(("rematched",) if ended else story):
                event_id += 1
                by = None if kind == CLOSED_UNHEARD else rng.choice(group)["id"]
                rows["meeting_event"].append({
                    "id": event_id, "team_id": team_id, "group_id": group_id, "member_id": by,
                    "kind": "no_reply" if kind == CLOSED_UNHEARD else kind, "note": "",
                    "created_at": opened + timedelta(days=2 + 3 * k),
                })
            if running or ended:
                continue
            for p in group:
                # Answers of members who have since left were deleted with their data.
                if p["left_at"] is not None or rng.random() >= answer_rate:
                    continue
                follow_up_id += 1
                rows["follow_up"].append({
                    "id": follow_up_id, "team_id": team_id, "round_id": round_id, "group_id": group_id,
                    "member_id": p["id"], "learned": f"how round {r + 1} taught lesson {rng.randrange(1000)}",
                    "shared": rng.choice(("", "a book", "a contact", "how we hire")),
                    "stay_in_touch": rng.random() < 0.5, "organisers_may_read": rng.random() < 0.3,
                    "created_at": opened + timedelta(days=22),
                })
    return rows


def naive_round_stats(rows: dict[str, list[dict]], team_id: str) -> list[dict]:
    """The same numbers as storage.stats.round_counts, computed row by row in Python from
    plain dicts (loaded from the database or straight from make_history): the reference."""
    rounds = sorted((r for r in rows["round"] if r["team_id"] == team_id), key=lambda r: r["number"])
    made_then_ended = {e["group_id"] for e in rows["meeting_event"] if e["kind"] in MADE_THEN_ENDED}
    live = {g["id"]: g for g in rows["match_group"]
            if g["team_id"] == team_id and (g["status"] != "ended" or g["id"] in made_then_ended)}
    kinds = defaultdict(set)
    for e in rows["meeting_event"]:
        if e["group_id"] in live:
            unheard = e["kind"] == "no_reply" and e["member_id"] is None
            kinds[e["group_id"]].add(CLOSED_UNHEARD if unheard else e["kind"])
    # Someone going, or hearing nothing back, says a group didn't meet only when it ended there.
    gone = {k.value for k in GONE_FROM_GROUP} | {"no_reply"}
    said_not_met = {k.value for k in SAID_NOT_MET} - gone
    answers = {(f["group_id"], f["member_id"]): f for f in rows["follow_up"]}
    places = defaultdict(list)
    for gm in rows["group_member"]:
        if gm["group_id"] in live:
            places[live[gm["group_id"]]["round_id"]].append(answers.get((gm["group_id"], gm["member_id"])))
    members = [m for m in rows["member"] if m["team_id"] == team_id]
    out, previous = [], None
    for r in rounds:
        def between(t):
            return t is not None and t < r["opened_at"] and (previous is None or t >= previous)

        groups = [g for g in live.values() if g["round_id"] == r["id"]]
        answered = [a for a in places[r["id"]] if a is not None]
        out.append({
            **{k: r[k] for k in ("number", "period", "state", "opened_at", "members_active", "members_paused",
                                 "members_skipping", "organisations", "unmatched")},
            "members_new": sum(between(m["joined_at"]) for m in members),
            "members_left": sum(between(m["left_at"]) for m in members),
            "groups": len(groups),
            "cross_organisation": sum(bool(g["cross_organisation"]) for g in groups),
            **{name: sum(kind in kinds[g["id"]] for g in groups)
               for kind, name in (("met", "met"), ("scheduled", "scheduled"), ("reschedule_asked", "rescheduled"),
                                  ("missed", "missed"), ("suggestion_agreed", "scheduled_by_suggestion"))},
            "didnt_meet": sum("met" not in kinds[g["id"]] and (bool(kinds[g["id"]] & said_not_met) or (
                g["status"] == "ended" and bool(kinds[g["id"]] & gone))) for g in groups),
            "heard_nothing_back": sum("met" not in kinds[g["id"]] and g["status"] == "ended"
                                      and "no_reply" in kinds[g["id"]] for g in groups),
            "members_matched": len(places[r["id"]]),
            "answered": len(answered),
            "stay_in_touch": sum(bool(a["stay_in_touch"]) for a in answered),
        })
        previous = r["opened_at"]
    return out
