"""The `unmentor` command: clear one-line errors, migrations, Socket Mode, and the documented commands."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot import cli as cli_module
from tests.botprocess import bot_env, run

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "unset, bad, named",
    [
        ("SLACK_BOT_TOKEN", {}, "SLACK_BOT_TOKEN"),
        (None, {"PORT": "web"}, "PORT"),
        (None, {"DATABASE_URL": "oracle://x"}, "DATABASE_URL"),
        (None, {"UNMENTOR_ORGANISERS": "alice"}, "UNMENTOR_ORGANISERS"),
    ],
)
def test_serve_stops_with_one_clear_line_for_a_bad_setting(tmp_path, sqlite_url, unset, bad, named):
    env = bot_env(sqlite_url, "http://127.0.0.1:9/api/", **bad)
    if unset:
        env[unset] = None  # the runner takes None as "not set"
    result = CliRunner().invoke(cli_module.cli, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"unmentor: {named}")
    assert "Traceback" not in result.stderr + result.stdout


def test_db_upgrade_creates_the_schema_and_is_safe_to_repeat(tmp_path, empty_db_url):
    db_url = empty_db_url
    env = bot_env(db_url, "http://127.0.0.1:9/api/")
    for _ in range(2):
        result = CliRunner().invoke(cli_module.cli, ["db", "upgrade"], env=env)
        assert result.exit_code == 0, result.output
        assert re.search(r"revision \d{4}", result.stdout)


def test_db_upgrade_says_when_the_database_is_unreachable(tmp_path):
    env = bot_env("postgresql://nobody@127.0.0.1:1/none", "http://127.0.0.1:9/api/")
    result = CliRunner().invoke(cli_module.cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 2 and "can't reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_uses_socket_mode_when_an_app_token_is_set(monkeypatch, sqlite_url):
    started = {}

    class FakeSocketModeHandler:
        def __init__(self, app, app_token, web_client=None):
            started.update(app=app, token=app_token)

        def start(self):
            started["running"] = True

        def close(self):
            started["closed"] = True  # stopping lets go of Slack's connection before the sends in hand finish

    def no_http(*args, **kwargs):
        raise AssertionError("HTTP server started in Socket Mode")

    import slack_bolt.adapter.socket_mode as socket_mode

    monkeypatch.setattr(socket_mode, "SocketModeHandler", FakeSocketModeHandler)
    monkeypatch.setattr("bot.server.serve_http", no_http)
    env = bot_env(sqlite_url, "http://127.0.0.1:9/api/", SLACK_APP_TOKEN="xapp-1-A0123ABCD-1234567890-abcdef0123456789")
    result = CliRunner().invoke(cli_module.cli, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        started["token"] == "xapp-1-A0123ABCD-1234567890-abcdef0123456789" and started["running"] and started["closed"]
    )


def test_match_reads_json_and_prints_groups(tmp_path):
    doc = {"members": [{"id": "a", "organisation": "Acme"}, {"id": "b", "organisation": "Beta"},
                       {"id": "c", "organisation": "acme "}], "history": [], "seed": 3, "odd": "sit_out"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli_module.cli, ["match", "--input", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["groups"]) == 1 and len(out["unmatched"]) == 1
    assert "b" in out["groups"][0]


def test_match_never_pairs_colleagues_the_bot_would_call_one_organisation(tmp_path):
    # Five people, two organisations typed five ways: the bot calls them two organisations, so must `match`,
    # which then leaves one Devon person out rather than pair colleagues.
    doc = {"members": [{"id": "d1", "organisation": "Devon CC"}, {"id": "d2", "organisation": "DEVON C.C."},
                       {"id": "d3", "organisation": "Devon County Council"}, {"id": "a1", "organisation": "Acme Ltd"},
                       {"id": "a2", "organisation": "ACME"}],
           "history": [], "seed": 1, "odd": "trio"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli_module.cli, ["match", "--input", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert sorted(sorted(m[0] for m in group) for group in out["groups"]) == [["a", "d"], ["a", "d"]]
    assert len(out["unmatched"]) == 1 and out["unmatched"][0].startswith("d")


def test_match_says_when_the_seed_is_missing(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"members": [], "history": []}))
    result = CliRunner().invoke(cli_module.cli, ["match", "--input", str(path)])
    assert result.exit_code == 2 and '"seed" is missing' in result.stderr


def test_match_explains_bad_input(tmp_path):
    path = tmp_path / "in.json"
    path.write_text("{not json")
    result = CliRunner().invoke(cli_module.cli, ["match", "--input", str(path)])
    assert result.exit_code == 2 and "isn't valid JSON" in result.output


def test_a_fresh_database_with_the_example_env_answers_the_first_commands(tmp_path, monkeypatch):
    # A newcomer's first hour: `cp .env.example .env`, no Slack app yet, nobody has typed /unmentor.
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    env = {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_SIGNING_SECRET": "your-signing-secret",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'unmentor.db'}"}

    def answer(*args):
        result = CliRunner().invoke(cli_module.cli, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "No rounds yet: the first opens" in answer("stats")
    assert "Rounds open on the first Monday of each month" in answer("schedule", "show")
    assert "82 prompts" in answer("prompts", "show")
    assert "nobody has joined yet" in answer("round", "open", "--dry-run")


def test_a_placeholder_token_says_which_file_it_was_read_from(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    env = {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_SIGNING_SECRET": "your-signing-secret",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'unmentor.db'}"}
    result = CliRunner().invoke(cli_module.cli, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert f"read from {tmp_path / '.env'}" in line and "'Creating the Slack app'" in line
    assert "## Creating the Slack app" in (ROOT / "README.md").read_text()


def _commands(group, prefix=""):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_command_is_in_the_readme_and_every_setting_in_the_operating_guide():
    readme = (ROOT / "README.md").read_text()
    missing = [c for c in _commands(cli_module.cli) if f"unmentor {c}" not in readme]
    operating = (ROOT / "docs" / "operating.md").read_text()
    settings = re.findall(r'"([A-Z_]{4,})"', (ROOT / "bot" / "config.py").read_text())
    missing += [s for s in set(settings) if f"`{s}`" not in operating]
    assert missing == []


def test_procfile_migrates_serves_and_runs_the_clock_alone():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert procfile["release"] == "unmentor db upgrade"
    assert procfile["web"].startswith("unmentor serve") and "--no-scheduler" in procfile["web"]
    assert procfile["clock"] == "unmentor clock"


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if "pytest" in line)
    assert command.strip() in readme


def _invoke(args, db_url):
    return CliRunner().invoke(cli_module.cli, args, env={"DATABASE_URL": db_url})


def _workspace(db_url, team_id="T1"):
    """A workspace the database knows (as after someone's first /unmentor there)."""
    from storage import members as member_store
    from storage.db import make_engine, session_scope, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, team_id)
    engine.dispose()


