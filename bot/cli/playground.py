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
def playground(port: int, people: int, fresh: bool) -> None:
    """Try unmentor in a browser: no Slack app, tokens or .env needed."""
    from playground.run import run

    if not click.get_current_context().find_root().params.get("verbose"):
        # The page shows what happens; the terminal keeps to warnings and errors (-v for the rest).
        logging.getLogger().setLevel(logging.WARNING)
    try:
        run(port=port, people=people, fresh=fresh, echo=click.echo)
    except OSError as error:
        if "address already in use" in str(error).lower() or getattr(error, "errno", None) == 98:
            fail(f"port {port} is already in use: pick another with --port")
        raise
    # Everything is stopped; don't wait for a delivery pass still pacing its sends to a stand-in
    # that is gone (its rows are leased, so the next start picks them up).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
