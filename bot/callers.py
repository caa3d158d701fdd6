"""Who is asking, and whether Slack has asked before: the users.info cache, the organiser check
and the de-duplication of Slack's retried events."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import member as member_blocks
from bot.payload import Payload
from bot.services import Services
from scheduler import organisers
from scheduler.membership import SlackProfile
from storage import members as member_store
from storage.db import session_scope

log = logging.getLogger("unmentor")


@dataclass(frozen=True)
class SlackUser:
    profile: SlackProfile
    is_admin: bool = False
    known: bool = True  # False when Slack couldn't say (busy, down): the profile is empty


# users.info answers kept briefly: App Home, organiser buttons and their modals ask about the
# same person within seconds, and each call eats into Slack's 3-second window.
_USER_CACHE: dict[str, tuple[float, SlackUser]] = {}
_USER_CACHE_LOCK = threading.Lock()
USER_CACHE_SECONDS = 60


def slack_user(services: Services, user_id: str, *, patient: bool = True) -> SlackUser:
    """What Slack says about a person; an empty profile when Slack can't say (never raises).

    Not `patient`, a busy Slack (429) is not waited out: a modal's trigger lives three seconds,
    and Slack may ask for more than that."""
    with _USER_CACHE_LOCK:
        cached = _USER_CACHE.get(user_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    client = services.client
    if not patient:
        client = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info failed: %s", error.response.get("error"))  # no user ID: it is personal data
        return SlackUser(SlackProfile(), known=False)
    except (URLError, OSError, TimeoutError) as error:
        log.warning("users.info unreachable: %s", error.__class__.__name__)
        return SlackUser(SlackProfile(), known=False)
    profile = user.get("profile") or {}
    found = SlackUser(
        SlackProfile(email=profile.get("email"), title=profile.get("title") or "", timezone=user.get("tz"),
                     name=profile.get("real_name") or user.get("real_name") or None),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
    )
    with _USER_CACHE_LOCK:
        _USER_CACHE[user_id] = (time.monotonic() + USER_CACHE_SECONDS, found)
    return found


def forget_cached_users() -> None:
    with _USER_CACHE_LOCK:
        _USER_CACHE.clear()


def is_organiser(services: Services, team_id: str, user_id: str) -> bool:
    """Named in settings or by another organiser, or a Slack admin or owner (asked of Slack only when needed)."""
    with session_scope(services.engine) as session:
        if organisers.is_organiser(session, team_id, user_id, services.settings.organisers):
            return True
    user = slack_user(services, user_id)
    with session_scope(services.engine) as session:
        return organisers.is_organiser(session, team_id, user_id, services.settings.organisers,
                                       slack_admin=user.is_admin)


def organisers_only(refuse: Callable[..., object]) -> Callable[[Callable], Callable]:
    """A command or click handler `(services, p, ...)` that runs only for organisers. Anyone else gets the
    polite refusal, handed to `refuse(services, p, ..., refusal)` to say it their way (a command returns
    it; a click answers where it came from), and nothing happens."""
    def decorate(handler: Callable) -> Callable:
        def guarded(services: Services, p: Payload, *rest):
            if not is_organiser(services, p.team_id, p.user_id):
                return refuse(services, p, *rest, member_blocks.organisers_only_message())
            return handler(services, p, *rest)
        guarded.__name__ = guarded.__qualname__ = handler.__name__
        guarded.__doc__ = handler.__doc__
        return guarded
    return decorate


def first_delivery(services: Services, p: Payload) -> bool:
    """False for Slack's retry of an event already handled."""
    if not p.event_id:
        return True
    with session_scope(services.engine) as session:
        return member_store.claim_request(session, p.team_id, "event:" + p.event_id)
