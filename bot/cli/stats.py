"""`unmentor stats`: counts and shares per round, never anyone's words."""

from __future__ import annotations

import click

from bot.cli.common import NO_WORKSPACE, TEAM_OPTION, fail, local_time, local_tools


@click.command("stats")
@TEAM_OPTION
@click.option(
    "--round", "number", type=click.IntRange(1), default=None, help="One round (default: every round, oldest first)."
)
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def stats_command(team: str | None, number: int | None, output: str) -> None:
    """Round stats: members, groups, meetings, follow-ups; counts and shares, never anyone's words."""
    from scheduler import stats
    from storage.db import session_scope

    engine, team_id = local_tools(team, required=False)
    with session_scope(engine) as session:
        rows = stats.round_stats(session, team_id, number) if team_id != NO_WORKSPACE else []
    if number is not None and not rows:
        fail(f"there is no round {number} yet")
    if output == "table" and not rows:
        click.echo(f"No rounds yet: the first opens {_next_opening(engine, team_id)}.")
        return
    render = {"table": stats.to_table, "json": stats.to_json, "csv": stats.to_csv}[output]
    click.echo(render(rows), nl=False)
    if output == "table" and rows:
        click.echo(f"meeting rate over rounds: {stats.meeting_rate_sparkline(rows)}")


def _next_opening(engine, team_id: str) -> str:
    from scheduler.workspace_schedule import load_schedule, next_round_at
    from storage.db import session_scope

    with session_scope(engine) as session:
        return local_time(next_round_at(session, team_id), load_schedule(session, team_id).timezone)
