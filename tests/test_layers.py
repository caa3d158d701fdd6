"""The dependency direction stays one way: bot → scheduler → storage."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"storage": {"bot", "scheduler"}, "scheduler": {"bot"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}



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
