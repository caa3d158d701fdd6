"""`unmentor playground`: the whole bot in a browser, against a built-in Slack stand-in."""

from __future__ import annotations

import logging
import os
import sys

import click

from bot.cli.common import fail


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port for the page.")
@click.option(
    "--people", type=click.IntRange(2, 2000), default=24, show_default=True, help="People in the demo workspace."
)
@click.option("--fresh", is_flag=True, help="Start over: forget the playground's members, rounds and clock.")
@click.option("--at", "start_at", metavar="WHEN",
              help="Start the bot's clock at this later moment, in the workspace's time, e.g. '2027-02-01 14:00' "
                   "(an opening day after the hour) to rehearse an awkward date.")
def playground(port: int, people: int, fresh: bool, start_at: str | None) -> None:
    """Try unmentor in a browser: no Slack app, tokens or .env needed."""
    from playground.run import run

    if not click.get_current_context().find_root().params.get("verbose"):
        # The page shows what happens; the terminal keeps to warnings and errors (-v for the rest).
        logging.getLogger().setLevel(logging.WARNING)
    start = _moment(start_at) if start_at else None
    try:
        run(port=port, people=people, fresh=fresh, start_at=start, echo=click.echo)
    except OSError as error:
        if "address already in use" in str(error).lower() or getattr(error, "errno", None) == 98:
            fail(f"port {port} is already in use: pick another with --port")
        raise
    # Everything is stopped; don't wait for a delivery pass still pacing its sends to a stand-in
    # that is gone (its rows are leased, so the next start picks them up).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _moment(text: str):
    """A moment typed as the workspace's wall-clock time (the default schedule's zone, as a fresh
    playground uses), or with its own offset."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from scheduler.schedule import Schedule
    from storage.clock import now

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"--at wants a date and time such as '2027-02-01 14:00', not '{text}'")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(Schedule().timezone))
    if moment <= now():
        fail(f"--at must be later than now: the bot's clock only moves forward ({text} has passed)")
    return moment
