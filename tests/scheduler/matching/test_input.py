"""`unmentor match --input FILE`: the JSON an operator gives the matcher, checked before it runs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot import cli as cli_module
from scheduler.matching import Candidate, MatchResult, match
from tests.scheduler.matching.test_matching import assert_valid


class BadInput(ValueError):
    pass


def run_match(doc) -> dict:
    """Run `unmentor match --input -` on a document: its JSON output, or BadInput with its message."""
    result = CliRunner().invoke(cli_module.cli, ["match", "--input", "-"], input=json.dumps(doc))
    if result.exit_code == 2:
        raise BadInput(result.output)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_match_input_round_trip():
    doc = {
        "members": [
            {"id": "ana", "organisation": "Acme", "timezone": "Europe/Lisbon"},
            {"id": "ben", "organisation": "Beta", "timezone": 1},
            {"id": "cy", "organisation": " acme ", "timezone": "Asia/Tokyo"},
            {"id": "dee", "organisation": "Delta"},
            {"id": "eve", "organisation": "Echo", "timezone": None, "priority": True},
        ],
        "history": [["ana", "ben"], ["cy", "someone-who-left"]],
        "seed": 11,
        "odd": "sit_out",
    }
    out = run_match(doc)
    assert set(out) == {"groups", "unmatched"}
    assert all(isinstance(g, list) for g in out["groups"])
    people = [
        Candidate("ana", "Acme", 0.0),
        Candidate("ben", "Beta", 1.0),
        Candidate("cy", " acme ", 9.0),
        Candidate("dee", "Delta"),
        Candidate("eve", "Echo", None, True),
    ]
    expected_history = [("ana", "ben"), ("cy", "someone-who-left")]
    expected = match(people, expected_history, 11, "sit_out")
    assert out == {"groups": [list(g) for g in expected.groups], "unmatched": expected.unmatched}
    assert "eve" not in out["unmatched"]
    assert ["ana", "ben"] not in out["groups"]
    trio = run_match({**doc, "odd": "trio"})
    assert len(trio["unmatched"]) <= len(out["unmatched"])
    assert_valid(people, expected_history, MatchResult([tuple(g) for g in trio["groups"]], trio["unmatched"]), "trio")


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "JSON object"),
        ({"seed": 1}, "members"),
        ({"members": [{"organisation": "A"}], "seed": 1}, "no id"),
        ({"members": [{"id": "", "organisation": "A"}], "seed": 1}, "no id"),
        (
            {"members": [{"id": "a", "organisation": "A"}, {"id": "a", "organisation": "B"}], "seed": 1},
            "duplicate member id 'a'",
        ),
        ({"members": [{"id": "a"}], "seed": 1}, "no organisation"),
        ({"members": [{"id": "a", "organisation": "A", "timezone": "Mars/Olympus"}], "seed": 1}, "unknown timezone"),
        ({"members": [{"id": "a", "organisation": "A", "timezone": 99}], "seed": 1}, "between -14 and"),
        ({"members": [{"id": "a", "organisation": "A", "timezone": True}], "seed": 1}, "timezone"),
        ({"members": [{"id": "a", "organisation": "A", "priority": "yes"}], "seed": 1}, "priority"),
        ({"members": [], "history": [["a"]], "seed": 1}, r"history\[0\]"),
        ({"members": [], "history": "a,b", "seed": 1}, "history"),
        ({"members": [], "history": [["a", 2]], "seed": 1}, r"history\[0\]"),
        ({"members": []}, "seed"),
        ({"members": [], "seed": "7"}, "seed"),
        ({"members": [], "seed": 1, "odd": "pair"}, "odd"),
        ({"members": [], "seed": 1, "avoid": "a,b"}, "avoid"),
        ({"members": [], "seed": 1, "avoid": [["a"]]}, r"avoid\[0\]"),
        ({"members": [], "seed": 1, "avoid": [["a", "b", "c"]]}, r"avoid\[0\]"),
        ({"members": [], "seed": 1, "avoid": [["a", 2]]}, r"avoid\[0\]"),
    ],
)
def test_match_input_rejects_malformed_input(doc, message):
    with pytest.raises(BadInput, match=message):
        run_match(doc)


def test_match_input_accepts_past_trios():
    doc = {
        "members": [{"id": x, "organisation": x.upper()} for x in "abcd"],
        "history": [["a", "b", "c"]],
        "seed": 3,
        "odd": "sit_out",
    }
    out = run_match(doc)
    assert len(out["groups"]) == 1 and "d" in out["groups"][0]
