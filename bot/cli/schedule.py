"""`unmentor schedule`: when rounds open and how their phases are spaced."""

from __future__ import annotations

import json

import click

from bot.cli.common import TEAM_OPTION, fail, local_tools


@click.group()
def schedule() -> None:
    """When rounds open and how their phases are spaced."""


@schedule.command("show")
@TEAM_OPTION
def schedule_show(team: str | None) -> None:
    """Print the round schedule and when the next round opens."""
    from scheduler.round_settings import load_schedule, next_round_at
    from storage.db import session_scope

    engine, team_id = local_tools(team)
    with session_scope(engine) as session:
        current = load_schedule(session, team_id)
        next_at = next_round_at(session, team_id)
    click.echo(json.dumps({**current.to_dict(), "next_round_opens_at": next_at.isoformat()}, indent=2))


@schedule.command("set")
@TEAM_OPTION
@click.option("--cadence", type=click.Choice(["weekly", "fortnightly", "monthly"]), help="How often rounds open (a new cadence brings phase days to suit, unless given).")
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
    from scheduler.round_settings import change_schedule
    from scheduler.schedule import WEEKDAYS, ScheduleError
    from storage.db import session_scope

    engine, team_id = local_tools(team)
    # "" leaves the country as it is; None means no public holidays move an opening.
    holidays_from = "" if country is None else None if country.lower() == "none" else country.upper()
    with session_scope(engine) as session:
        try:
            change_schedule(session, team_id, cadence=cadence, weekday=WEEKDAYS.index(day) if day else None,
                            at=at_time, timezone=timezone, country=holidays_from, announce_days=announce_days,
                            nudge_days=nudge_days, follow_up_days=follow_up_days, close_days=close_days, odd=odd)
        except ScheduleError as problem:
            fail(f"{problem} Nothing was changed.")
    click.echo("schedule saved")
