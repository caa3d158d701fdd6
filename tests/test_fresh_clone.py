"""What a newcomer meets on a fresh clone: the README's commands work as written, and the
project's own papers are there."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
# Every page a newcomer may follow: the README, CONTRIBUTING and docs/.
PAGES = [README, (ROOT / "CONTRIBUTING.md").read_text(),
         *(page.read_text() for page in sorted((ROOT / "docs").rglob("*.md")))]


def shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", markdown, flags=re.S)


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, split at ; && | (quoted text kept whole)."""
    lexer = shlex.shlex(block.replace("\\\n", " "), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    found, current = [], []
    for token in lexer:
        if set(token) <= set(";&|"):
            found.append(current)
            current = []
        else:
            current.append(token)
    return [c for c in found + [current] if c]


def test_the_readme_calls_the_program_by_a_path_that_works_from_the_repository_root():
    # A bare `unmentor` only works with the virtualenv activated, which the quick start never does.
    called = [c[0] for doc in PAGES
              for block in shell_blocks(doc) for c in commands(block)]
    assert ".venv/bin/unmentor" in called
    assert "unmentor" not in called
    for program in {p for p in called if p.startswith(".venv/bin/")}:
        assert program in (".venv/bin/unmentor", ".venv/bin/python", ".venv/bin/pip", ".venv/bin/ruff"), program


def test_every_module_the_docs_run_exists():
    for doc in PAGES:
        for block in shell_blocks(doc):
            for command in commands(block):
                if command[:2] == [".venv/bin/python", "-m"] and command[2] != "pytest":
                    path = ROOT / command[2].replace(".", "/")
                    assert path.with_suffix(".py").exists() or (path / "__main__.py").exists(), command


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "unmentor").exists(),
                    reason="the README's commands need the quick start's .venv in the repository root")
def test_the_readmes_match_examples_run_as_written_from_the_repository_root():
    examples = [block for block in shell_blocks(README) if "unmentor match" in block]
    assert examples
    for block in examples:
        result = subprocess.run(["bash", "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        answers = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(answers) == block.count("unmentor match") and all("groups" in a for a in answers)


def test_the_licence_is_the_mit_licence_pyproject_names():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Permission is hereby granted, free of charge" in licence
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()


def test_the_changelog_lists_every_migration():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    migrations = sorted(p.name.split("_")[0] for p in (ROOT / "storage" / "migrations" / "versions").glob("[0-9]*.py"))
    missing = [m for m in migrations if f"`{m}`" not in changelog]
    assert migrations and missing == [], f"list migrations {missing} in CHANGELOG.md under 'Unreleased'"


def test_contributing_covers_tests_benchmarks_the_playground_and_style():
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    headings = re.findall(r"^## (.+)$", contributing, flags=re.M)
    assert {"Tests", "Benchmarks", "Playground", "Style"} <= set(headings)
    assert ".venv/bin/python -m pytest" in contributing


def test_ci_lints_then_runs_the_readmes_test_command_last_and_fails_when_no_tests_ran():
    ci = (ROOT / ".ci" / "run").read_text()
    lines = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "set -euo pipefail" in lines  # any failing step, pytest's exit 5 ("no tests ran") included, fails CI
    assert ".venv/bin/ruff check ." in lines
    assert lines[-1].strip() in [line.strip() for block in shell_blocks(README) for line in block.splitlines()]


def _third_party_imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Top-level names a first-party module imports, following first-party imports to the end."""
    import ast

    first_party = {"benchmarks", "bot", "playground", "scheduler", "storage", "tests"}
    seen = set() if seen is None else seen
    if module in seen:
        return set()
    seen.add(module)
    path = ROOT / module.replace(".", "/")
    path = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
    if not path.exists():
        return set()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] in first_party:
                found |= _third_party_imports(name, seen)
            else:
                found.add(name.split(".")[0])
    return found


def _with_their_dependencies(names: set[str]) -> set[str]:
    from importlib.metadata import PackageNotFoundError, requires

    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        try:
            lines = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [re.match(r"[A-Za-z0-9._-]+", line)[0].lower().replace("_", "-")
                 for line in lines if "extra ==" not in line]
    return found


def test_every_benchmark_the_docs_run_works_after_the_install_they_give_for_it():
    # `bench_matching` needs networkx, `bench_playground` pytest and Playwright: the section that
    # runs a benchmark gives the install it needs, and that install holds everything it imports.
    import sys
    from importlib.metadata import packages_distributions, requires

    needs: dict[str, set[str]] = {}
    for line in requires("unmentor") or []:  # e.g. 'networkx>=3.2; extra == "test"'
        name = re.match(r"[A-Za-z0-9._-]+", line)[0].lower().replace("_", "-")
        extra = re.search(r'extra == "(\w+)"', line)
        needs.setdefault(extra[1] if extra else "", set()).add(name)
    distributions = packages_distributions()
    checked = 0
    for doc in PAGES:
        for section in re.split(r"\n## ", doc):
            for module in sorted(set(re.findall(r"\.venv/bin/python -m (benchmarks\.\w+)", section))):
                installs = re.findall(r"pip install (?:-q )?-e '?\.(?:\[(\w+)\])?'?", section)
                assert installs, f"the section running {module} doesn't say what to install for it"
                allowed = _with_their_dependencies(
                    needs[""] | {d for extra in installs if extra for d in needs.get(extra, set())})
                for name in _third_party_imports(module) - set(sys.stdlib_module_names):
                    dists = {d.lower().replace("_", "-") for d in distributions.get(name, [])}
                    assert dists & allowed or not dists, f"{module} imports {name} ({dists}), not in {installs}"
                checked += 1
    assert checked >= 4
