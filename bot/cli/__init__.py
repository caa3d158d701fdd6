"""The `unmentor` command: serve the bot, run the clock, migrate, match, and run round phases by hand.

One module per command group; this one only gathers them under `unmentor`.
"""

from __future__ import annotations

import gc
import logging

import click
from dotenv import find_dotenv, load_dotenv

from bot.cli import database, match, playground, prompts, rounds, schedule, serve, stats


@click.group()
@click.option("-v", "--verbose", is_flag=True,
              help="Show every library's log too (migrations, scheduler jobs, Slack calls).")
def cli(verbose: bool) -> None:
    """unmentor: once a round, one honest hour with someone from a different organisation."""
    from bot import logs

    logs.configure(verbose)  # also blanks tokens and secrets out of every line
    quiet_libraries(verbose)


def quiet_libraries(verbose: bool) -> None:
    """By default the operator reads unmentor's own lines (where it listens, each phase run, each
    delivery summary) and anyone's warnings. The libraries' routine lines (alembic's nine per
    command, APScheduler's every 15 seconds) are detail, shown with -v."""
    logging.getLogger().setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("unmentor").setLevel(logging.DEBUG if verbose else logging.INFO)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    if verbose:
        scheduler_log.removeFilter(_overlap_by_design)
        sdk_log.removeFilter(_said_by_us)
    else:
        scheduler_log.addFilter(_overlap_by_design)
        sdk_log.addFilter(_said_by_us)


def _said_by_us(record: logging.LogRecord) -> bool:
    # The Slack SDK logs an ERROR for every attempt that can't reach Slack, three to a call. What
    # it means is said once, by us: the commands say Slack can't be reached, and delivery counts
    # what waits to be tried again.
    return not record.getMessage().startswith("Failed to send a request to Slack API server")


def _overlap_by_design(record: logging.LogRecord) -> bool:
    # One delivery pass at a time is the design (max_instances=1): when a phase asks for an
    # early pass while one is running, APScheduler warns that it skipped it. Nothing is lost
    # (the running pass or the next one sends), so it's not the operator's concern.
    return "maximum number of running instances reached" not in record.getMessage()


for command in (serve.serve, serve.clock, database.db, match.match, rounds.round_, stats.stats_command,
                schedule.schedule, prompts.prompts, playground.playground):
    cli.add_command(command)


def main() -> None:
    # What this process has loaded so far (click, SQLAlchemy, SQLModel, the models: some 80,000
    # objects the garbage collector tracks) lives until it exits. Frozen, the collector no longer
    # walks it on each full pass, nor in the passes Python makes as it exits: that was a quarter
    # of the CPU of a short command (`unmentor --help` 0.75 s, now 0.55 s).
    gc.freeze()
    # Settings may live in a .env file in the folder the bot is started from (not beside its
    # source, which is where python-dotenv looks by default); real environment variables win.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    cli(prog_name="unmentor")
