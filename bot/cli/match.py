"""`unmentor match`: the matcher on a JSON file, with no database and no Slack."""

from __future__ import annotations

import json

import click

from bot.cli.common import fail
from scheduler import organisations
from scheduler.matching import ODD_MODES, Candidate, Odd, utc_offset_hours
from scheduler.matching import match as run_matcher


@click.command()
@click.option(
    "--input",
    "input_file",
    type=click.File("r"),
    required=True,
    help="JSON file of members and history ('-' for stdin).",
)
def match(input_file) -> None:
    """Run the matcher on a JSON file and print the groups."""
    try:
        doc = json.load(input_file)
    except json.JSONDecodeError as error:
        fail(f"the input isn't valid JSON: {error}")
    try:
        candidates, history, seed, odd, avoid = read_match_input(doc)
    except ValueError as problem:
        fail(str(problem))
    result = run_matcher(candidates, history, seed, odd, avoid=avoid)
    click.echo(json.dumps({"groups": [list(g) for g in result.groups], "unmatched": list(result.unmatched)}))


def read_match_input(doc: object) -> tuple[list, list[tuple[str, str]], int, str, list[tuple[str, str]]]:
    """Check an `unmentor match` document and turn it into the matcher's arguments.

    Input: {"members": [{"id", "organisation", "email_domain"?, "timezone"?, "priority"?}],
    "history": [[id, id], ...], "seed": int, "odd": "trio" | "sit_out", "avoid"?: [[id, id], ...]}.
    Past trios may be given as [id, id, id]; avoid lists pairs never to be grouped, in either order.
    Who counts as a colleague is decided as the bot decides it (`scheduler.organisations`), so
    "Devon CC" and "Devon County Council" are never paired here either.
    """
    if not isinstance(doc, dict):
        raise ValueError("input must be a JSON object")
    members = doc.get("members")
    if not isinstance(members, list):
        raise ValueError('"members" must be a list of objects')
    people: list[tuple[str, str, str | None, float | None, bool]] = []
    seen: set[str] = set()
    for i, m in enumerate(members):
        if not isinstance(m, dict):
            raise ValueError(f"members[{i}] must be an object")
        mid = m.get("id")
        if not isinstance(mid, str) or not mid.strip():
            raise ValueError(f"members[{i}] has no id (a non-empty string is required)")
        if mid in seen:
            raise ValueError(f"duplicate member id {mid!r}")
        seen.add(mid)
        organisation = m.get("organisation")
        if not isinstance(organisation, str) or not organisation.strip():
            raise ValueError(f"member {mid!r} has no organisation (a non-empty string is required)")
        domain = m.get("email_domain")
        if domain is not None and not isinstance(domain, str):
            raise ValueError(f"member {mid!r}: email_domain must be a string such as \"devon.gov.uk\"")
        try:
            offset = utc_offset_hours(m.get("timezone"))
        except ValueError as exc:
            raise ValueError(f"member {mid!r}: {exc}") from None
        priority = m.get("priority", False)
        if not isinstance(priority, bool):
            raise ValueError(f"member {mid!r}: priority must be true or false")
        people.append((mid, organisation, domain, offset, priority))
    # The matcher compares keys only: the bot's own rule turns names (and work domains) into them.
    keys = organisations.colleague_keys({mid: (organisation, domain) for mid, organisation, domain, _, _ in people})
    candidates = [Candidate(mid, keys[mid], offset, priority) for mid, _, _, offset, priority in people]

    raw_history = doc.get("history", [])
    if not isinstance(raw_history, list):
        raise ValueError('"history" must be a list of [id, id] pairs')
    history: list[tuple[str, str]] = []
    for i, group in enumerate(raw_history):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(x, str) for x in group):
            raise ValueError(f"history[{i}] must be a list of two (or three) member ids")
        history.extend((a, b) for j, a in enumerate(group) for b in group[j + 1 :])

    if "seed" not in doc:
        raise ValueError('"seed" is missing: give any whole number, e.g. "seed": 1 (the same seed, the same groups)')
    seed = doc.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError('"seed" must be an integer')
    odd = doc.get("odd", Odd.trio.value)
    if odd not in ODD_MODES:
        raise ValueError(f'"odd" must be "trio" or "sit_out", not {odd!r}')
    raw_avoid = doc.get("avoid", [])
    if not isinstance(raw_avoid, list):
        raise ValueError('"avoid" must be a list of [id, id] pairs')
    avoid: list[tuple[str, str]] = []
    for i, pair in enumerate(raw_avoid):
        if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, str) for x in pair):
            raise ValueError(f"avoid[{i}] must be a list of two member ids")
        avoid.append((pair[0], pair[1]))
    return candidates, history, seed, odd, avoid
