"""`unmentor stats` before any round has run."""

from __future__ import annotations

from click.testing import CliRunner
from freezegun import freeze_time

from bot.cli import cli
from tests.personas import add_workspace


@freeze_time("2026-12-01 12:00:00")
def test_stats_with_no_rounds_yet_say_so_and_when_the_first_opens(db_url):
    add_workspace(db_url, "T1")
    result = CliRunner().invoke(cli, ["stats"], env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert result.output == "No rounds yet: the first opens Monday 7 December 2026 at 10:00 (Europe/London).\n"
