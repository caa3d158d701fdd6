"""The `unmentor` command: serve the bot, run the clock, migrate, match, and run round phases by hand.

One module per command group; this one only gathers them under `unmentor`.
"""

from __future__ import annotations

import logging

import click
from dotenv import find_dotenv, load_dotenv

from bot.cli import database, match, prompts, rounds, schedule, serve, stats


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
def cli(verbose: bool) -> None:
    """unmentor: once a round, one honest hour with someone from a different organisation."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for command in (serve.serve, serve.clock, database.db, match.match, rounds.round_, stats.stats_command,
                schedule.schedule, prompts.prompts):
    cli.add_command(command)


def main() -> None:
    # Settings may live in a .env file in the folder the bot is started from (not beside its
    # source, which is where python-dotenv looks by default); real environment variables win.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    cli(prog_name="unmentor")
