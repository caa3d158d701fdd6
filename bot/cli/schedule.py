"""`unmentor schedule`: when rounds open and how their phases are spaced."""

from __future__ import annotations

import json

import click

from bot.cli.common import TEAM_OPTION, fail, local_time, local_tools


@click.group()
def schedule() -> None:
    """When rounds open and how their phases are spaced."""


@schedule.command("show")
@TEAM_OPTION
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def schedule_show(team: str | None, output: str) -> None:
    """Say when rounds open and how their phases are spaced, and when the next one opens."""
    from scheduler.workspace_schedule import load_schedule, next_round_at
    from storage.db import session_scope

    engine, team_id = local_tools(team, required=False)
    with session_scope(engine) as session:
        current = load_schedule(session, team_id)
        next_at = next_round_at(session, team_id)
    if output == "json":
        click.echo(json.dumps({**current.to_dict(), "next_round_opens_at": next_at.isoformat()}, indent=2))
    else:
        click.echo(describe(current, next_at))


def describe(current, next_at) -> str:
    """The schedule in sentences, times in the workspace's own zone."""
    from scheduler.matching import Odd
    from scheduler.schedule import WEEKDAYS, Cadence

    day = WEEKDAYS[current.weekday].title()
    when = {Cadence.weekly: f"every {day}", Cadence.fortnightly: f"every other {day}",
            Cadence.monthly: f"on the first {day} of each month"}[Cadence(current.cadence)]
    holidays = (f"A public holiday in {current.country} moves it to the next working day."
                if current.country else "Public holidays don't move it.")
    odd = ("With an odd number of people, one group is a trio." if current.odd == Odd.trio
           else "With an odd number of people, one sits out and is matched first next time.")
    guests = ("Slack guests are matched like anyone else." if current.includes_guests
              else "Slack guests are left out of rounds.")
    return "\n".join([
        f"Rounds open {when} at {current.hour:02d}:{current.minute:02d} ({current.timezone}). {holidays}",
        f"A heads-up goes out {_days(current.announce_days)} before. Then, counting from the opening: the nudge "
        f"after {_days(current.nudge_days)}, the follow-up after {current.follow_up_days} and the close after "
        f"{current.close_days}.",
        odd,
        guests,
        f"The next round opens {local_time(next_at, current.timezone)}.",
    ])


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@schedule.command("set")
@TEAM_OPTION
@click.option(
    "--cadence",
    type=click.Choice(["weekly", "fortnightly", "monthly"]),
    help="How often rounds open (a new cadence brings phase days to suit, unless given).",
)
@click.option(
    "--day",
    type=click.Choice(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]),
    help="The day rounds open.",
)
@click.option("--time", "at_time", help="Opening time, 24-hour HH:MM, workspace time.")
@click.option("--timezone", help="Workspace time zone, e.g. Europe/London.")
@click.option("--country", help="Country code whose public holidays move an opening (e.g. GB), or 'none'.")
@click.option("--announce-days", type=int, help="Days before opening that the heads-up goes out.")
@click.option("--nudge-days", type=int, help="Days after opening for the nudge.")
@click.option("--follow-up-days", type=int, help="Days after opening for the follow-up.")
@click.option("--close-days", type=int, help="Days after opening that the round closes.")
@click.option(
    "--odd",
    type=click.Choice(["trio", "sit_out"]),
    help="An odd person out joins a trio, or sits out with priority next time.",
)
@click.option(
    "--guests",
    type=click.Choice(["leave_out", "include"]),
    help="Slack guests (multi- and single-channel) are left out of rounds, or matched like anyone else.",
)
def schedule_set(
    team, cadence, day, at_time, timezone, country, announce_days, nudge_days, follow_up_days, close_days, odd,
    guests,
) -> None:
    """Change the round schedule; anything not given stays as it is."""
    from scheduler.schedule import WEEKDAYS, ScheduleError
    from scheduler.workspace_schedule import change_schedule, load_schedule, next_round_at
    from storage.db import session_scope

    engine, team_id = local_tools(team)
    # "" leaves the country as it is; None means no public holidays move an opening.
    holidays_from = "" if country is None else None if country.lower() == "none" else country.upper()
    with session_scope(engine) as session:
        try:
            change_schedule(session, team_id, cadence=cadence, weekday=WEEKDAYS.index(day) if day else None,
                            at=at_time, timezone=timezone, country=holidays_from, announce_days=announce_days,
                            nudge_days=nudge_days, follow_up_days=follow_up_days, close_days=close_days, odd=odd,
                            guests=guests)
        except ScheduleError as problem:
            fail(f"{problem} Nothing was changed.")
        saved = load_schedule(session, team_id)
        next_at = next_round_at(session, team_id)
    click.echo(f"Schedule saved. The next round opens {local_time(next_at, saved.timezone)}.")
