"""When Slack won't take anything from the bot for a workspace: its token refused, or Slack itself failing.

Neither is anyone's fault but the bot's, and neither says anything about a member. So no send is
marked failed, no pair is ended, nobody is paused or told anything: every process holds the
workspace's sends and tries again gently (one call at a time, the pass stopping at the first
failure), and once Slack takes a call again everything waiting goes. The trouble is recorded on
the workspace (storage.slack_trouble), so a clock and a server in separate processes hold
together, the outage is logged once and its end once, and organisers can be told.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import outbox
from storage import slack_trouble as trouble_store
from storage.clock import now
from storage.db import retried

log = logging.getLogger("unmentor.delivery")


class Kind(enum.Enum):
    token = "token"      # Slack refuses the bot's token: nothing goes until it works again
    outage = "outage"    # Slack isn't answering properly (5xx, timeouts, resets)


# Slack's answers for a token it won't take (each Web API method's "Errors"), and the events it
# sends when the app is uninstalled or its tokens revoked.
TOKEN_REFUSED = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope",
    "app_uninstalled", "tokens_revoked",
})
# Answers that aren't answers: Slack busy or down. (In doubt, too: see scheduler.gateway.SendError.)
NOT_ANSWERED = frozenset({"service_unavailable", "request_timeout"})
# A broken token needs a person to mend it: try again every five minutes, or at once by hand.
TOKEN_RETRY = timedelta(minutes=5)
# Slack failing: the next try after half the time it has been failing, between these.
OUTAGE_FIRST_RETRY = timedelta(seconds=15)
OUTAGE_LONGEST_RETRY = timedelta(minutes=5)


def kind_of(code: str, *, in_doubt: bool = False) -> Kind | None:
    """Whether a failed call means trouble for the whole workspace, and which."""
    if code in TOKEN_REFUSED:
        return Kind.token
    if in_doubt or code in NOT_ANSWERED:
        return Kind.outage
    return None


@dataclass(frozen=True)
class Trouble:
    code: str
    since: datetime
    retry_at: datetime

    @property
    def kind(self) -> Kind:
        return kind_of(self.code) or Kind.outage


def current(engine: Engine, team_id: str) -> Trouble | None:
    def read(session):
        workspace = trouble_store.get(session, team_id)
        if workspace is None or workspace.slack_trouble is None:
            return None
        return Trouble(workspace.slack_trouble, workspace.slack_trouble_since, workspace.slack_retry_at)

    return retried(engine, read)


def holding(engine: Engine, team_id: str) -> Trouble | None:
    """The trouble that holds the workspace's sends right now (its next try not yet due), if any."""
    trouble = current(engine, team_id)
    return trouble if trouble is not None and trouble.retry_at > now() else None


def _next_try(kind: Kind, since: datetime, at: datetime) -> datetime:
    if kind is Kind.token:
        return at + TOKEN_RETRY
    wait = min(max((at - since) / 2, OUTAGE_FIRST_RETRY), OUTAGE_LONGEST_RETRY)
    return at + wait


def met(engine: Engine, team_id: str, code: str, kind: Kind) -> None:
    """Slack answered `code`: hold the workspace's sends until the next try; say so once per outage."""
    at = now()
    before = current(engine, team_id)
    since = before.since if before is not None else at
    retry_at = _next_try(kind, since, at)
    began = retried(engine, lambda session: trouble_store.begin(session, team_id, code, at, retry_at))
    if not began:
        return
    if kind is Kind.token:
        log.warning("%s: Slack refused the bot's token (%s). Nothing is sent to anyone until it works again, and "
                    "nothing is lost: check SLACK_BOT_TOKEN and the app's installation%s. The bot tries again every "
                    "%d minutes, or run `unmentor round deliver`.", team_id, code,
                    " and scopes (app_manifest.yml)" if code == "missing_scope" else "",
                    TOKEN_RETRY.total_seconds() // 60)
    else:
        log.warning("%s: Slack isn't answering properly (%s). Sends wait, nothing is lost, and the bot tries "
                    "again gently (at most every %d minutes).", team_id, code,
                    OUTAGE_LONGEST_RETRY.total_seconds() // 60)


def over(engine: Engine, team_id: str) -> None:
    """Slack took a call again: the trouble, if any, is over; its end is said once."""
    def end(session):
        ended = trouble_store.end(session, team_id)
        if ended is not None:
            # Each send's own back-off grew while Slack failed; now it answers, they needn't wait it out.
            outbox.retry_now(session, team_id, now())
        return ended

    ended = retried(engine, end)
    if ended is not None:
        code, since = ended
        minutes = max((now() - since).total_seconds() / 60, 0)
        log.warning("%s: Slack takes the bot's calls again, after %.0f minute(s) of %s: everything waiting goes now.",
                    team_id, minutes, code)
