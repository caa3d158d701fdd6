"""Builds requests into the bot exactly as Slack sends them (shapes of slack-spec/payloads), signed as Slack signs them.

The tests and the playground both send through these, so what the playground shows is what the tests check."""

import copy
import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

TEAM = {"id": "T111", "domain": "unmentor-test"}
API_APP_ID = "A111"
BOT_USER_ID = "UBOT"
# trigger_ids are single-use (views.open answers exchanged_trigger_id on reuse), so every payload gets a new one.
_sequence = itertools.count(1)


def _trigger_id():
    n = next(_sequence)
    return f"{n}.{n}.{hashlib.sha1(str(n).encode()).hexdigest()[:16]}"


def signed_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict:
    """Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}" (see slack_sdk.signature.SignatureVerifier)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


def slash_command_body(text, user_id="U111", team_id="T111", command="/unmentor",
                       response_url="https://hooks.slack.com/commands/T111/111/xxxxx", trigger_id=None,
                       user_name=None, channel_id="C111", channel_name="general", enterprise_id=None) -> bytes:
    """Form body with the keys and order of slash_command.form-urlencoded.txt; enterprise_id/enterprise_name only
    come from Enterprise Grid workspaces, and api_app_id/is_enterprise_install are in SlashCommandPayload.json."""
    fields = {
        "token": "verification_token",
        "team_id": team_id,
        "team_domain": TEAM["domain"],
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
    }
    if enterprise_id:
        fields.update(enterprise_id=enterprise_id, enterprise_name="Org Name")
    fields.update(response_url=response_url, trigger_id=trigger_id or _trigger_id())
    return urlencode(fields).encode()


def _user(user_id, team_id):
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id):
    return {**TEAM, "id": team_id}


def _find_element(blocks, action_id):
    """(block_id, element) of the element with this action_id in a message's or view's blocks."""
    for block in blocks or []:
        for element in block.get("elements", []) + [block.get("accessory"), block.get("element")]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None


def block_actions_body(action_id, value, user_id, team_id="T111", response_url=None, channel_id=None, message_ts=None,
                       message=None, container=None, action_type="button", selected_date=None, view=None,
                       block_id=None, trigger_id=None, state=None, selected_time=None) -> bytes:
    """Form body "payload=<json>" shaped like block_actions.json. Pass `message` (e.g. fake.messages(ch)[-1]) or
    `view` (a view as views.open answered it) to click an element that is really there."""
    message_ts = message_ts or (message or {}).get("ts")
    found_block, element = _find_element((message or view or {}).get("blocks"), action_id)
    action = {"action_id": action_id, "block_id": block_id or found_block or "b", "type": action_type,
              "action_ts": f"{time.time():.6f}"}
    if action_type == "button":
        action.update(text=(element or {}).get("text", {"type": "plain_text", "text": "Button", "emoji": True}))
        if value is not None:
            action["value"] = value
    elif action_type == "datepicker":
        action["selected_date"] = selected_date or value
    elif action_type == "timepicker":
        action["selected_time"] = selected_time or value
    elif action_type in ("static_select", "overflow", "radio_buttons"):
        action["selected_option"] = {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}
    elif action_type == "users_select":
        action["selected_user"] = value
    elif action_type == "multi_users_select":
        action["selected_users"] = list(value)
    else:
        raise ValueError(f"action_type {action_type!r} not supported here")
    payload = {"type": "block_actions", "user": _user(user_id, team_id), "api_app_id": API_APP_ID,
               "token": "verification_token", "container": container, "trigger_id": trigger_id or _trigger_id(),
               "team": _team(team_id), "enterprise": None, "is_enterprise_install": False}
    if view is not None:
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "V111")}
        payload["view"] = copy.deepcopy(view)
    else:
        payload["container"] = container or {"type": "message", "message_ts": message_ts or "1700000000.000100",
                                             "channel_id": channel_id or "C111", "is_ephemeral": False}
        payload["channel"] = {
            "id": channel_id or "C111",
            "name": "directmessage" if (channel_id or "").startswith("D") else "general",
        }
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        payload["state"] = {"values": state or {}}
        payload["response_url"] = response_url or "https://hooks.slack.com/actions/T111/111/random-value"
    payload["actions"] = [action]
    return urlencode({"payload": json.dumps(payload)}).encode()


def view_submission_body(callback_id, values: dict, user_id, team_id="T111", private_metadata="", view_id="V111",
                         blocks=None, title="Unmentor", stored=None, trigger_id=None, kind="view_submission") -> bytes:
    """Form body "payload=<json>" shaped like view_submission.json. `values` is state.values,
    {block_id: {action_id: {"type": ..., "value": ...}}}; a plain string leaf means a plain_text_input's value.
    `stored` is the view as the stand-in keeps it (what the person has open): its own fields are sent.
    kind="view_closed" sends the view_closed payload (view_closed.json) instead."""
    state = {
        block: {
            action: ({"type": "plain_text_input", "value": leaf} if isinstance(leaf, str) or leaf is None else leaf)
            for action, leaf in actions.items()
        }
        for block, actions in values.items()
    }
    view = {"id": view_id, "team_id": team_id, "type": "modal", "blocks": blocks or [],
            "private_metadata": private_metadata, "callback_id": callback_id, "state": {"values": state},
            "hash": "1700000000.abcdef12", "title": {"type": "plain_text", "text": title},
            "clear_on_close": False, "notify_on_close": False, "close": {"type": "plain_text", "text": "Cancel"},
            "submit": {"type": "plain_text", "text": "Submit"}, "previous_view_id": None, "root_view_id": view_id,
            "app_id": API_APP_ID, "external_id": "", "app_installed_team_id": team_id, "bot_id": "BBOT"}
    if stored is not None:
        view.update({k: copy.deepcopy(v) for k, v in stored.items() if k in view and k != "state" and v is not None})
    payload = {"type": kind, "team": _team(team_id), "user": _user(user_id, team_id), "api_app_id": API_APP_ID,
               "token": "verification_token", "view": view, "enterprise": None, "is_enterprise_install": False}
    if kind == "view_submission":
        payload.update(trigger_id=trigger_id or _trigger_id(), response_urls=[])
    else:
        payload["is_cleared"] = False
    return urlencode({"payload": json.dumps(payload)}).encode()


def app_home_opened_event(user_id, channel="D111", tab="home", view=None, event_ts=None) -> dict:
    """The `event` of AppHomeOpenedPayload.json; `view` is only there once a Home tab has been published."""
    event = {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab,
             "event_ts": event_ts or f"{time.time():.6f}"}
    if view is not None:
        event["view"] = view
    return event


def event_body(event: dict, team_id="T111", event_id="Ev111", retry_num: int | None = None) -> tuple[bytes, dict]:
    """JSON event_callback envelope (AppHomeOpenedPayload.json shape, with authorizations) and extra headers."""
    envelope = {"token": "verification_token", "team_id": team_id, "api_app_id": API_APP_ID, "event": event,
                "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID,
                                    "is_bot": True, "is_enterprise_install": False}],
                "is_ext_shared_channel": False, "event_context": f"4-{event_id}"}
    headers = {}
    if retry_num is not None:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    return json.dumps(envelope).encode(), headers


def post(url, body: bytes, secret: str, headers=None, timestamp=None) -> tuple[int, str]:
    """POST a signed body as Slack does; JSON bodies (events) as application/json, the rest as a form."""
    content_type = "application/json" if body.lstrip().startswith(b"{") else "application/x-www-form-urlencoded"
    all_headers = {"Content-Type": content_type, **signed_headers(body, secret, timestamp), **(headers or {})}
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
