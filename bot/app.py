"""Builds the Bolt app: the Slack client, request checks, retry handling and the listeners."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from urllib.parse import urlsplit

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.engine import Engine

from bot import logs
from bot.config import Settings
from bot.services import Services

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


def create_app(settings: Settings, engine: Engine, client: WebClient | None = None) -> App:
    client = client or make_client(settings)
    with _bot_token_unseen_by_bolt():
        app = _bolt_app(settings, client)
    services = Services(settings=settings, engine=engine, client=client)

    @app.error
    def log_errors(error, body):
        log.exception("listener failed for a %s request", body.get("type") or body.get("command"), exc_info=error)

    from bot import listeners

    listeners.register(app, services)
    return app


def _bolt_app(settings: Settings, client: WebClient) -> App:
    return App(
        client=client,
        # Bolt would log request bodies (members' words) at INFO; see bot/logs.py.
        logger=logs.bolt_logger(),
        signing_secret=settings.signing_secret,
        # auth.test at import time would crash start-up whenever Slack is briefly unreachable;
        # Bolt asks lazily on the first request instead.
        token_verification_enabled=False,
        # Bolt answers Slack as soon as a listener calls ack(); the rest runs in a worker thread.
        process_before_response=False,
    )
