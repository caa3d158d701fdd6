"""`unmentor round`: a round's phases by hand (the clock runs them on schedule)."""

from __future__ import annotations

import click

from bot.cli.common import PACE_OPTION, TEAM_OPTION, fail, local_time, local_tools, round_tools, settings

# Longer than this, and `round deliver` leaves the rest to the clock rather than keep the operator waiting.
LONGEST_WAIT = 30.0


def deliver(engine, team_id: str, pace: float) -> None:
    """Send everything waiting, sitting out Slack's rate limits, until nothing is left to try."""
    import time

    from bot.app import make_client
    from bot.gateway import SlackGateway
    from bot.round_clock import delivery_summary
    from scheduler import slack_trouble
    from scheduler.delivery import DeliveryReport, SendOutcome, deliver, seconds_until_retry

    gateway = SlackGateway(make_client(settings(), wait_out_rate_limits=False))
    total = DeliveryReport()
    first, wait = True, None
    while True:
        # Asked by hand: try at once, even while the bot is waiting to try again after Slack's trouble.
        report = deliver(engine, team_id, gateway, pace=pace, try_now=first)
        first = False
        for outcome in (SendOutcome.sent, SendOutcome.found_already_sent, SendOutcome.failed):
            total.count(outcome, report.counts[outcome])
        total.counts[SendOutcome.retrying] = report.retrying  # what the last pass left waiting
        total.trouble = report.trouble
        if slack_trouble.kind_of(report.trouble or "") is slack_trouble.Kind.token:
            break
        wait = seconds_until_retry(engine, team_id)
        if wait is None:
            break
        if wait > LONGEST_WAIT:
            # Slack isn't answering, or asked for a long pause: the clock tries again; nobody should sit here for it.
            click.echo(f"the rest are to be tried again in {wait / 60:.0f} min (Slack asked us to wait, or didn't "
                       "answer); the clock sends them then, or run `unmentor round deliver` again")
            break
        click.echo(f"waiting {wait:.0f} s to try again (Slack asked us to wait, or didn't answer)…")
        time.sleep(max(wait, 0.1))
    click.echo(delivery_summary(total))
    _say_what_is_held(engine, team_id)
    if slack_trouble.kind_of(total.trouble or "") is slack_trouble.Kind.token:
        fail(f"Slack refused the bot's token ({total.trouble}): nothing was sent, and nothing is lost (no pair "
             f"ended, nobody told anything). Mend SLACK_BOT_TOKEN, or reinstall the app{_scopes(total.trouble)}; "
             "then the clock sends everything within 5 minutes, or run `unmentor round deliver`.", code=1)
    if wait is not None and not (total.sent or total.found_already_sent):
        # Everything that should have gone is still waiting: a script must not read that as success.
        fail("nothing could be sent yet; what is waiting goes when Slack answers (the clock sends it, "
             "or run `unmentor round deliver` again)", code=1)


def _scopes(code: str) -> str:
    return " with the scopes in app_manifest.yml" if code == "missing_scope" else ""


