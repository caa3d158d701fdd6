"""The `unmentor` command: serve the bot, run the clock, migrate, match, and run round phases by hand."""

from __future__ import annotations

import json
import logging
import sys

import click
from dotenv import find_dotenv, load_dotenv

from bot.config import SettingError, Settings, load_database_url, load_settings


def _fail(message: str) -> None:
    click.echo(f"unmentor: {message}", err=True)
    sys.exit(2)


def _settings(need_slack: bool = True) -> Settings:
    try:
        return load_settings(need_slack=need_slack)
    except SettingError as problem:
        _fail(str(problem))


def _engine(url: str):
    from sqlalchemy.exc import OperationalError

    from storage.db import make_engine, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as error:
        _fail(f"can't reach the database in DATABASE_URL ({error.orig.__class__.__name__}): is it running?")
    return engine


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
def cli(verbose: bool) -> None:
    """unmentor: once a round, one honest hour with someone from a different organisation."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Don't run rounds in this process (run `unmentor clock` elsewhere).")
def serve(port: int | None, host: str, no_scheduler: bool) -> None:
    """Serve Slack's requests (HTTP, or Socket Mode when SLACK_APP_TOKEN is set)."""
    settings = _settings()
    engine = _engine(settings.database_url)
    from bot.app import create_app

    app = create_app(settings, engine)
    clock = None
    if not no_scheduler:
        from bot.clock import start_clock

        clock = start_clock(settings, engine, app.client)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(app, settings.app_token, web_client=app.client).start()
        else:
            from bot.server import serve_http

            serve_http(app, engine, host, port or settings.port)
    finally:
        if clock is not None:
            clock.shutdown(wait=False)


