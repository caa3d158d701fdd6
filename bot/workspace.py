"""The one workspace this bot serves: the one its token belongs to, as Slack's auth.test says.

A payload from anywhere else (another workspace, none named at all, or an Enterprise Grid
org-wide install) is refused before any listener sees it, so it can never store a member or
start a workspace. Enterprise Grid: installed to one workspace of an organisation, the bot serves
that workspace like any other; installed org-wide, it refuses everything, plainly, because one
pool across an organisation's workspaces is not something it does (yet).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import Enum
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import payload

log = logging.getLogger("unmentor")


@dataclass(frozen=True)
class Own:
    team_id: str
    enterprise_id: str | None = None
    org_wide: bool = False  # an Enterprise Grid org-wide install
    bot_user_id: str = ""   # the bot's own Slack user


class Refusal(Enum):
    other_workspace = "other_workspace"
    no_workspace = "no_workspace"
    org_wide = "org_wide"


def _said_true(value) -> bool:
    # JSON payloads say true; slash commands, being a form, say "true".
    return value is True or value == "true"


def _enterprise_id(body: dict) -> str | None:
    enterprise = body.get("enterprise")
    found = enterprise.get("id") if isinstance(enterprise, dict) else None
    found = found or body.get("enterprise_id")
    return found if isinstance(found, str) and found else None


def refusal(body: dict, own: Own) -> Refusal | None:
    """Why this payload is not for us, or None when it comes from our own workspace."""
    if own.org_wide:
        return Refusal.org_wide
    authorizations = body.get("authorizations")
    org_wide = _said_true(body.get("is_enterprise_install")) or any(
        isinstance(a, dict) and _said_true(a.get("is_enterprise_install")) for a in authorizations or ()
        if isinstance(authorizations, list))
    if org_wide:
        return Refusal.org_wide
    team = payload.team_id(body)
    if not team:
        return Refusal.no_workspace
    if team != own.team_id:
        return Refusal.other_workspace
    enterprise = _enterprise_id(body)
    if enterprise is not None and enterprise != own.enterprise_id:
        return Refusal.other_workspace
    return None


REFUSAL_TEXT = {
    Refusal.org_wide: ("unmentor serves one Slack workspace and can't be installed across an Enterprise Grid "
                       "organisation. Ask an admin to install it to a single workspace instead."),
    Refusal.other_workspace: "This unmentor serves another Slack workspace, so there's nothing it can do for you here.",
    Refusal.no_workspace: "This unmentor serves another Slack workspace, so there's nothing it can do for you here.",
}


class OwnWorkspace:
    """auth.test, asked once it is needed and remembered (the token's workspace never changes)."""

    def __init__(self, client: WebClient):
        self._client = client
        self._lock = threading.Lock()
        self._own: Own | None = None
        self.answer = None  # Slack's whole auth.test answer, for Bolt

    def get(self) -> Own | None:
        """Our workspace, or None while Slack can't say (never raises)."""
        if self._own is not None:
            return self._own
        with self._lock:
            if self._own is None:
                try:
                    answer = self._client.auth_test()
                except SlackApiError as error:
                    log.warning("auth.test failed: %s", error.response.get("error"))
                    return None
                except (URLError, OSError, TimeoutError) as error:
                    log.warning("auth.test unreachable: %s", error.__class__.__name__)
                    return None
                self.answer = answer
                self._own = Own(team_id=answer.get("team_id") or "", enterprise_id=answer.get("enterprise_id") or None,
                                org_wide=bool(answer.get("is_enterprise_install")),
                                bot_user_id=answer.get("user_id") or "")
                if self._own.org_wide:
                    log.error("this token is an Enterprise Grid org-wide install; unmentor serves one workspace "
                              "and refuses every request until it is installed to a single workspace")
        return self._own
