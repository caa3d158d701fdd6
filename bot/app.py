"""Builds the Bolt app: the Slack client, request checks, retry handling and the listeners."""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import Executor
from contextlib import contextmanager
from urllib.parse import urlsplit

from slack_bolt import App, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.engine import Engine

from bot import logs, payload, workspace
from bot.config import Settings
from bot.services import Services, work_pool
from bot.workspace import OwnWorkspace
from scheduler import pacing
from scheduler.sending import Sending

log = logging.getLogger("unmentor")


class ConnectionRetryButNeverRepost(ConnectionErrorRetryHandler):
    """Tries a call again when the connection dropped, except a post: Slack may have stored it before
    the connection went, and a blind second post would put the message there twice. Delivery looks
    for a post in doubt in the conversation before it goes again (scheduler.delivery)."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if urlsplit(request.url).path.endswith("/chat.postMessage"):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_client(settings: Settings, *, wait_out_rate_limits: bool = True, timeout: int = 10) -> WebClient:
    """The Web API client. Replies to clicks wait out a 429 (Slack says how long); the outbox
    doesn't (wait_out_rate_limits=False): it records when to try again and moves on.

    The handlers are given outright: slack_sdk's default list has a connection retry of its own,
    which would re-post."""
    handlers = [ConnectionRetryButNeverRepost(max_retry_count=2)]
    if wait_out_rate_limits:
        # A 429 means Slack took nothing, so trying the same post again is safe.
        handlers.insert(0, RateLimitErrorRetryHandler(max_retry_count=2))
    return WebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=timeout,
                     retry_handlers=handlers)


@contextmanager
def _bot_token_unseen_by_bolt():
    """Bolt reads SLACK_BOT_TOKEN itself when given no token, then warns at every start that our
    client wins over it ("As you gave `client` as well, `token` will be unused"). Our client
    already carries that token, so Bolt is built without seeing the variable."""
    hidden = os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        yield
    finally:
        if hidden is not None:
            os.environ["SLACK_BOT_TOKEN"] = hidden


def create_app(settings: Settings, engine: Engine, client: WebClient | None = None,
               work: Executor | None = None, sending: Sending | None = None) -> App:
    """`work` runs what listeners do after their ack (a test may pass one it can wait on). `sending`:
    the process's, shared with its clock (`serve` passes it); without one, the app has its own."""
    client = client or make_client(settings)
    own = OwnWorkspace(client)
    with _bot_token_unseen_by_bolt():
        app = _bolt_app(settings, client, own)
    services = Services(settings=settings, engine=engine, client=client, work=work or work_pool(), own=own,
                        sending=sending or Sending())

    @app.error
    def log_errors(error, body):
        log.exception("listener failed for a %s request", body.get("type") or body.get("command"), exc_info=error)

    from bot import listeners

    listeners.register(app, services)
    return app


def warm_up(engine: Engine) -> None:
    """The first round date worked out in a process costs seconds of CPU (the holiday calendars),
    during which acknowledgements wait for Python's lock; `serve` pays it once it is listening,
    before Slack's requests come (and not before: a busy machine must still come up quickly)."""
    from scheduler.workspace_schedule import next_round_at
    from storage import members as member_store
    from storage.db import read_scope

    try:
        with read_scope(engine) as session:
            for team in member_store.team_ids(session) or ["T0WARMUP"]:
                next_round_at(session, team)
    except Exception as error:  # only ever a head start; the first request pays it otherwise
        log.debug("warm-up skipped: %s", error.__class__.__name__)


def _bolt_app(settings: Settings, client: WebClient, own: OwnWorkspace) -> App:
    app = App(
        # Named, because Bolt otherwise names the app after its caller's file through inspect.stack(),
        # which reads the source of every frame: 50 ms an app under a test runner's deep stack.
        name="unmentor",
        client=client,
        # Bolt would log request bodies (members' words) at INFO; see bot/logs.py.
        logger=logs.bolt_logger(),
        signing_secret=settings.signing_secret,
        # auth.test at import time would crash start-up whenever Slack is briefly unreachable;
        # it is asked on the first request instead (OwnWorkspace), and Bolt is told the answer.
        token_verification_enabled=False,
        # Each listener runs in the request's own thread and only acks and hands its work to a pool
        # of its own (Services.work), so Bolt answers as soon as it returns. Bolt's other way runs
        # listeners in a pool of five shared by acks and work, and polls for the ack every 10 ms:
        # a slow Slack then held every thread and acks missed Slack's three seconds.
        process_before_response=True,
        # bot/server.py checks every request's signature before Bolt sees it (and refuses junk
        # timestamps Bolt's own check would raise on); a second check is time before the ack.
        request_verification_enabled=False,
    )
    bolt_auth = next((m for m in app._middleware_list if isinstance(m, SingleTeamAuthorization)), None)
    app._middleware_list.insert(app._middleware_list.index(bolt_auth) if bolt_auth else 0,
                                _OneWorkspace(own, bolt_auth))
    return app


class _OneWorkspace(Middleware):
    """Bolt middleware, before its authorization: payloads Bolt couldn't route, and requests from
    anywhere but our workspace, stop here."""

    def __init__(self, own: OwnWorkspace, bolt_auth: SingleTeamAuthorization | None):
        self.own, self.bolt_auth = own, bolt_auth

    def process(self, *, req, resp, next):
        body = req.body if isinstance(req.body, dict) else {}
        if payload.malformed(body):
            return BoltResponse(status=400, body="malformed request")
        if body.get("type") == "url_verification":
            return next()  # Slack checking the address, before any workspace is involved
        if body.get("type") == "app_rate_limited" and self.own.get() is not None:
            _slow_down(self.own.get().team_id, body)
            return BoltResponse(status=200, body="")
        found = self.own.get()
        if found is None:
            return next()  # Slack can't say who we are: Bolt's own auth.test fails and says so
        if self.bolt_auth is not None and self.bolt_auth.auth_test_result is None:
            # One auth.test, not two: Bolt would otherwise ask again, holding this request.
            self.bolt_auth.auth_test_result = self.own.answer
        why = workspace.refusal(body, found)
        if why is None:
            return next()
        log.info("refused a request from outside this workspace (%s)", why.value)
        if body.get("command"):
            # A slash command can be answered in words; everything else is dropped without a sound.
            reply = {"response_type": "ephemeral", "text": workspace.REFUSAL_TEXT[why]}
            return BoltResponse(status=200, body=json.dumps(reply), headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")


RATE_LIMITED_PAUSE = 60.0  # seconds: Slack's event limit counts by the minute


def _slow_down(team_id: str, body: dict) -> None:
    """Slack sends app_rate_limited (unsubscribed) when the app is sent more events than it allows
    and drops the rest for that minute. Say so, and hold every Web API method as a 429 with a
    minute's Retry-After would, so the bot's own sends ease off while Slack is pressed."""
    log.warning("Slack is rate-limiting this app's events (app_rate_limited, minute %s): slowing every send down",
                body.get("minute_rate_limited") if isinstance(body.get("minute_rate_limited"), int) else "?")
    pacer, now = pacing.for_workspace(team_id), pacing.Clock().now()
    for method in pacing.STARTING_GAP:
        pacer.limited(method, now, RATE_LIMITED_PAUSE)
