"""The Slack specs ship inside the project, and a missing one stops things at once, named."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.slack import FakeSlack, spec

ROOT = Path(__file__).resolve().parents[2]
BESIDE = re.compile(r"\.\./shared|[\"']shared[\"']\s*/")  # ../shared, or a path built as ... / "shared" / ...


def test_nothing_reads_the_folder_beside_the_clone():
    # A clone from GitHub has nothing beside it: no code, test or setting may look there.
    offenders = []
    for path in ROOT.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or not path.is_file():
            continue
        if path.suffix in (".py", ".toml", ".md", ".yml", ".cfg", ".ini", ".txt") or path.name == "run":
            if BESIDE.search(path.read_text(errors="replace")) and path != Path(__file__):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_shipped_specs_carry_every_sources_licence_line():
    notice = (spec.SPEC_DIR / "README.md").read_text()
    for line in ('"Copyright (c) 2017 SlackAPI"', '"Copyright (c) Slack Technologies, LLC"',
                 '"Copyright (c) 2026 Tightknit and slack-block-kit-validator contributors"',
                 '"Copyright (c) 2015- Slack Technologies, LLC"', '"Copyright (c) 2020- Slack Technologies, LLC"'):
        assert line in notice
    assert spec.SPEC_DIR == ROOT / "playground" / "slack" / "slack-spec" or os.environ.get("SLACK_SPEC_DIR")


def test_a_missing_spec_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(spec, "SPEC_DIR", tmp_path)
    with pytest.raises(spec.SpecMissing, match=r"missing: .*slack_web_openapi_v2\.json"):
        spec.require(spec.WEB_API_SPEC)


def test_the_stand_in_refuses_to_start_without_its_specs(monkeypatch, tmp_path):
    monkeypatch.setattr(spec, "SPEC_DIR", tmp_path)
    start = time.monotonic()
    with pytest.raises(spec.SpecMissing, match="slack-block-kit.schema.tightknit.json"):
        FakeSlack().start()
    assert time.monotonic() - start < 1


def test_the_test_run_stops_at_once_naming_the_missing_file(tmp_path):
    copy = tmp_path / "slack-spec"
    shutil.copytree(spec.SPEC_DIR, copy)
    (copy / "payloads" / "bolt-python" / "block_actions.json").unlink()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/scheduler/test_schedule.py"]
    start = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env={**os.environ, "SLACK_SPEC_DIR": str(copy)}, capture_output=True,
                         text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert run.returncode != 0
    assert str(copy / "payloads" / "bolt-python" / "block_actions.json") in run.stdout + run.stderr
    assert " passed" not in run.stdout and " failed" not in run.stdout  # no test ran
    # No slower than pytest merely collecting those tests: the check itself is instant (on a busy
    # machine both take seconds of waiting for a core).
    start = time.monotonic()
    subprocess.run([*command, "--collect-only", "-n", "0"], cwd=ROOT, capture_output=True, timeout=120, check=True)
    assert elapsed < (time.monotonic() - start) + 3