def test_organisers_change_the_schedule_and_bad_changes_change_nothing(sqlite_url):
    _workspace(sqlite_url)
    result = _invoke(["schedule", "set", "--team", "T1", "--cadence", "fortnightly", "--day", "wednesday",
                      "--time", "14:30", "--timezone", "Europe/Paris", "--country", "FR"], sqlite_url)
    assert result.exit_code == 0, result.output
    shown = json.loads(_invoke(["schedule", "show", "--team", "T1", "--format", "json"], sqlite_url).output)
    assert (shown["cadence"], shown["weekday"], shown["hour"], shown["minute"]) == ("fortnightly", 2, 14, 30)
    assert (shown["timezone"], shown["country"], shown["close_days"]) == ("Europe/Paris", "FR", 14)
    opens = datetime.fromisoformat(shown["next_round_opens_at"])
    assert opens.weekday() == 2 and opens.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "14:30"

    bad = _invoke(["schedule", "set", "--team", "T1", "--close-days", "40"], sqlite_url)
    assert bad.exit_code == 2 and "Nothing was changed" in bad.output
    bad = _invoke(["schedule", "set", "--team", "T1", "--time", "teatime"], sqlite_url)
    assert bad.exit_code == 2 and "24-hour" in bad.output
    assert json.loads(_invoke(["schedule", "show", "--team", "T1", "--format", "json"], sqlite_url).output) == shown


def test_organisers_replace_the_prompt_library_with_their_own_file(sqlite_url, tmp_path):
    mine = {"name": "Charity sector", "themes": {
        "money": {"title": "Funding", "prompts": [{"id": f"m{i}", "text": f"Funding question {i}?"} for i in range(3)]},
        "people": {"title": "Volunteers", "prompts": [{"id": "p1", "text": "How do you thank volunteers?"}]},
    }}
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps(mine))
    _workspace(sqlite_url)
    result = _invoke(["prompts", "load", "--team", "T1", str(path)], sqlite_url)
    assert result.exit_code == 0, result.output
    assert "4 prompts in 2 themes" in result.output
    shown = _invoke(["prompts", "show", "--team", "T1"], sqlite_url).output
    assert "Charity sector" in shown and "How do you thank volunteers?" in shown

    path.write_text(
        json.dumps({"themes": {"x": {"prompts": [{"id": "a", "text": "one"}, {"id": "a", "text": "two"}]}}})
    )
    bad = _invoke(["prompts", "load", "--team", "T1", str(path)], sqlite_url)
    assert bad.exit_code == 2 and "used twice" in bad.output and "Nothing was changed" in bad.output
    assert "Charity sector" in _invoke(["prompts", "show", "--team", "T1"], sqlite_url).output

    assert _invoke(["prompts", "reset", "--team", "T1"], sqlite_url).exit_code == 0
    assert "unmentor default prompts" in _invoke(["prompts", "show", "--team", "T1"], sqlite_url).output