@cli.command()
def clock() -> None:
    """Run only the round scheduler (for a separate `clock:` process)."""
    settings = _settings()
    engine = _engine(settings.database_url)
    from bot.app import make_client
    from bot.clock import run_clock_forever

    run_clock_forever(settings, engine, make_client(settings))


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (also done on serve), keeping every row."""
    try:
        url = load_database_url()
    except SettingError as problem:
        _fail(str(problem))
    from storage.db import current_revision

    engine = _engine(url)
    click.echo(f"database schema at revision {current_revision(engine)}")


@cli.command()
@click.option("--input", "input_file", type=click.File("r"), required=True, help="JSON file of members and history ('-' for stdin).")
def match(input_file) -> None:
    """Run the matcher on a JSON file and print the groups."""
    from scheduler.matching import match_json

    try:
        doc = json.load(input_file)
    except json.JSONDecodeError as error:
        _fail(f"the input isn't valid JSON: {error}")
    try:
        result = match_json(doc)
    except ValueError as problem:
        _fail(str(problem))
    click.echo(json.dumps(result))


def _team(engine, client, team: str | None) -> str:
    from storage import members as store
    from storage.db import session_scope

    if team:
        return team
    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if len(teams) == 1:
        return teams[0]
    if len(teams) > 1:
        _fail(f"this database serves several workspaces ({', '.join(teams)}): say which with --team")
    from bot.clock import ensure_own_workspace

    ensure_own_workspace(engine, client)
    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if not teams:
        _fail("no workspace yet: nobody has used the bot and Slack's auth.test didn't answer")
    return teams[0]


def _round_tools(team: str | None):
    settings = _settings()
    engine = _engine(settings.database_url)
    from bot.app import make_client

    client = make_client(settings)
    return engine, client, _team(engine, client, team)


def _deliver(engine, team_id: str, pace: float) -> None:
    """Send everything waiting, sitting out Slack's rate limits, until nothing is left to try."""
    import time

    from bot.app import make_client
    from bot.gateway import SlackGateway
    from scheduler.delivery import DeliveryReport, deliver, seconds_until_retry

    gateway = SlackGateway(make_client(_settings(), wait_out_rate_limits=False))
    total = DeliveryReport()
    while True:
        report = deliver(engine, team_id, gateway, pace=pace)
        for name in ("sent", "found_already_sent", "failed"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        wait = seconds_until_retry(engine, team_id)
        if wait is None:
            break
        click.echo(f"waiting {wait:.0f} s for Slack's rate limit…")
        time.sleep(min(max(wait, 0.1), 300))
    click.echo(f"delivered: {total.sent} sent, {total.found_already_sent} found already sent, {total.failed} failed")


def _describe_group(members) -> str:
    return " + ".join(f"{m.slack_user_id} ({m.organisation})" for m in members)


TEAM_OPTION = click.option("--team", default=None, help="Slack team ID, when the database serves several workspaces.")
PACE_OPTION = click.option(
    "--pace", type=click.FloatRange(0, 60), default=1.2, show_default=True,
    help="Seconds between sends (Slack's conversations.open allows about 50 a minute).",
)


@cli.group("round")
def round_() -> None:
    """Run a round's phases by hand (the clock runs them on schedule)."""


@round_.command("open")
@click.option("--dry-run", is_flag=True, help="Show the groups the round would make; store and send nothing.")
@TEAM_OPTION
@PACE_OPTION
def round_open(dry_run: bool, team: str | None, pace: float) -> None:
    """Open the next round now: match everyone and send the intros."""
    from scheduler import rounds

    engine, client, team_id = _round_tools(team)
    if dry_run:
        outcome = rounds.preview(engine, team_id)
        plan = outcome.plan
        click.echo(f"preview for {plan.period}: {len(plan.groups)} groups, {len(plan.unmatched)} unmatched (nothing sent)")
        for group in plan.groups:
            click.echo("  " + _describe_group(group))
        for member in plan.unmatched:
            click.echo(f"  unmatched: {member.slack_user_id} ({member.organisation})")
        return
    outcome = rounds.open_round(engine, team_id, manual=True)
    if outcome.reason == "round_running":
        _fail(f"round {outcome.round.number} is still running: close it first (`unmentor round close`)")
    if outcome.reason != "opened":
        _fail(f"no round opened ({outcome.reason.replace('_', ' ')})")
    click.echo(
        f"round {outcome.round.number} opened: {len(outcome.plan.groups)} groups, {len(outcome.plan.unmatched)} unmatched"
    )
    _deliver(engine, team_id, pace)


def _phase_command(name: str, phase: str, help_text: str) -> None:
    @round_.command(name, help=help_text)
    @TEAM_OPTION
    @PACE_OPTION
    def command(team: str | None, pace: float) -> None:
        from scheduler import rounds

        engine, client, team_id = _round_tools(team)
        result = rounds.run_phase(engine, team_id, phase, by_hand=True)
        messages = {
            "done": f"{name}: done",
            "no_round": "no round is running",
            "not_ready": f"the round isn't ready for the {name} yet: run the earlier phases first",
            "already_done": f"the {name} has already been done for this round",
        }
        click.echo(messages.get(result, result))
        if result == "done":
            _deliver(engine, team_id, pace)


_phase_command("nudge", "nudge", "Nudge the groups that haven't scheduled or met yet.")
_phase_command("follow-up", "follow_up", "Ask everyone what they learned.")
_phase_command("close", "close", "Close the running round.")


@round_.command("deliver")
@TEAM_OPTION
@PACE_OPTION
def round_deliver(team: str | None, pace: float) -> None:
    """Send whatever is waiting (after a restart, say); nothing is sent twice."""
    engine, client, team_id = _round_tools(team)
    _deliver(engine, team_id, pace)


def _local_tools(team: str | None):
    """Database and workspace for commands that change settings (no Slack call unless the team is unknown)."""
    try:
        url = load_database_url()
    except SettingError as problem:
        _fail(str(problem))
    engine = _engine(url)
    if team:
        return engine, team
    from storage import members as store
    from storage.db import session_scope

    with session_scope(engine) as session:
        teams = store.team_ids(session)
    if len(teams) != 1:
        _fail("say which workspace with --team (a Slack team ID like T012AB3CD)")
    return engine, teams[0]


@cli.command("stats")
@TEAM_OPTION
@click.option("--round", "number", type=click.IntRange(1), default=None, help="One round (default: every round, oldest first).")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def stats_command(team: str | None, number: int | None, output: str) -> None:
    """Round stats: members, groups, meetings, follow-ups; counts and shares, never anyone's words."""
    from scheduler import stats
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    with session_scope(engine) as session:
        rows = stats.round_stats(session, team_id, number)
    if number is not None and not rows:
        _fail(f"there is no round {number} yet")
    render = {"table": stats.to_table, "json": stats.to_json, "csv": stats.to_csv}[output]
    click.echo(render(rows), nl=False)
    if output == "table" and rows:
        click.echo(f"meeting rate over rounds: {stats.meeting_rate_sparkline(rows)}")


@cli.group()
def schedule() -> None:
    """When rounds open and how their phases are spaced."""


@schedule.command("show")
@TEAM_OPTION
def schedule_show(team: str | None) -> None:
    """Print the round schedule and when the next round opens."""
    from scheduler.round_settings import load_schedule, next_round_at
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    with session_scope(engine) as session:
        current = load_schedule(session, team_id)
        next_at = next_round_at(session, team_id)
    click.echo(json.dumps({**current.to_dict(), "next_round_opens_at": next_at.isoformat()}, indent=2))


@schedule.command("set")
@TEAM_OPTION
@click.option("--cadence", type=click.Choice(["weekly", "fortnightly", "monthly"]), help="How often rounds open (phase days reset to suit, unless given).")
@click.option("--day", type=click.Choice(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]), help="The day rounds open.")
@click.option("--time", "at_time", help="Opening time, 24-hour HH:MM, workspace time.")
@click.option("--timezone", help="Workspace time zone, e.g. Europe/London.")
@click.option("--country", help="Country code whose public holidays move an opening (e.g. GB), or 'none'.")
@click.option("--announce-days", type=int, help="Days before opening that the heads-up goes out.")
@click.option("--nudge-days", type=int, help="Days after opening for the nudge.")
@click.option("--follow-up-days", type=int, help="Days after opening for the follow-up.")
@click.option("--close-days", type=int, help="Days after opening that the round closes.")
@click.option("--odd", type=click.Choice(["trio", "sit_out"]), help="An odd person out joins a trio, or sits out with priority next time.")
def schedule_set(team, cadence, day, at_time, timezone, country, announce_days, nudge_days, follow_up_days, close_days, odd) -> None:
    """Change the round schedule; anything not given stays as it is."""
    import dataclasses
    import re

    from scheduler.round_settings import load_schedule, save_schedule
    from scheduler.schedule import WEEKDAYS, ScheduleError
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    changes = {}
    if day:
        changes["weekday"] = WEEKDAYS.index(day)
    if at_time:
        if not re.fullmatch(r"\d{1,2}:\d{2}", at_time):
            _fail(f"--time takes a 24-hour time like 10:00, not '{at_time}'")
        hour, minute = at_time.split(":")
        changes.update(hour=int(hour), minute=int(minute))
    if timezone:
        changes["timezone"] = timezone
    if country:
        changes["country"] = None if country.lower() == "none" else country.upper()
    for name, value in (("announce_days", announce_days), ("nudge_days", nudge_days),
                        ("follow_up_days", follow_up_days), ("close_days", close_days), ("odd", odd)):
        if value is not None:
            changes[name] = value
    with session_scope(engine) as session:
        current = load_schedule(session, team_id)
        try:
            if cadence:
                current = current.with_cadence(cadence)
            save_schedule(session, team_id, dataclasses.replace(current, **changes))
        except ScheduleError as problem:
            _fail(f"{problem} Nothing was changed.")
    click.echo("schedule saved")


