"""`unmentor playground`: the real bot, its scheduler and its storage, against the built-in Slack stand-in.

This is only the composition: the bot is built exactly as `unmentor serve` builds it (create_app,
start_clock, serve_http on waitress, signature check on) and differs only by its settings (the
stand-in's API URL, made-up tokens, a fresh signing secret) and by the one time source, which the
page's "Next phase" moves forward.
"""

from __future__ import annotations

import json
import logging
import secrets
import signal
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from playground import demo
from playground.slack import FakeSlack
from playground.slack.surface import Surface
from storage import clock

DATABASE_FILE = "unmentor-playground.db"
STATE_FILE = "unmentor-playground.json"  # the simulated time, so a restart carries on where it was
log = logging.getLogger("unmentor.playground")


@dataclass
class Playground:
    """Everything the page drives; built by start(), stopped by stop()."""

    fake: FakeSlack
    surface: Surface
    people: list
    engine: object
    scheduler: object
    bot_url: str
    folder: Path
    errors: list = field(default_factory=list)  # (time, message) of errors the bot logged
    healthy: bool = True
    stopped: threading.Event = field(default_factory=threading.Event)
    log_handler: logging.Handler | None = None

    @property
    def team_id(self) -> str:
        return self.surface.team_id

    def run_phases_now(self) -> None:
        """Run the round clock's tick now, as its next interval would (a click must not wait a minute,
        nor be lost while a tick is running), then start delivering what it queued."""
        from datetime import timezone

        from bot.round_clock import tick

        def deliver_soon():
            self.scheduler.modify_job("delivery", next_run_time=datetime.now(timezone.utc))

        # The clock's own look-up, so a round opened here leaves out whom Slack won't let us reach, as the clock does.
        tick(self.engine, deliver_soon, self.scheduler.get_job("rounds").args[2])
        deliver_soon()  # a send waiting for this moment (a reminder) goes now too, with no phase run

    def save(self) -> None:
        (self.folder / STATE_FILE).write_text(json.dumps({"now": clock.now().isoformat()}))

    def stop(self) -> None:
        self.stopped.set()  # the health watch ends with it (in a test's process, it ran on for good)
        self.save()
        logging.getLogger().removeHandler(self.log_handler)
        self.scheduler.shutdown(wait=False)
        self.fake.stop()
        self.engine.dispose()


class _Errors(logging.Handler):
    """Errors the bot logs (a crashed listener, a failed delivery) go on the page as well as the terminal."""

    def __init__(self, sink: list, fake: FakeSlack):
        super().__init__(logging.ERROR)
        self.sink, self.fake = sink, fake

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1].__class__.__name__}: {record.exc_info[1]}"
        self.sink.append((time.time(), text))
        self.fake.touch()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(folder: Path, people: int = 24, fresh: bool = False, start_at: datetime | None = None) -> Playground:
    from bot.app import create_app
    from bot.config import load_settings
    from bot.round_clock import start_clock
    from bot.server import serve_http
    from scheduler.sending import Sending
    from storage.db import make_engine, upgrade

    folder = Path(folder)
    if fresh:
        for name in (DATABASE_FILE, STATE_FILE):
            (folder / name).unlink(missing_ok=True)
    _restore_clock(folder)
    if start_at is not None and start_at > clock.now():
        clock.move_to(start_at)  # a rehearsal on a date of the operator's choosing

    # Slack's clock is the bot's: messages carry the simulated time, as they would in that month.
    fake = FakeSlack(require_action_ids=True, clock=lambda: clock.now().timestamp()).start()
    everyone = demo.people(people)
    demo.add_to(fake, everyone)
    organisers = [p.user_id for p in everyone if p.organiser]

    bot_port = free_port()
    env = {
        # Shaped as Slack issues them (xoxb-<team>-<bot>-<24 letters and digits>), made up each run.
        "SLACK_BOT_TOKEN": f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**13)}-{_letters(24)}",
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),  # new each run, shared only with the stand-in
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{folder / DATABASE_FILE}",
        "PORT": str(bot_port),
        "UNMENTOR_ORGANISERS": ",".join(organisers),
    }
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sending = Sending()  # one for the clock and the clicks, as `unmentor serve` has
    app = create_app(settings, engine, sending=sending)
    errors: list = []
    handler = _Errors(errors, fake)
    logging.getLogger().addHandler(handler)
    scheduler = start_clock(settings, engine, app.client, sending)
    threading.Thread(target=serve_http, args=(app, engine, "127.0.0.1", bot_port), daemon=True,
                     name="bot-http").start()
    bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
    playground = Playground(fake, Surface(fake, bot_url, settings.signing_secret), everyone, engine, scheduler,
                            bot_url, folder, errors, log_handler=handler)
    _wait_until_up(f"http://127.0.0.1:{bot_port}/healthz")
    threading.Thread(target=_watch_health, args=(playground, f"http://127.0.0.1:{bot_port}/healthz"),
                     daemon=True, name="bot-health").start()
    return playground


def _letters(count: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(count))


def _restore_clock(folder: Path) -> None:
    state = folder / STATE_FILE
    if not state.exists():
        return
    try:
        saved = datetime.fromisoformat(json.loads(state.read_text())["now"])
    except (ValueError, KeyError, TypeError):
        return
    if saved > clock.now():
        clock.move_to(saved)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _healthy(url):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the bot didn't come up at {url}")


def _watch_health(playground: Playground, url: str) -> None:
    while not playground.stopped.is_set():
        healthy = _healthy(url)
        if healthy != playground.healthy:
            playground.healthy = healthy
            playground.fake.touch()
        playground.stopped.wait(1)


def run(port: int = 8000, people: int = 24, fresh: bool = False, folder: Path | None = None, echo=print,
        start_at: datetime | None = None) -> None:
    """Serve the page until Ctrl-C, then stop everything this started."""
    from waitress import create_server

    from playground.web import make_page_app

    # The page's port first: if it is taken, say so before touching the database.
    holder = {}
    server = create_server(lambda environ, start_response: holder["app"](environ, start_response),
                           host="127.0.0.1", port=port, threads=8, ident="unmentor-playground")
    playground = start(folder or Path.cwd(), people=people, fresh=fresh, start_at=start_at)
    holder["app"] = make_page_app(playground)
    # Ctrl-C (and SIGTERM, as a service manager stops things) ends the page's loop; then everything
    # this started is stopped. Set explicitly: a shell may start us with SIGINT ignored.
    def interrupt(*_):
        # An open page holds a long poll, and waitress waits up to 5 s for it as it stops:
        # answered first, its thread is free at once (the stand-in's lock is reentrant, so
        # this is safe in a signal handler).
        playground.fake.touch()
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupt)
    echo(f"unmentor playground: open http://127.0.0.1:{server.effective_port}/ "
         f"({len(playground.people)} people; Ctrl-C stops it)")
    try:
        server.run()  # returns on Ctrl-C
    finally:
        server.close()
        playground.stop()
        echo("unmentor playground: stopped")
