"""`unmentor schedule`: organisers see and change when rounds open."""

from __future__ import annotations

import json

from click.testing import CliRunner
from freezegun import freeze_time

from bot.cli import cli
from tests.personas import add_workspace


def _invoke(args, db_url):
    return CliRunner().invoke(cli, args, env={"DATABASE_URL": db_url})


def _shown(db_url):
    return json.loads(_invoke(["schedule", "show", "--team", "T1", "--format", "json"], db_url).output)


def test_restating_the_cadence_keeps_phase_days_as_the_organisers_modal_does(sqlite_url):
    add_workspace(sqlite_url, "T1")
    assert _invoke(["schedule", "set", "--team", "T1", "--nudge-days", "12"], sqlite_url).exit_code == 0
    result = _invoke(["schedule", "set", "--team", "T1", "--cadence", "monthly", "--day", "tuesday"], sqlite_url)
    assert result.exit_code == 0, result.output
    shown = _shown(sqlite_url)
    assert (shown["weekday"], shown["nudge_days"]) == (1, 12)
    assert _invoke(["schedule", "set", "--team", "T1", "--cadence", "weekly"], sqlite_url).exit_code == 0
    assert _shown(sqlite_url)["close_days"] == 7


@freeze_time("2026-12-01 20:00:00")
def test_the_schedule_reads_as_sentences_with_the_next_opening_in_the_workspaces_time(sqlite_url):
    add_workspace(sqlite_url, "T1")
    saved = _invoke(["schedule", "set", "--day", "tuesday", "--time", "09:00", "--timezone", "America/New_York",
                     "--country", "none"], sqlite_url)
    # 1 December's opening (14:00 UTC) has passed; the next is January's first Tuesday, 09:00 in New York.
    assert saved.output == "Schedule saved. The next round opens Tuesday 5 January 2027 at 09:00 (America/New_York).\n"
    shown = _invoke(["schedule", "show"], sqlite_url)
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines() == [
        "Rounds open on the first Tuesday of each month at 09:00 (America/New_York). Public holidays don't move it.",
        "A heads-up goes out 3 days before. Then, counting from the opening: the nudge after 10 days, "
        "the follow-up after 21 and the close after 28.",
        "With an odd number of people, one group is a trio.",
        "Slack guests are left out of rounds.",
        "The next round opens Tuesday 5 January 2027 at 09:00 (America/New_York).",
    ]
    # An organiser includes guests, as Donut lets them; the rest of the schedule stays as it was.
    assert _invoke(["schedule", "set", "--guests", "include"], sqlite_url).exit_code == 0
    shown = _invoke(["schedule", "show"], sqlite_url).output.splitlines()
    assert shown[3] == "Slack guests are matched like anyone else."
    assert shown[0].startswith("Rounds open on the first Tuesday")