@cli.group()
def prompts() -> None:
    """The conversation prompt library used in intros."""


@prompts.command("load")
@TEAM_OPTION
@click.argument("file", type=click.File("r"))
def prompts_load(team: str | None, file) -> None:
    """Replace the prompt library with your own JSON file (same shape as scheduler/prompts/default.json)."""
    from scheduler.membership import InputError
    from scheduler.prompts import set_library
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    try:
        doc = json.load(file)
    except json.JSONDecodeError as error:
        _fail(f"the prompt file isn't valid JSON: {error}")
    with session_scope(engine) as session:
        try:
            library = set_library(session, team_id, doc)
        except InputError as problem:
            _fail(f"{problem} Nothing was changed.")
    themes = library.themes()
    click.echo(f"loaded {len(library.prompts)} prompts in {len(themes)} themes: {', '.join(themes)}")


@prompts.command("show")
@TEAM_OPTION
def prompts_show(team: str | None) -> None:
    """Print the prompt library in use."""
    from scheduler.prompts import library_for
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    with session_scope(engine) as session:
        library = library_for(session, team_id)
    click.echo(f"{library.name}: {len(library.prompts)} prompts")
    for prompt in library.prompts:
        click.echo(f"  [{prompt.theme}] {prompt.id}: {prompt.text}")


@prompts.command("reset")
@TEAM_OPTION
def prompts_reset(team: str | None) -> None:
    """Go back to the built-in prompt library."""
    from scheduler.prompts import reset_library
    from storage.db import session_scope

    engine, team_id = _local_tools(team)
    with session_scope(engine) as session:
        reset_library(session, team_id)
    click.echo("using the built-in prompt library")


def main() -> None:
    # Settings may live in a .env file in the folder the bot is started from (not beside its
    # source, which is where python-dotenv looks by default); real environment variables win.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    cli(prog_name="unmentor")


if __name__ == "__main__":
    main()
