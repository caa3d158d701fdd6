"""`unmentor serve` and `unmentor clock`: the long-running processes."""

from __future__ import annotations

import logging

import click

from bot.cli.common import engine_for, fail, settings


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: PORT or 3000).")
# Loopback unless told otherwise: slow clients dripping bytes can hold every connection, so a
# public address belongs to a reverse proxy that holds them (docs/operating.md: Deploying on a public address).
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another address (0.0.0.0) only behind a reverse proxy.")
@click.option("--no-scheduler", is_flag=True, help="Don't run rounds in this process (run `unmentor clock` elsewhere).")
def serve(port: int | None, host: str, no_scheduler: bool) -> None:
    """Serve Slack's requests (HTTP, or Socket Mode when SLACK_APP_TOKEN is set)."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import create_app
    from bot.round_clock import exit_on_sigterm, stop_clock
    from scheduler.sending import Sending

    # This process's sending, shared by the clock and the clicks' sends, and stopped by SIGTERM.
    sending = Sending()
    exit_on_sigterm(sending)
    app = create_app(current, engine, sending=sending)
    clock = socket_mode = None
    finished = True
    try:
        if not no_scheduler:
            from bot.round_clock import start_clock

            clock = start_clock(current, engine, app.client, sending)
        if current.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            socket_mode = SocketModeHandler(app, current.app_token, web_client=app.client)
            socket_mode.start()
        else:
            _serve_http(app, engine, host, port or current.port, port is not None)
    except KeyboardInterrupt:
        pass  # Ctrl-C: stop as for SIGTERM
    finally:
        if socket_mode is not None:
            socket_mode.close()  # no new events from Slack while the sends in hand finish
        finished = stop_clock(clock, engine, sending)
    _exit_stopped(finished)


def _serve_http(app, engine, host: str, port: int, from_option: bool) -> None:
    import errno

    from bot.server import serve_http

    try:
        serve_http(app, engine, host, port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        given = f"--port {port}" if from_option else f"PORT={port}"
        fail(f"port {port} ({given}) is already in use on {host}: stop what is using it, "
             "or choose another with PORT or --port")


def _exit_stopped(finished: bool) -> None:
    if not finished:
        # A send still waits on Slack in a worker thread; it was released, so the next
        # process takes it, and waiting for that thread would only delay the stop.
        import os

        logging.shutdown()
        os._exit(0)


@click.command()
def clock() -> None:
    """Run only the round scheduler (for a separate `clock:` process)."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import make_client
    from bot.round_clock import run_clock_forever

    _exit_stopped(run_clock_forever(current, engine, make_client(current)))
