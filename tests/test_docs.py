"""The docs stay true: every path, command, option and setting they name exists (datasette keeps its
docs honest the same way). A rename that forgets the README fails here, not in a newcomer's terminal."""

import re
from pathlib import Path

import click
import pytest

from bot.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
# Where a file, setting or module the docs name may live.
SOURCES = ("bot", "scheduler", "storage", "playground", "tests", "benchmarks")
# Names the docs use that are someone else's (Slack's, Debian's, a URL's), not ours to check.
NOT_OURS = ("://", ".com", ".org", ".gov.uk", "…")
TOP_LEVEL = {path.name for path in ROOT.iterdir()}


def _spans(text: str) -> list[str]:
    """What the docs set as code: `inline` spans and the lines of fenced blocks."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    outside = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    return re.findall(r"`([^`\n]+)`", outside) + [line for block in fenced for line in block.splitlines()]


def _named(pattern: str) -> list[tuple[str, str]]:
    """(doc, name) for every match of `pattern` in the docs' code."""
    found = []
    for doc in DOCS:
        for span in _spans(doc.read_text()):
            found += [(doc.name, m) for m in re.findall(pattern, span)]
    return found


def _source_text() -> str:
    code = [path.read_text(errors="ignore") for package in SOURCES for path in (ROOT / package).rglob("*.py")]
    return "\n".join(code) + (ROOT / ".ci" / "run").read_text()


def _paths() -> list[tuple[str, str]]:
    names = []
    for doc, token in _named(r"(?:^|\s|=)([\w.*-]*[\w*]/[\w./*-]*|[\w.-]+\.(?:py|md|json|toml|yml|db))(?=$|[\s:\])])"):
        if token.startswith((".venv/", "/")) or any(part in token for part in NOT_OURS):
            continue
        # A path is one with a file's ending, a folder's slash, or a top-level folder of ours first;
        # not a time zone (Europe/London) or a rate (600/min).
        looks_like_a_path = re.search(r"\.\w+$", token) or token.endswith("/") or token.split("/")[0] in TOP_LEVEL
        if not looks_like_a_path:
            continue
        names.append((doc, token))
    return names


def test_the_docs_name_paths_that_exist():
    source = _source_text()
    missing = []
    for doc, token in _paths():
        if "/" in token:
            exists = any(ROOT.glob(token.rstrip("/"))) if "*" in token else (ROOT / token).exists()
        else:
            # A bare file name: one in the repository, or one the program itself writes (named in its code).
            exists = any(any((ROOT / p).rglob(token)) for p in SOURCES) or (ROOT / token).exists() or token in source
        if not exists:
            missing.append(f"{doc}: {token}")
    assert missing == []


def _commands() -> list[tuple[str, list[str]]]:
    """Each `unmentor …` invocation the docs show, as its words (from the ones in backticks or code blocks)."""
    found = []
    # After a space or `.venv/bin/`: `/unmentor join` is a slash command in Slack, not the CLI.
    for doc, tail in _named(r"(?:^|\s|bin/)unmentor((?: +[\w@.:/|\[\]=-]+)*)"):
        words = [w for w in tail.replace("[", " ").replace("]", " ").split() if w]
        found.append((doc, words))
    return found


def _check(words: list[str]) -> str | None:
    """What is wrong with `unmentor <words>`, or None: each word a command of the group before it, until
    a command that takes words of its own; each option one that command has."""
    command: click.Command = cli
    name = "unmentor"
    for word in words:
        if word.startswith("-") and word != "-":  # a lone "-" is standard input, not an option
            option = word.split("=")[0]
            if option not in {o for p in command.params for o in p.opts} | {"--help"}:
                return f"{name} has no option {option}"
        elif isinstance(command, click.Group):
            if word not in command.commands:
                return f"{name} has no command {word!r}"
            command, name = command.commands[word], f"{name} {word}"
    return None


def test_the_docs_name_commands_and_options_that_exist():
    wrong = []
    for doc, words in _commands():
        problem = _check(words)
        if problem:
            wrong.append(f"{doc}: unmentor {' '.join(words)}: {problem}")
    assert wrong == []


def test_the_docs_name_settings_the_code_reads():
    source = _source_text()
    unknown = sorted({f"{doc}: {name}" for doc, name in _named(r"\b((?:UNMENTOR|SLACK)_[A-Z0-9_]+|DATABASE_URL)\b")
                      if f'"{name}"' not in source and f"'{name}'" not in source and f"{name}=" not in source})
    assert unknown == []


def test_the_docs_run_modules_that_exist():
    missing = []
    for doc, module in _named(r"python -m ([\w.]+)"):
        package = module.split(".")[0]
        if package in SOURCES and not ((ROOT / module.replace(".", "/")).with_suffix(".py").exists()
                                       or (ROOT / module.replace(".", "/") / "__main__.py").exists()):
            missing.append(f"{doc}: python -m {module}")
    assert missing == []


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name):
    assert f"unmentor {name}" in (ROOT / "README.md").read_text()



def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_between_the_docs_lands_on_a_page_and_a_heading_that_exist():
    # Sections move between the README and docs/: a link left pointing at the old place fails here.
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
            if "://" in target:
                continue
            page, _, anchor = target.partition("#")
            path = (doc.parent / page).resolve() if page else doc
            if not path.exists():
                broken.append(f"{doc.name}: {target}")
            elif anchor and path.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", path.read_text(), re.M)
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{doc.name}: {target}")
    assert broken == []
