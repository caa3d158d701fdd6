"""The real Bolt app inside the test process, so freezegun moves its clock too.

Requests go straight into Bolt, as bolt-python's own scenario tests send them: the body signed
as Slack signs it, in a `BoltRequest` to `app.dispatch`, with Bolt's signature check on. Going
through a socket and waitress as well cost nothing a test looks at (tests/e2e and the HTTP tests
in tests/bot cover the server itself); `Bot(..., http=True)` still serves the app over HTTP, for
tests of what the server adds (acknowledgement times, replays)."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import wait as all_done

from slack_bolt.request import BoltRequest

from bot import callers
from bot.app import create_app, make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from bot.server import create_http_server
from bot.services import AcksFirst
from playground.slack import payloads as sr
from scheduler import delivery
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

# At most this long for a stopping bot's work to finish (one fake Slack call takes milliseconds).
STOP_WAIT_SECONDS = 5


class Work(AcksFirst):
    """The bot's own pool for the work after each ack, which can tell when everything handed to it is
    done. By default work starts at once; a test of bursts gives it the bot's quiet and longest waits."""

    def __init__(self, quiet: float = 0.0, longest: float = 0.0):
        super().__init__(workers=16, quiet=quiet, longest=longest)
        self._handed = []
        self._handed_lock = threading.Lock()

    def _handing(self, future):
        with self._handed_lock:
            self._handed.append(future)
        return future

    def submit(self, fn, /, *args, **kwargs):
        return self._handing(super().submit(fn, *args, **kwargs))

    def submit_now(self, fn, /, *args, **kwargs):
        return self._handing(super().submit_now(fn, *args, **kwargs))

    def idle(self) -> bool:
        with self._handed_lock:
            return all(future.done() for future in self._handed)

    def settle(self, timeout: float) -> bool:
        """Wait for all the work handed over so far, and any it hands on; True when none is left.
        (Counted in rounds, not by the clock, which a test may have frozen.)"""
        while True:
            with self._handed_lock:
                pending = [future for future in self._handed if not future.done()]
            if not pending:
                return True
            if all_done(pending, timeout=timeout).not_done:
                return False


class Bot:
    """The app in this process, plus what a test needs to drive it."""

    def __init__(self, engine, fake, team, organisers=(), http=False, work=None):
        self.engine, self.fake, self.team = engine, fake, team
        callers.forget_cached_users()  # each test's fake Slack says its own things about people
        settings = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url,
                            organisers=tuple(organisers))
        self.client = make_client(settings)
        # The work after each ack, stopped with the bot so none of it outlives the test.
        self.work = work or Work()
        self.app = create_app(settings, engine, self.client, work=self.work)
        self.server = self.url = None
        self._stopping = False
        if http:
            self.server = create_http_server(self.app, engine, host="127.0.0.1", port=0, threads=4)
            self.url = f"http://127.0.0.1:{self.server.effective_port}/slack/events"
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        try:
            self.server.run()
        except (OSError, ValueError):
            # Closing the socket under waitress's loop is how a test stops it; only complain otherwise.
            if not self._stopping:
                raise

    def post(self, body: bytes, headers=None, timestamp=None) -> tuple[int, str]:
        """Send a body as Slack does, signed; (status, body) as Slack would hear them."""
        if self.server is not None:
            return sr.post(self.url, body, SIGNING_SECRET, headers=headers, timestamp=timestamp)
        content_type = "application/json" if body.lstrip().startswith(b"{") else "application/x-www-form-urlencoded"
        all_headers = {"Content-Type": content_type, **sr.signed_headers(body, SIGNING_SECRET, timestamp),
                       **(headers or {})}
        response = self.app.dispatch(BoltRequest(body=body.decode(), headers=all_headers))
        return response.status, response.body

    def deliver(self):
        return delivery.deliver(self.engine, self.team, SlackGateway(self.client), pace=0)

    def click(self, action_id, user, group_id=None, name=None, value=None, home=False):
        """Click a button; from App Home there is no response URL, as on Slack."""
        name = name or f"{action_id}-{user}-{len(self.fake.responses)}"
        home_view = {"id": "VHOME", "type": "home", "blocks": []} if home else None
        body = sr.block_actions_body(action_id, value or f"group:{group_id}", user, team_id=self.team,
                                     response_url=self.fake.response_url(name), view=home_view)
        status, _ = self.post(body)
        assert status == 200
        return name

    def reply(self, name, timeout=5):
        assert self.fake.wait_for(lambda f: any(r["_name"] == name for r in f.responses), timeout=timeout), name
        return [r for r in self.fake.responses if r["_name"] == name][-1]

    def submit(self, callback_id, user, group_id=None, values=None):
        metadata = f"group:{group_id}" if group_id is not None else ""
        body = sr.view_submission_body(callback_id, values or {}, user, team_id=self.team, private_metadata=metadata)
        status, text = self.post(body)
        assert status == 200
        return json.loads(text) if text.strip() else {}

    def stop(self):
        self._stopping = True
        if self.server is not None:
            self.server.close()
        # Let the test's last work finish while its fake Slack still answers. Left running, it met a
        # closed port, retried for seconds, and held that member's Home lock (bot/home.py) into the
        # next test, whose own redraw then waited past its timeout.
        self.work.settle(timeout=STOP_WAIT_SECONDS)
        self.work.shutdown(wait=False, cancel_futures=True)

    def command(self, text, user, timeout=5):
        """`/unmentor text` as `user`; the ephemeral reply (or None when a modal opened instead)."""
        name = "cmd-" + uuid.uuid4().hex[:8]
        body = sr.slash_command_body(text, user_id=user, team_id=self.team, response_url=self.fake.response_url(name))
        status, _ = self.post(body)
        assert status == 200

        def replied(fake):
            return any(r["_name"] == name for r in fake.responses)

        # A command that opens a modal (or only sends a DM) never replies: rather than wait out the
        # whole timeout to be sure, wait for a reply or for the command's work to be done (it is
        # handed to the pool before the ack returns, and replies before it ends).
        self.fake.wait_for(lambda f: replied(f) or self.work.idle(), timeout=timeout)
        if not replied(self.fake):
            self.work.settle(timeout)
        replies = [r for r in self.fake.responses if r["_name"] == name]
        return replies[-1] if replies else None

    def event(self, event, event_id=None):
        body, headers = sr.event_body(event, team_id=self.team, event_id=event_id or "Ev" + uuid.uuid4().hex[:10])
        status, _ = self.post(body, headers=headers)
        assert status == 200
