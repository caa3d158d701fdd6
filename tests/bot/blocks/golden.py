"""Golden files: what each builder sends, checked against Slack's Block Kit schema and against the
JSON file that holds the words and layout people see.

A golden test fails when wording or layout changes. When the change is deliberate, regenerate
the files and review the diff like any other change:

    UNMENTOR_UPDATE_GOLDEN=1 python -m pytest tests/bot/blocks

A payload that breaks Slack's schema is never written, with or without that variable; a file
whose case is gone is removed by the same command.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from playground.slack import spec

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UNMENTOR_UPDATE_GOLDEN") == "1"
UPDATE_COMMAND = "UNMENTOR_UPDATE_GOLDEN=1 python -m pytest tests/bot/blocks"


def slack_problems(payload) -> list[str]:
    """What Slack would refuse in a message, a list of messages, or a view (modal or App Home)."""
    if isinstance(payload, list):
        return [f"part {i}: {p}" for i, message in enumerate(payload) for p in slack_problems(message)]
    if payload.get("type") in ("modal", "home"):
        return spec.view_errors(payload)
    problems = [] if payload.get("text") else ["a message needs its fallback text (notifications show it)"]
    if "blocks" in payload:
        problems += spec.blocks_errors(payload["blocks"])
    return problems


def _dump(payload) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def check(name: str, payload) -> None:
    """Fail unless the payload is valid Block Kit and matches golden/<name>.json (or rewrite it when updating)."""
    problems = slack_problems(payload)
    assert not problems, f"{name} breaks Slack's spec: {problems}"
    path = GOLDEN_DIR / f"{name}.json"
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        if not path.exists() or json.loads(path.read_text()) != json.loads(_dump(payload)):
            path.write_text(_dump(payload))
        return
    assert path.exists(), f"no golden file for {name}: create it with `{UPDATE_COMMAND}`"
    expected = path.read_text()
    if json.loads(expected) != json.loads(_dump(payload)):
        diff = "".join(difflib.unified_diff(expected.splitlines(True), _dump(payload).splitlines(True),
                                            f"golden/{name}.json", "built now"))
        raise AssertionError(f"{name} differs from its golden file (if deliberate: `{UPDATE_COMMAND}`):\n{diff}")
