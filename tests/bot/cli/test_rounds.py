"""`unmentor round`: phases by hand, as an operator reads them."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import cli
from tests.bot.cli.test_schedule import _workspace
from tests.botprocess import bot_env


def test_a_preview_of_an_empty_workspace_says_how_people_join(sqlite_url):
    _workspace(sqlite_url)
    result = CliRunner().invoke(cli, ["round", "open", "--dry-run"], env=bot_env(sqlite_url, "http://127.0.0.1:9/api/"))
    assert result.exit_code == 0, result.output
    assert "nobody has joined yet" in result.output and "/unmentor join" in result.output
