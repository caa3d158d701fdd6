"""What every command group shares: one-line failures, settings, the database, and which workspace."""

from __future__ import annotations

import sys

import click

from bot.config import SettingError, Settings, load_database_url, load_settings


def fail(message: str) -> None:
    click.echo(f"unmentor: {message}", err=True)
    sys.exit(2)


def settings(need_slack: bool = True) -> Settings:
    try:
        return load_settings(need_slack=need_slack)
    except SettingError as problem:
        fail(str(problem))


def database_url() -> str:
    try:
        return load_database_url()
    except SettingError as problem:
        fail(str(problem))


def engine_for(url: str):
    from sqlalchemy.exc import OperationalError

    from storage.db import make_engine, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as error:
        fail(f"can't reach the database in DATABASE_URL ({error.orig.__class__.__name__}): is it running?")
    return engine


def team_for_round(engine, client, team: str | None) -> str:
    from storage import members as store
    from storage.db import session_scope

    if team:
        return team
    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if len(teams) == 1:
        return teams[0]
    if len(teams) > 1:
        fail(f"this database serves several workspaces ({', '.join(teams)}): say which with --team")
    from bot.clock import ensure_own_workspace

    ensure_own_workspace(engine, client)
    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if not teams:
        fail("no workspace yet: nobody has used the bot and Slack's auth.test didn't answer")
    return teams[0]


def round_tools(team: str | None):
    """Database, Slack client and workspace for the commands that send."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import make_client

    client = make_client(current)
    return engine, client, team_for_round(engine, client, team)


def local_tools(team: str | None):
    """Database and workspace for commands that change settings (no Slack call unless the team is unknown)."""
    engine = engine_for(database_url())
    if team:
        return engine, team
    from storage import members as store
    from storage.db import session_scope

    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if len(teams) != 1:
        fail("say which workspace with --team (a Slack team ID like T012AB3CD)")
    return engine, teams[0]


TEAM_OPTION = click.option("--team", default=None, help="Slack team ID, when the database serves several workspaces.")
PACE_OPTION = click.option(
    "--pace", type=click.FloatRange(0, 60), default=1.2, show_default=True,
    help="Seconds between sends (Slack's conversations.open allows about 50 a minute).",
)
