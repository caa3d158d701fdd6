"""Settings from the environment (and `.env`), checked once at start with one clear line per problem."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.db import normalise_url

SLACK_API_DEFAULT = "https://slack.com/api/"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# The shapes Slack issues: a bot token is xoxb-<team number>-<bot number>-<24 letters and
# digits>, an app-level token xapp-<n>-<app id>-<number>-<hex>, a signing secret 32 hex
# digits. Placeholders from examples and tutorials ("xoxb-your-bot-token", "changeme")
# don't fit, so the bot stops at start instead of failing every request later.
BOT_TOKEN = re.compile(r"xoxb-\d+-[0-9A-Za-z-]+")
APP_TOKEN = re.compile(r"xapp-\d+-[0-9A-Za-z-]+")
SIGNING_SECRET = re.compile(r"[0-9a-fA-F]{32}")


def _placeholder(value: str) -> bool:
    """Too few different characters to be a real secret (00000000…, 12341234…)."""
    tail = value.split("-", 1)[-1]
    return len(set(tail.replace("-", "").lower())) < 5


def real_bot_token(value: str) -> bool:
    """Shaped as Slack issues bot tokens and no placeholder (the example .env's xoxb-your-bot-token)."""
    return bool(BOT_TOKEN.fullmatch(value)) and not _placeholder(value)


class SettingError(Exception):
    """A missing or malformed setting; the message names it and says what to do."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = "sqlite:///unmentor.db"
    port: int = 3000
    organisers: tuple[str, ...] = field(default_factory=tuple)
    # conversations.history calls a minute Slack allows this app (scheduler.pacing.HISTORY_PER_MINUTE).
    history_per_minute: float = 50.0

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


def _get(env, name: str) -> str:
    return (env.get(name) or "").strip()


def load_database_url(env=None) -> str:
    env = os.environ if env is None else env
    raw = _get(env, "DATABASE_URL")
    url = normalise_url(raw or None)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingError(
            "DATABASE_URL is not a database URL: use e.g. sqlite:///unmentor.db or "
            "postgresql://user@host:5432/dbname"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingError(
            f"DATABASE_URL names '{parsed.get_backend_name()}': unmentor supports sqlite and postgresql"
        )
    return url


def load_settings(env=None, *, need_slack: bool = True) -> Settings:
    """Read and check every setting; raise SettingError naming the first bad one."""
    env = os.environ if env is None else env
    bot_token = _get(env, "SLACK_BOT_TOKEN")
    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    app_token = _get(env, "SLACK_APP_TOKEN") or None
    if need_slack:
        if not bot_token:
            raise SettingError("SLACK_BOT_TOKEN is missing: set it to your app's Bot User OAuth Token (xoxb-…)")
        if not bot_token.startswith("xoxb-"):
            raise SettingError("SLACK_BOT_TOKEN should start with xoxb-: use the Bot User OAuth Token")
        if not real_bot_token(bot_token):
            raise SettingError(
                "SLACK_BOT_TOKEN looks like a placeholder: paste the Bot User OAuth Token (xoxb-<numbers>-…)"
            )
        if not signing_secret:
            raise SettingError("SLACK_SIGNING_SECRET is missing: copy it from your app's Basic Information page")
        if not SIGNING_SECRET.fullmatch(signing_secret) or _placeholder(signing_secret):
            raise SettingError(
                "SLACK_SIGNING_SECRET looks malformed: it is the 32 hex characters from Basic Information"
            )
        if app_token is not None and (not APP_TOKEN.fullmatch(app_token) or _placeholder(app_token)):
            raise SettingError(
                "SLACK_APP_TOKEN should look like xapp-<number>-…: use an app-level token with connections:write"
            )

    api_url = _get(env, "SLACK_API_URL") or SLACK_API_DEFAULT
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingError("SLACK_API_URL is not an http(s) URL: leave it unset for https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"  # slack_sdk joins method names straight onto it

    raw_port = _get(env, "PORT") or "3000"
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise SettingError(f"PORT must be a number from 1 to 65535, not '{raw_port}'")

    organisers = tuple(part.strip() for part in _get(env, "UNMENTOR_ORGANISERS").split(",") if part.strip())
    for user_id in organisers:
        if not USER_ID.match(user_id):
            raise SettingError(
                f"UNMENTOR_ORGANISERS has '{user_id}', which is not a Slack user ID (like U012AB3CD), comma-separated"
            )

    raw_history = _get(env, "UNMENTOR_HISTORY_PER_MINUTE") or "50"
    try:
        history_per_minute = float(raw_history)
    except ValueError:
        history_per_minute = 0.0
    if not 0 < history_per_minute <= 1000:
        raise SettingError(f"UNMENTOR_HISTORY_PER_MINUTE must be a number of calls a minute, like 50 or 1, "
                           f"not '{raw_history}'")

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=api_url,
        database_url=load_database_url(env),
        port=int(raw_port),
        organisers=organisers,
        history_per_minute=history_per_minute,
    )
