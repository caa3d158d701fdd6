"""What reaches the log: at the default level, what the bot did, never what anyone wrote or sent.

Bolt logs a request that fails its signature check with the whole body at INFO, and the
body of a failed listener too: a late but genuine follow-up would put a member's Slack ID
and confidential answer in the log. So Bolt speaks only at WARNING unless the operator asks
for detail (`unmentor -v`), and tokens and secrets are blanked out of every line at any level.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable

# Slack tokens (bot, user, app-level, refresh), bearer headers, and the verification token
# every request body still carries.
_TOKEN_SHAPES = re.compile(
    r"\bx(?:ox[a-z]|app)-[0-9A-Za-z-]+"
    r"|\bBearer\s+\S+"
    r"""|(?<=['"]token['"]: ['"])[^'"]+|(?<=\btoken=)[^&\s'"]+"""
)
REDACTED = "[redacted]"


class Redact(logging.Filter):
    """Blanks tokens and the configured secrets out of every record, tracebacks included."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        return True


_redact = Redact()


def configure(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        if _redact not in handler.filters:
            handler.addFilter(_redact)


def keep_secret(values: Iterable[str | None]) -> None:
    """Never log these values (the bot token, signing secret and app token), at any level."""
    _redact.secrets.update(v for v in values if v and len(v) >= 8)


def _unhandled(record: logging.LogRecord) -> bool:
    """Bolt's "Unhandled request" warning quotes the payload and suggests code to handle it; the
    server says in one line that it ignored the request instead (bot/server.py)."""
    return not record.getMessage().startswith("Unhandled request")


def bolt_logger() -> logging.Logger:
    """The logger Bolt is given: quiet (WARNING) unless the operator turned on detail with -v.

    Bolt copies this logger's level to each of its middlewares when the app is built.
    """
    logger = logging.getLogger("unmentor.bolt")
    if _unhandled not in logger.filters:
        logger.addFilter(_unhandled)
    logger.setLevel(logging.DEBUG if logging.getLogger().isEnabledFor(logging.DEBUG) else logging.WARNING)
    return logger
