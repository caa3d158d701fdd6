"""`unmentor round`: a round's phases by hand (the clock runs them on schedule)."""

from __future__ import annotations

import click

from bot.cli.common import PACE_OPTION, TEAM_OPTION, fail, round_tools, settings


def deliver(engine, team_id: str, pace: float) -> None:
    """Send everything waiting, sitting out Slack's rate limits, until nothing is left to try."""
    import time

    from bot.app import make_client
    from bot.clock import delivery_summary
    from bot.gateway import SlackGateway
    from scheduler.delivery import DeliveryReport, deliver, seconds_until_retry

    gateway = SlackGateway(make_client(settings(), wait_out_rate_limits=False))
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
    click.echo(delivery_summary(total))


def _describe_group(members) -> str:
    return " + ".join(f"{m.slack_user_id} ({m.organisation})" for m in members)


@click.group("round")
def round_() -> None:
    """Run a round's phases by hand (the clock runs them on schedule)."""


@round_.command("open")
@click.option("--dry-run", is_flag=True, help="Show the groups the round would make; store and send nothing.")
@TEAM_OPTION
@PACE_OPTION
def round_open(dry_run: bool, team: str | None, pace: float) -> None:
    """Open the next round now: match everyone and send the intros."""
    from scheduler import rounds

    engine, client, team_id = round_tools(team)
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
        fail(f"round {outcome.round.number} is still running: close it first (`unmentor round close`)")
    if outcome.reason != "opened":
        fail(f"no round opened ({outcome.reason.replace('_', ' ')})")
    click.echo(
        f"round {outcome.round.number} opened: {len(outcome.plan.groups)} groups, {len(outcome.plan.unmatched)} unmatched"
    )
    deliver(engine, team_id, pace)


def _phase_command(name: str, phase: str, help_text: str) -> None:
    @round_.command(name, help=help_text)
    @TEAM_OPTION
    @PACE_OPTION
    def command(team: str | None, pace: float) -> None:
        from scheduler import rounds

        engine, client, team_id = round_tools(team)
        result = rounds.run_phase(engine, team_id, phase, by_hand=True)
        messages = {
            "done": f"{name}: done",
            "no_round": "no round is running",
            "not_ready": f"the round isn't ready for the {name} yet: run the earlier phases first",
            "already_done": f"the {name} has already been done for this round",
        }
        click.echo(messages.get(result, result))
        if result == "done":
            deliver(engine, team_id, pace)


_phase_command("nudge", "nudge", "Nudge the groups that haven't scheduled or met yet.")
_phase_command("follow-up", "follow_up", "Ask everyone what they learned.")
_phase_command("close", "close", "Close the running round.")


@round_.command("deliver")
@TEAM_OPTION
@PACE_OPTION
def round_deliver(team: str | None, pace: float) -> None:
    """Send whatever is waiting (after a restart, say); nothing is sent twice."""
    engine, client, team_id = round_tools(team)
    deliver(engine, team_id, pace)
