"""What every command group shares: one-line failures, settings, the database, and which workspace."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

import click

from bot.config import SettingError, Settings, load_database_url, load_settings, real_bot_token


def fail(message: str, code: int = 2) -> None:
    """One line and out: exit 2 for what the operator asked wrongly, 1 for what couldn't be done."""
    click.echo(f"unmentor: {message}", err=True)
    sys.exit(code)


README_SLACK_APP = "README.md, 'Creating the Slack app'"


def where_read(name: str) -> str:
    """Where a setting came from, so a newcomer knows which file to edit: the .env in this folder,
    or the environment (which wins over the file)."""
    import os

    from dotenv import dotenv_values, find_dotenv

    found = find_dotenv(usecwd=True)
    in_file = dotenv_values(found).get(name) if found else None
    value = os.environ.get(name)
    if value is not None and in_file is not None and value.strip() == in_file.strip():
        return f"read from {found}"
    if value is not None:
        return "read from the environment (it wins over .env)"
    return f"set in neither the environment nor {found or 'a .env file in this folder'}"


def setting_problem(problem: SettingError) -> str:
    """The one line for a bad setting; a Slack one also says where it was read and where to get it."""
    message = str(problem)
    name = message.split(" ", 1)[0]
    if name.startswith("SLACK_"):
        message += f". It is {where_read(name)}; {README_SLACK_APP}, says where to find it"
    return message


def settings(need_slack: bool = True) -> Settings:
    from bot import logs

    try:
        settings = load_settings(need_slack=need_slack)
    except SettingError as problem:
        fail(setting_problem(problem))
    logs.keep_secret([settings.bot_token, settings.signing_secret, settings.app_token])
    from scheduler import pacing

    pacing.set_history_per_minute(settings.history_per_minute)
    return settings


def database_url() -> str:
    try:
        return load_database_url()
    except SettingError as problem:
        fail(str(problem))


def engine_for(url: str):
    from sqlalchemy.exc import OperationalError

    from storage.db import at_head, make_engine, upgrade

    engine = make_engine(url)
    try:
        if not at_head(engine):
            upgrade(engine)
    except OperationalError as error:
        fail(f"can't reach the database in DATABASE_URL ({error.orig.__class__.__name__}): is it running?")
    return engine


# Slack team IDs are a T and then capitals and digits (T012AB3CD).
TEAM_ID = re.compile(r"T[A-Z0-9]{1,20}")
HOW_TO_FIND_TEAM = (
    "A workspace's ID is in its address when you open Slack in a browser: app.slack.com/client/T…/ "
    "(the part starting with T)."
)


def _token_workspace(client) -> tuple[str, str] | None:
    """The bot token's own workspace (ID, name), by asking Slack's auth.test; None if Slack can't say."""
    from urllib.error import URLError

    from slack_sdk.errors import SlackApiError

    try:
        auth = client.auth_test()
    except (SlackApiError, URLError, OSError, TimeoutError):
        return None
    return auth["team_id"], auth.get("team") or ""


def _optional_client():
    """A Slack client when a bot token is set (to ask which workspace it belongs to), else None."""
    try:
        current = load_settings(need_slack=False)
    except SettingError:
        return None
    if not current.bot_token or not real_bot_token(current.bot_token):
        # The example .env's placeholder is no token: asking Slack with it only fails, slowly and loudly.
        return None
    from bot.app import make_client

    return make_client(current)


# What a command that only reads uses when no workspace is recorded yet: nothing is stored under
# it, so it reads as a new workspace would (the default schedule, the built-in prompts, no rounds).
NO_WORKSPACE = ""


def workspace(engine, team: str | None, slack: Callable[[], object | None] = _optional_client,
              required: bool = True) -> str:
    """The workspace a command is for: the one named with --team, or the only one there is.

    A name is taken only when it's a workspace this database knows or the bot token's own, so a
    typo never starts a new, empty workspace. With none known yet, the bot token's own is used;
    failing that, a command that only reads (required=False) gets NO_WORKSPACE.
    """
    from storage import members as member_store
    from storage.db import session_scope

    with session_scope(engine) as session:
        known = member_store.team_ids(session)
    if team is not None:
        if not TEAM_ID.fullmatch(team):
            fail(f"'{team}' isn't a Slack team ID: they look like T012AB3CD. {HOW_TO_FIND_TEAM}")
        if team in known:
            return team
    elif len(known) == 1:
        return known[0]
    elif len(known) > 1:
        fail(f"this database serves several workspaces ({', '.join(known)}): say which with --team")
    client = slack()
    own = _token_workspace(client) if client is not None else None
    if own is not None and team in (None, own[0]):
        with session_scope(engine) as session:
            member_store.ensure_workspace(session, *own)
        return own[0]
    if team is not None:
        also = f" and the bot token's own is {own[0]}" if own else ""
        listed = ", ".join(known) or "none yet"
        fail(f"there's no workspace {team} here (known: {listed}{also}). {HOW_TO_FIND_TEAM}")
    token = ("Slack's auth.test didn't answer, so the bot token's own workspace isn't known either"
             if client is not None else "set SLACK_BOT_TOKEN and the bot token's own workspace is used")
    # Not "or name one with --team": a team this database has never seen is refused just above.
    unknown = f"no workspace yet. The first /unmentor anyone types in Slack records it; or {token}."
    if not required:
        click.echo(f"unmentor: {unknown} Until then, this is what a new workspace starts with.", err=True)
        return NO_WORKSPACE
    fail(unknown)


def round_tools(team: str | None):
    """Database, Slack client and workspace for the commands that send."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import make_client

    client = make_client(current)
    check_slack(current)
    return engine, client, workspace(engine, team, lambda: client)


def check_slack(current: Settings) -> None:
    """Before a phase is claimed, one quick call: with Slack out of reach nothing is run (so a rerun
    runs it), and the operator reads one line rather than a retry loop."""
    from urllib.error import URLError

    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    # No retry handlers: one refused connection is answer enough here.
    probe = WebClient(token=current.bot_token, base_url=current.slack_api_url, timeout=10)
    try:
        probe.auth_test()
    except (URLError, OSError, TimeoutError) as error:
        reason = getattr(error, "reason", None) or error
        fail(f"Slack can't be reached at {current.slack_api_url} ({reason}): nothing was run or sent. "
             "Check the network (and SLACK_API_URL), then run this again.", code=1)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
            fail(f"Slack refused the bot token ({code}): nothing was run or sent. Copy the Bot User OAuth "
                 f"Token into SLACK_BOT_TOKEN again ({README_SLACK_APP}).", code=1)


def local_tools(team: str | None, required: bool = True):
    """Database and workspace for commands that read or change settings (Slack is asked only when the
    workspace is unknown). Commands that only read pass required=False and may get NO_WORKSPACE."""
    engine = engine_for(database_url())
    return engine, workspace(engine, team, required=required)


def local_time(moment: datetime, zone: str) -> str:
    """A moment as the workspace reads it: "Monday 7 December 2026 at 10:00 (Europe/London)"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({zone})"


TEAM_OPTION = click.option(
    "--team", default=None, help="Slack team ID (T012AB3CD), when the database serves several workspaces."
)
PACE_OPTION = click.option(
    "--pace", type=click.FloatRange(0, 60), default=None,
    help="Fixed seconds between sends. By default each Slack method goes as fast as Slack's answers allow.",
)