def _say_what_is_held(engine, team_id: str) -> None:
    """A round matched ahead holds its intros for its opening: say so, or '0 sent' would look like a fault."""
    from storage import rounds as round_store
    from storage.db import read_scope
    from storage.models import RoundState

    with read_scope(engine) as session:
        running = round_store.running_round(session, team_id)
        held = running is not None and running.state == RoundState.matched.value
        number, opens_at = (running.number, running.opens_at) if held else (None, None)
    if held:
        click.echo(f"round {number} is matched ahead of its opening: its intros go "
                   f"{_local(engine, team_id, opens_at)} (`unmentor round open` opens it now)")


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

    if dry_run:
        # Nothing is sent, so no Slack token is needed (nor a workspace: a new one has nobody to match).
        engine, team_id = local_tools(team, required=False)
        outcome = rounds.preview(engine, team_id)
        plan = outcome.plan
        if not plan.groups and not plan.unmatched:
            click.echo(f"preview for {plan.period}: nobody has joined yet, so there's no one to match. People join "
                       "by typing /unmentor join in Slack (the bot asks for their organisation); a round needs "
                       "two or more from different organisations.")
            return
        click.echo(
            f"preview for {plan.period}: {len(plan.groups)} groups, {len(plan.unmatched)} unmatched (nothing sent)"
        )
        for group in plan.groups:
            click.echo("  " + _describe_group(group))
        for member in plan.unmatched:
            click.echo(f"  unmatched: {member.slack_user_id} ({member.organisation})")
        return
    engine, client, team_id = round_tools(team)
    from bot.gateway import SlackGateway

    outcome = rounds.open_round(engine, team_id, manual=True, look_up=SlackGateway(client).people)
    reason, o = rounds.OpenReason, outcome
    # What it came to, by reason (the organisers' button says the same in its words, bot.blocks.organisers).
    said = {
        reason.opened: lambda: f"round {o.round.number} opened: {len(o.plan.groups)} groups, "
                               f"{len(o.plan.unmatched)} unmatched",
        reason.brought_forward: lambda: f"round {o.round.number} was matched ahead of its opening time: opening it now",
        # Run again after a crash: the round is open but its intros aren't all out. Finish them.
        reason.delivering: lambda: f"round {o.round.number} is open and {o.waiting} of its messages haven't gone "
                                   "yet: sending them now",
        # Only said once every intro has gone, so closing is a real choice, never a way to lose them.
        reason.round_running: lambda: f"round {o.round.number} is still running, with nothing left to send; it "
                                      f"closes {_closes(engine, team_id, o.round)}, or end it sooner with "
                                      "`unmentor round close`",
    }.get(outcome.reason, lambda: "no round opened: another process opened one a moment ago")()
    if not outcome.sending:
        fail(said)
    click.echo(said)
    deliver(engine, team_id, pace)


def _closes(engine, team_id: str, round_) -> str:
    return _local(engine, team_id, round_.closes_at)


def _opens(engine, team_id: str, round_) -> str:
    return _local(engine, team_id, round_.opens_at)


def _local(engine, team_id: str, moment) -> str:
    from scheduler.workspace_schedule import load_schedule
    from storage.db import read_scope

    with read_scope(engine) as session:
        zone = load_schedule(session, team_id).timezone
    return local_time(moment, zone)


def _words(phase: str) -> str:
    """A phase (scheduler.rounds.Phase) as the operator types and reads it: follow_up is the follow-up."""
    return phase.replace("_", "-")


def _phase_command(phase: str, help_text: str) -> None:
    name = _words(phase)

    @round_.command(name, help=help_text)
    @TEAM_OPTION
    @PACE_OPTION
    def command(team: str | None, pace: float) -> None:
        from scheduler import rounds

        engine, client, team_id = round_tools(team)
        outcome = rounds.run_phase(engine, team_id, rounds.Phase(phase), by_hand=True)
        if outcome.result == rounds.PhaseResult.no_round:
            fail(f"no round is running, so there is nothing to {name}: open one with `unmentor round open`")
        if outcome.result == rounds.PhaseResult.not_opened:
            fail(f"round {outcome.round.number} is matched but doesn't open until "
                 f"{_opens(engine, team_id, outcome.round)}, so there is nothing to {name} yet; "
                 "`unmentor round open` opens it now")
        if outcome.result == rounds.PhaseResult.passed_over:
            fail(f"round {outcome.round.number} went past its {name} without it, and it's too late for one now")
        if outcome.result == rounds.PhaseResult.already_done:
            click.echo(f"the {name} has already been done for round {outcome.round.number}")
            return
        skipped = [_words(p) for p in outcome.skipped]
        note = f" (skipped: the {' and the '.join(skipped)})" if skipped else ""
        click.echo(f"{name}: done for round {outcome.round.number}{note}")
        deliver(engine, team_id, pace)


_phase_command("nudge", "Nudge the groups that haven't scheduled or met yet.")
_phase_command("follow_up", "Ask everyone what they learned.")
_phase_command("close", "Close the running round.")


@round_.command("deliver")
@TEAM_OPTION
@PACE_OPTION
def round_deliver(team: str | None, pace: float) -> None:
    """Send whatever is waiting (after a restart, say); nothing is sent twice."""
    engine, client, team_id = round_tools(team)
    deliver(engine, team_id, pace)
