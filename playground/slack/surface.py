"""Slack's side of a conversation with the bot: what Slack's own apps send on a person's behalf.

Each thing a person does (types a slash command, clicks a button, submits or closes a modal, opens
App Home) goes to the bot's request URL as Slack sends it, signed with the app's signing secret,
with Slack's 3-second limit. The bot's answer is then shown as Slack shows it, in the stand-in.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from . import payloads
from .server import TEAM_ID, FakeSlack

ACK_SECONDS = 3  # Slack gives up on a request the app hasn't answered in 3 seconds


@dataclass
class Trouble:
    """Something a person would notice went wrong: Slack's "didn't respond" or an error answer."""

    at: float
    what: str


@dataclass
class Answer:
    status: int | None  # None: no answer in time (or nothing listening)
    body: str = ""
    problem: str | None = None
    errors: dict = field(default_factory=dict)  # a modal's field errors, block_id -> message


class Surface:
    def __init__(self, fake: FakeSlack, bot_url: str, signing_secret: str, team_id: str = TEAM_ID):
        self.fake, self.bot_url, self.secret, self.team_id = fake, bot_url, signing_secret, team_id
        self._lock = threading.Lock()
        self.troubles: list[Trouble] = []

    # ---- what people do -----------------------------------------------------------------------------------

    def command(self, user: str, text: str, channel: str | None = None, command: str = "/unmentor") -> Answer:
        """`/unmentor text` typed by `user` in `channel` (their DM with the app unless said)."""
        channel = channel or self.fake.open_dm(user)
        name = "cmd-" + uuid.uuid4().hex[:10]
        response_url = self.fake.response_url(name, user=user, channel=channel)
        body = payloads.slash_command_body(
            text,
            user_id=user,
            team_id=self.team_id,
            command=command,
            response_url=response_url,
            trigger_id=self.fake.trigger_for(user),
            channel_id=channel,
            channel_name="directmessage",
            user_name=self._handle(user),
        )
        answer = self._send(body, f"{command} {text}".strip())
        if answer.status == 200 and answer.body.strip():
            # An ack with a message in it: Slack shows that to the person, as a reply only they see.
            try:
                reply = json.loads(answer.body)
            except ValueError:
                reply = {"text": answer.body}
            self.fake.show_reply(user, channel, reply)
        return answer

    def click(self, user: str, action_id: str, *, channel: str | None = None, ts: str | None = None,
              home: bool = False, modal: bool = False, value=None, action_type: str = "button",
              state: dict | None = None) -> Answer:
        """`user` uses an interactive element: in a message (channel and ts), in App Home or in their modal.
        `state` is what the modal's inputs hold now, as state.values."""
        trigger_id = self.fake.trigger_for(user)
        extra = {"datepicker": {"selected_date": value}, "timepicker": {"selected_time": value}}.get(action_type, {})
        if home or modal:
            view = self.fake.home(user) if home else self.fake.modal(user)
            if view is None:
                return self._trouble(f"{'App Home' if home else 'the modal'} isn't open for {user}")
            view["state"] = {"values": state or {}}
            body = payloads.block_actions_body(action_id, value, user, team_id=self.team_id, view=view,
                                               action_type=action_type, trigger_id=trigger_id, **extra)
        else:
            message, ephemeral = self._message(user, channel, ts)
            if message is None:
                return self._trouble(f"no message {ts} in {channel}")
            response_url = self.fake.response_url(user=user, channel=channel, message_ts=ts)
            container = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral}
            # Slack leaves the message out of a click on an ephemeral one: only its ts comes.
            body = payloads.block_actions_body(action_id, value, user, team_id=self.team_id, channel_id=channel,
                                               message_ts=ts, message=None if ephemeral else message,
                                               container=container, action_type=action_type, response_url=response_url,
                                               trigger_id=trigger_id, state=state,
                                               block_id=_block_of(message, action_id), **extra)
        return self._send(body, f"click {action_id}")

    def submit(self, user: str, values: dict) -> Answer:
        """`user` presses the modal's Submit with these state.values; errors come back per block."""
        view = self.fake.modal(user)
        if view is None:
            return self._trouble(f"no modal open for {user}")
        body = payloads.view_submission_body(view.get("callback_id", ""), values, user, team_id=self.team_id,
                                             stored=view, trigger_id=self.fake.trigger_for(user))
        answer = self._send(body, f"submit {view.get('callback_id')}")
        if answer.status == 200:
            try:
                reply = json.loads(answer.body) if answer.body.strip() else {}
            except ValueError:
                reply = {}
                self._note(f"the bot answered a modal with something that isn't JSON: {answer.body[:80]!r}")
            answer.errors = self.fake.show_view_response(user, reply)
        return answer

    def close(self, user: str) -> Answer:
        """`user` closes their modal; the bot hears of it only if the view asked (notify_on_close)."""
        view = self.fake.modal(user)
        self.fake.close_modal(user)
        if view is None or not view.get("notify_on_close"):
            return Answer(200)
        body = payloads.view_submission_body(view.get("callback_id", ""), {}, user, team_id=self.team_id, stored=view,
                                             kind="view_closed")
        return self._send(body, f"close {view.get('callback_id')}")

    def open_home(self, user: str) -> Answer:
        """`user` opens the app's Home tab: Slack sends app_home_opened (with the view once there is one)."""
        home = self.fake.home(user)
        event = payloads.app_home_opened_event(user, channel=self.fake.open_dm(user), view=home)
        body, headers = payloads.event_body(event, team_id=self.team_id, event_id="Ev" + uuid.uuid4().hex[:10])
        return self._send(body, "open App Home", headers)

    # ---- the wire ---------------------------------------------------------------------------------------------

    def _send(self, body: bytes, what: str, headers: dict | None = None) -> Answer:
        content_type = "application/json" if body.lstrip().startswith(b"{") else "application/x-www-form-urlencoded"
        all_headers = {"Content-Type": content_type, **payloads.signed_headers(body, self.secret), **(headers or {})}
        request = urllib.request.Request(self.bot_url, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=ACK_SECONDS) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return self._trouble(f"{what}: the bot answered HTTP {error.code}", error.code)
        except (TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                return self._trouble(f"{what}: the bot didn't answer within {ACK_SECONDS} seconds "
                                     "(Slack would show “operation_timeout”)")
            return self._trouble(f"{what}: the bot isn't answering ({reason})")

    def _trouble(self, what: str, status: int | None = None) -> Answer:
        self._note(what)
        return Answer(status, problem=what)

    def _note(self, what: str) -> None:
        with self._lock:
            self.troubles.append(Trouble(time.time(), what))
        self.fake.touch()

    def _message(self, user, channel, ts):
        for message in self.fake.messages(channel):
            if message["ts"] == ts:
                return message, False
        for message in self.fake.ephemerals(channel, user):
            if message["ts"] == ts:
                return message, True
        return None, False

    def _handle(self, user: str) -> str:
        found = [u for u in self.fake.users() if u["id"] == user]
        return (found[0].get("email") or user).split("@")[0] if found else user.lower()


def _block_of(message: dict, action_id: str) -> str | None:
    for block in message.get("blocks") or []:
        elements = block.get("elements", []) + [block.get("accessory"), block.get("element")]
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in elements):
            return block.get("block_id")
    return None
