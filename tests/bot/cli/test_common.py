"""Which workspace a command is for: the only one, the one named, or a clear way to find it.

A name is taken only when it looks like Slack's and is a workspace this database knows or the
bot token's own, so `--team tpyo` never starts an empty workspace of its own.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from playground.slack import TEAM_ID as TOKEN_TEAM
from storage import members as member_store
from storage.db import make_engine, session_scope, upgrade
from tests.botprocess import bot_env

READING = [["schedule", "show"], ["stats"], ["prompts", "show"]]


def _invoke(args, env):
    return CliRunner().invoke(cli, args, env=env)


def _workspaces(url) -> list[str]:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        teams = member_store.team_ids(session)
    engine.dispose()
    return teams


def _add_workspace(url, team_id):
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, team_id)
    engine.dispose()


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_with_one_workspace_the_commands_need_no_team(db_url, args):
    _add_workspace(db_url, "T0ACME")
    result = _invoke(args, {"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_with_no_workspace_yet_the_operator_is_told_how_one_comes_to_be_known(sqlite_url, args):
    # The command still answers, as for a new workspace (the default schedule, the built-in prompts, no rounds).
    result = _invoke(args, {"DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output
    assert "The first /unmentor" in result.stderr and result.stdout.strip()
    assert "The first /unmentor" in result.output and "SLACK_BOT_TOKEN" in result.output
    # Not "name one with --team": a workspace this database has never seen would be refused.
    assert "--team" not in result.output
    assert _workspaces(sqlite_url) == []


@pytest.mark.parametrize("team", ["tpyo", "T12;DROP", "t0acme", "U0ACME"])
def test_a_team_that_does_not_look_like_slacks_is_refused_and_creates_nothing(sqlite_url, team):
    result = _invoke(["schedule", "set", "--team", team, "--day", "friday"], {"DATABASE_URL": sqlite_url})
    assert result.exit_code == 2 and "isn't a Slack team ID" in result.output and "T012AB3CD" in result.output
    assert _workspaces(sqlite_url) == []


def test_an_unknown_team_is_refused_naming_the_known_ones(db_url):
    _add_workspace(db_url, "T0ACME")
    result = _invoke(["prompts", "reset", "--team", "T0ACNE"], {"DATABASE_URL": db_url})
    assert result.exit_code == 2 and "no workspace T0ACNE" in result.output and "T0ACME" in result.output
    assert _workspaces(db_url) == ["T0ACME"]


def test_with_a_bot_token_its_own_workspace_is_used_and_no_other(sqlite_url, slack):
    env = bot_env(sqlite_url, slack.api_url)
    first = _invoke(["schedule", "show"], env)
    assert first.exit_code == 0, first.output
    assert _workspaces(sqlite_url) == [TOKEN_TEAM]
    assert _invoke(["stats", "--team", TOKEN_TEAM], env).exit_code == 0
    other = _invoke(["stats", "--team", "T0ELSE"], env)
    assert other.exit_code == 2 and f"the bot token's own is {TOKEN_TEAM}" in other.output
    assert _workspaces(sqlite_url) == [TOKEN_TEAM]


def test_when_slack_does_not_answer_the_operator_hears_so(sqlite_url):
    from tests.botprocess import free_port

    env = bot_env(sqlite_url, f"http://127.0.0.1:{free_port()}/api/")
    result = _invoke(["schedule", "set", "--day", "friday"], env)
    assert result.exit_code == 2 and "auth.test didn't answer" in result.output


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_the_example_env_placeholder_token_is_no_token_and_slack_is_not_asked(sqlite_url, slack, args):
    # Straight after `cp .env.example .env`: asking Slack with xoxb-your-bot-token only fails, slowly.
    env = bot_env(sqlite_url, slack.api_url, SLACK_BOT_TOKEN="xoxb-your-bot-token")
    result = _invoke(args, env)
    assert result.exit_code == 0 and "The first /unmentor" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr
    assert "auth.test" not in result.output
    assert slack.calls_to("auth.test") == []