def test_stats_prints_every_round_as_a_table_json_or_csv(db_url):
    from datetime import timezone as tz

    from storage.db import make_engine, session_scope, upgrade
    from storage.models import Group, MeetingEvent, Round

    _workspace(db_url)
    engine = make_engine(db_url)
    upgrade(engine)
    opened = datetime(2026, 12, 7, 10, tzinfo=tz.utc)
    with session_scope(engine) as session:
        for number in (1, 2):
            round_ = Round(team_id="T1", number=number, period=f"p{number}", seed=1, state="closed",
                           opens_at=opened, nudge_at=opened, follow_up_at=opened, closes_at=opened, opened_at=opened,
                           members_active=4)
            session.add(round_)
            session.flush()
            for met in (True, number == 1):
                group = Group(team_id="T1", round_id=round_.id, status="met" if met else "new")
                session.add(group)
                session.flush()
                if met:
                    session.add(MeetingEvent(team_id="T1", group_id=group.id, kind="met"))
    table = _invoke(["stats", "--team", "T1"], db_url)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["round", "period", "state"] and len(lines) == 4
    assert "100%" in lines[1] and "50%" in lines[2] and lines[3].endswith("█▅")
    rows = list(csv.DictReader(io.StringIO(_invoke(["stats", "--team", "T1", "--format", "csv"], db_url).output)))
    assert [(r["number"], r["groups"], r["met"]) for r in rows] == [("1", "2", "2"), ("2", "2", "1")]
    one = json.loads(_invoke(["stats", "--team", "T1", "--round", "2", "--format", "json"], db_url).output)
    assert [(r["number"], r["met_rate"]) for r in one] == [(2, 0.5)]
    missing = _invoke(["stats", "--team", "T1", "--round", "7"], db_url)
    assert missing.exit_code == 2 and "no round 7" in missing.output
    engine.dispose()


def test_settings_come_from_a_dotenv_file_in_the_folder_the_bot_starts_in(tmp_path, sqlite_url):
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-1234567890-1234567890-fromDotenvFile0123456789\nSLACK_SIGNING_SECRET=not valid!\n"
    )
    env = bot_env(sqlite_url, "http://127.0.0.1:9/api/")
    env.pop("SLACK_BOT_TOKEN")
    env.pop("SLACK_SIGNING_SECRET")
    result = run(["serve", "--no-scheduler"], env, str(tmp_path), timeout=60)
    # The token came from .env (no complaint about it); the malformed secret there is named.
    assert result.returncode == 2 and result.stderr.startswith("unmentor: SLACK_SIGNING_SECRET looks malformed")


def test_a_serve_stopped_in_process_leaves_sending_on_for_what_runs_next(monkeypatch, sqlite_url, fake_slack):
    # Stopping holds back new sends only while the stop is under way: anything run in this
    # process afterwards (the next test, say) delivers as usual.
    from bot.app import make_client
    from bot.config import Settings
    from bot.gateway import SlackGateway
    from scheduler import delivery, rounds
    from storage.db import make_engine
    from tests.conftest import BOT_TOKEN
    from tests.personas import TEAM, seed_members

    class Stopped:
        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            raise KeyboardInterrupt  # Ctrl-C, or SIGTERM, straight away

        def close(self):
            pass

    import slack_bolt.adapter.socket_mode as socket_mode

    monkeypatch.setattr(socket_mode, "SocketModeHandler", Stopped)
    env = bot_env(sqlite_url, fake_slack.api_url, SLACK_APP_TOKEN="xapp-1-A0123ABCD-1234567890-abcdef0123456789")
    result = CliRunner().invoke(cli_module.cli, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 0, result.output
    seed_members(sqlite_url, fake_slack, 4)
    engine = make_engine(sqlite_url)
    assert rounds.open_round(engine, TEAM, manual=True).reason == "opened"
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))
    assert delivery.deliver(engine, TEAM, gateway, pace=0).sent == 2
    engine.dispose()
