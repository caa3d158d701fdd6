"""`unmentor serve` and `unmentor clock`: the long-running processes."""

from __future__ import annotations

import click

from bot.cli.common import engine_for, settings


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Don't run rounds in this process (run `unmentor clock` elsewhere).")
def serve(port: int | None, host: str, no_scheduler: bool) -> None:
    """Serve Slack's requests (HTTP, or Socket Mode when SLACK_APP_TOKEN is set)."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import create_app

    app = create_app(current, engine)
    clock = None
    if not no_scheduler:
        from bot.clock import start_clock

        clock = start_clock(current, engine, app.client)
    try:
        if current.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(app, current.app_token, web_client=app.client).start()
        else:
            from bot.server import serve_http

            serve_http(app, engine, host, port or current.port)
    finally:
        if clock is not None:
            clock.shutdown(wait=False)


@click.command()
def clock() -> None:
    """Run only the round scheduler (for a separate `clock:` process)."""
    current = settings()
    engine = engine_for(current.database_url)
    from bot.app import make_client
    from bot.clock import run_clock_forever

    run_clock_forever(current, engine, make_client(current))
