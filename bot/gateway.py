"""The scheduler's way to Slack: opens conversations, posts and updates messages, and looks for ones already sent."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Sequence
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import sends as send_blocks
from scheduler.gateway import SendError
from scheduler.organisations import work_domain
from scheduler.reach import SlackPerson

log = logging.getLogger("unmentor.slack")

# Errors that will not go away by trying again: record them and move on to the next person.
PERMANENT = {
    "user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "user_not_visible",
    "channel_not_found", "is_archived", "not_in_channel", "msg_too_long", "invalid_blocks",
    "invalid_arguments", "not_authed", "invalid_auth", "missing_scope", "message_not_found",
    "cant_update_message", "too_many_users", "not_enough_users", "restricted_action",
}


# How many of users.list's 429s to wait out in one look-up before leaving everyone as Slack last said.
LIST_WAITS = 20
# Slack's own words for these: "It's possible some aspect of the operation succeeded before the
# error was raised" (docs.slack.dev/reference/methods/chat.postMessage, Errors).
MAY_HAVE_ACTED = {"internal_error", "fatal_error"}
# slack_sdk's error for an answer that isn't JSON (a proxy's HTML error page).
NOT_JSON = "Received a response in a non-JSON format"


def _send_error(error: Exception) -> SendError:
    """What a failed call means for the send. An answer that doesn't say whether Slack acted (none in
    time, a reset, a 5xx, a page that isn't JSON) leaves the call in doubt: for a post, delivery looks
    before posting again."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = (response.get("error") if response is not None else None) or "unknown_error"
        status = getattr(response, "status_code", 200)
        if status == 429:
            retry_after = float(response.headers.get("Retry-After", 30)) if response.headers else 30.0
            return SendError("ratelimited", permanent=False, retry_after=retry_after)
        if code.startswith(NOT_JSON):
            return SendError(f"not_json_{status}", permanent=False, in_doubt=True)
        if status >= 500 or code in MAY_HAVE_ACTED:
            return SendError(code, permanent=False, in_doubt=True)
        if code in ("service_unavailable", "request_timeout"):
            return SendError(code, permanent=False)
        return SendError(code, permanent=code in PERMANENT)
    # No answer at all: timed out, reset, dropped.
    return SendError(error.__class__.__name__, permanent=False, in_doubt=True)


class SlackGateway:
    def __init__(self, client: WebClient):
        self.client = client

    def _call(self, method: str, **kwargs):
        try:
            return getattr(self.client, method)(**kwargs)
        except (SlackApiError, URLError, OSError, TimeoutError) as error:
            raise _send_error(error) from error

    def open_conversation(self, user_ids: Sequence[str]) -> str:
        return self._call("conversations_open", users=",".join(user_ids))["channel"]["id"]

    def post(self, channel: str, content: object, marker: str, *, safe: bool = False,
             zones: Sequence[str] = ()) -> tuple[str, str]:
        # Its dates' fallback text in its readers' own time zones.
        message = (send_blocks.render_safe if safe else send_blocks.render)(content, marker, zones)
        response = self._call("chat_postMessage", channel=channel, **message)
        return response["channel"], response["ts"]

    def update(self, channel: str, ts: str, content: object, *, safe: bool = False, zones: Sequence[str] = ()) -> None:
        message = (send_blocks.render_safe if safe else send_blocks.render)(content, None, zones)
        self._call("chat_update", channel=channel, ts=ts, **message)

    def find_marker(self, channel: str, marker: str, oldest: datetime) -> str | None:
        cursor = None
        while True:
            kwargs = {"channel": channel, "oldest": f"{oldest.timestamp():.6f}", "limit": 200}
            if cursor:
                kwargs["cursor"] = cursor
            response = self._call("conversations_history", **kwargs)
            for message in response.get("messages", []):
                if any(block.get("block_id") == marker for block in message.get("blocks") or []):
                    return message["ts"]
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None

    def people(self, user_ids: Sequence[str]) -> dict[str, SlackPerson]:
        """What Slack says of each of `user_ids` (scheduler.reach): users.list's pages, then users.info for
        anyone the list doesn't hold (someone from another organisation's workspace, or gone)."""
        wanted, found, cursor, waits = set(user_ids), {}, None, 0
        while wanted - set(found):
            kwargs = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            try:
                page = self.client.users_list(**kwargs)
            except (SlackApiError, URLError, OSError, TimeoutError) as error:
                refusal = _send_error(error)
                if refusal.code == "ratelimited" and waits < LIST_WAITS:
                    # Tier 2 allows 20+ pages a minute: a big workspace meets it, and waits its turn.
                    waits += 1
                    time.sleep(min(refusal.retry_after or 3.0, 30.0))
                    continue
                # Without the list, members keep what Slack last said of them: nobody is left out on a hiccup.
                log.warning("couldn't list the workspace's people before matching: %s", refusal.code)
                return found
            for user in page.get("members") or []:
                if user.get("id") in wanted:
                    found[user["id"]] = _person(user)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        for user_id in sorted(wanted - set(found)):
            try:
                found[user_id] = _person(self.client.users_info(user=user_id)["user"])
            except SlackApiError as error:
                if (error.response.get("error") if error.response is not None else None) == "user_not_found":
                    found[user_id] = SlackPerson(user_id, deleted=True)
            except (URLError, OSError, TimeoutError):
                pass  # a hiccup: they keep their standing
        return found

    def is_reachable(self, user_id: str) -> bool:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            # Only a clear "no such person" counts; a hiccup is not a reason to drop someone.
            return code not in ("user_not_found", "user_not_visible")
        return not user.get("deleted") and not user.get("is_bot")


def _person(user: dict) -> SlackPerson:
    return SlackPerson(user["id"], team_id=user.get("team_id"), deleted=bool(user.get("deleted")),
                       bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
                       guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
                       email_domain=work_domain((user.get("profile") or {}).get("email")))

