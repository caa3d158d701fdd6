"""The bot never reaches for the playground. (The layers, bot → scheduler → storage, and the absence of
import cycles are import-linter contracts in pyproject.toml, which `.ci/run` checks with `lint-imports`.)"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_bot_never_knows_it_is_in_the_playground():
    # Only the `unmentor playground` command itself may reach for the playground.
    allowed = {ROOT / "bot" / "cli" / "playground.py", ROOT / "bot" / "cli" / "__init__.py"}
    offenders = sorted(
        str(path.relative_to(ROOT))
        for package in ("bot", "scheduler", "storage")
        for path in (ROOT / package).rglob("*.py")
        if path not in allowed and ("playground" in _imports(path) or "playground" in path.read_text().lower())
    )
    assert offenders == []
