"""The round clock (`unmentor clock`): APScheduler jobs that run due phases and deliver the outbox, in-process or alone.

APScheduler 3 must not share a job store between processes, so each process keeps its own
in memory; the database decides which process actually runs a phase or makes a send.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timezone
from urllib.error import URLError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import delivery, opening_window, rounds, slack_trouble
from scheduler.sending import Sending, release_claims
from storage import members as member_store
from storage.clock import now
from storage.db import session_scope

log = logging.getLogger("unmentor.clock")
TICK_SECONDS = 60
DELIVERY_SECONDS = 15


def ensure_own_workspace(engine: Engine, client: WebClient) -> None:
    """A fresh install knows its workspace before anyone has typed a command."""
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        log.warning("auth.test failed (%s); workspaces appear as people use the bot", error.response.get("error"))
        return
    except (URLError, OSError, TimeoutError) as error:
        # Slack unreachable at start-up must not stop the bot: it answers when Slack is back.
        log.warning("Slack unreachable at start-up (%s); workspaces appear as people use the bot", error)
        return
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, auth["team_id"], auth.get("team") or "")
    # Slack takes the token (a reinstall, a new SLACK_BOT_TOKEN): sends held for a refused one carry on now.
    slack_trouble.over(engine, auth["team_id"])


def tick(engine: Engine, on_work=None, look_up=None) -> None:
    """`look_up`: the gateway's, to ask Slack who it lets us reach before a round is matched."""
    with session_scope(engine) as session:
        teams = member_store.team_ids(session)
    for team_id in teams:
        try:
            done = rounds.run_due(engine, team_id, now(), look_up=look_up)
            if done:
                log.info("%s: ran %s", team_id, ", ".join(phase.replace("_", " ") for phase in done))
                if on_work:
                    on_work()
        except Exception:
            # One workspace's trouble must not stop the others' rounds.
            log.exception("round tick failed for %s", team_id)


def delivery_summary(report: delivery.DeliveryReport) -> str:
    """One line for the operator: what a delivery pass did."""
    waiting = f", {report.retrying} to try again (Slack didn't answer, or asked us to wait)" if report.retrying else ""
    return (f"delivered: {report.sent} sent, {report.found_already_sent} found already sent, "
            f"{report.failed} failed{waiting}")


def deliver_all(engine: Engine, gateway: SlackGateway, pace: float | None = None,
                sending: Sending | None = None) -> None:
    with session_scope(engine) as session:
        teams = member_store.team_ids(session)
    for team_id in teams:
        try:
            # A round matched ahead opens the moment its time comes, not at the round clock's next minute.
            if rounds.open_matched_if_due(engine, team_id, look_up=gateway.people):
                log.info("%s: opened the round matched ahead", team_id)
            report = delivery.deliver(engine, team_id, gateway, pace=pace, budget=DELIVERY_SECONDS * 3,
                                      sending=sending)
            if report.sent or report.failed or report.retrying:
                log.info("%s: %s", team_id, delivery_summary(report))
        except Exception:
            log.exception("delivery failed for %s", team_id)


def open_ahead_all(engine: Engine, gateway: SlackGateway, sending: Sending | None = None) -> None:
    """Open the conversations of rounds matched ahead of their opening (scheduler.opening_window)."""
    with session_scope(engine) as session:
        teams = member_store.team_ids(session)
    for team_id in teams:
        try:
            opened = opening_window.open_ahead(engine, team_id, gateway, budget=DELIVERY_SECONDS * 3, sending=sending)
            if opened:
                log.info("%s: opened %d conversation(s) ahead of the opening", team_id, opened)
        except Exception:
            log.exception("opening ahead failed for %s", team_id)


def build_scheduler(settings: Settings, engine: Engine, sending: Sending) -> BackgroundScheduler:
    """The clock's jobs; they deliver as part of `sending`, the running process's, which a stop stops."""
    scheduler = BackgroundScheduler(
        timezone="UTC",
        # A job that overran or was missed runs once, not once per missed interval.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
    )
    gateway = SlackGateway(make_client(settings, wait_out_rate_limits=False))
    # APScheduler waits in real seconds, so its wake-ups are real times: the rounds' clock
    # (storage.clock.now) may run ahead of it, as in a rehearsal.
    delivery_job = scheduler.add_job(
        deliver_all, IntervalTrigger(seconds=DELIVERY_SECONDS), args=[engine, gateway],
        kwargs={"sending": sending}, id="delivery",
        next_run_time=_real_now(),
    )

    # A job of its own, so opening conversations ahead never holds up a post that is due.
    scheduler.add_job(open_ahead_all, IntervalTrigger(seconds=DELIVERY_SECONDS), args=[engine, gateway, sending],
                      id="open_ahead", next_run_time=_real_now())

    def deliver_soon() -> None:
        # A phase just queued messages: start sending now rather than at the next interval.
        delivery_job.modify(next_run_time=_real_now())

    scheduler.add_job(
        tick, IntervalTrigger(seconds=TICK_SECONDS), args=[engine, deliver_soon, gateway.people], id="rounds",
        next_run_time=_real_now(),
    )
    return scheduler


def _real_now() -> datetime:
    return datetime.now(timezone.utc)


def start_clock(settings: Settings, engine: Engine, client: WebClient, sending: Sending) -> BackgroundScheduler:
    """`sending`: the running process's, the one its listeners deliver clicks' sends with too, so a
    send one thread has in hand is never taken for a crashed one by another."""
    ensure_own_workspace(engine, client)
    scheduler = build_scheduler(settings, engine, sending)
    scheduler.start()
    log.info("round clock running")
    return scheduler


# How long a stop waits for the send in hand. Docker's stop gives 10 s before SIGKILL
# (Heroku 30 s); a send normally takes well under a second.
STOP_SECONDS = 5.0


def stop_clock(scheduler: BackgroundScheduler | None, engine: Engine, sending: Sending) -> bool:
    """Stop as SIGTERM asks: no new send, the one in hand finished (or, if Slack is slow to
    answer, released so the next process takes it at once), the scheduler shut down.
    Returns False when a send was still in hand when the wait ran out."""
    sending.stop()
    finished = True
    if scheduler is not None and scheduler.running:
        # shutdown(wait=True) waits for the job in progress; bounded, so a stuck call can't hold the stop.
        waiter = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
        waiter.start()
        waiter.join(STOP_SECONDS)
        finished = not waiter.is_alive()
    try:
        released = release_claims(engine)
    except Exception as error:  # the database gone too: the lease will hand them on instead
        log.warning("couldn't release the sends in hand (%s); the next process takes them after the lease", error)
        released = 0
    if scheduler is not None:
        log.info("round clock stopped")
    if released:
        log.info("%d send(s) in hand released for the next process", released)
    return finished


def exit_on_sigterm(sending: Sending) -> None:
    """SIGTERM (how Heroku, Docker and systemd stop a process) ends the main thread's loop the way
    Ctrl-C does: waitress and the clock's wait both return, and the caller's clean-up runs. No new
    send starts in `sending` (the process's) from that moment."""
    def stop(*_):
        sending.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def run_clock_forever(settings: Settings, engine: Engine, client: WebClient) -> bool:
    """Run until SIGTERM or Ctrl-C; then stop as stop_clock says (its answer is returned)."""
    sending = Sending()
    exit_on_sigterm(sending)
    scheduler = None
    try:
        scheduler = start_clock(settings, engine, client, sending)
        threading.Event().wait()
    except (SystemExit, KeyboardInterrupt):
        pass
    return stop_clock(scheduler, engine, sending)
