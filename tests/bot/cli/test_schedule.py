"""`unmentor schedule`: organisers see and change when rounds open."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import cli
from storage import members as store
from storage.db import make_engine, session_scope, upgrade


def _workspace(db_url, team_id="T1"):
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as session:
        store.ensure_workspace(session, team_id)
    engine.dispose()


def _invoke(args, db_url):
    return CliRunner().invoke(cli, args, env={"DATABASE_URL": db_url})


def _shown(db_url):
    return json.loads(_invoke(["schedule", "show", "--team", "T1"], db_url).output)


def test_restating_the_cadence_keeps_phase_days_as_the_organisers_modal_does(sqlite_url):
    _workspace(sqlite_url)
    assert _invoke(["schedule", "set", "--team", "T1", "--nudge-days", "12"], sqlite_url).exit_code == 0
    result = _invoke(["schedule", "set", "--team", "T1", "--cadence", "monthly", "--day", "tuesday"], sqlite_url)
    assert result.exit_code == 0, result.output
    shown = _shown(sqlite_url)
    assert (shown["weekday"], shown["nudge_days"]) == (1, 12)
    assert _invoke(["schedule", "set", "--team", "T1", "--cadence", "weekly"], sqlite_url).exit_code == 0
    assert _shown(sqlite_url)["close_days"] == 7
