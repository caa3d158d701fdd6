"""What Slack sent, as plain values: the one place that reads command, click, modal and event payloads.

Listeners call `read(body)` and hand the result on; nothing else digs into a payload's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import ids


@dataclass(frozen=True)
class Payload:
    team_id: str
    user_id: str
    text: str = ""                      # what followed `/unmentor`
    action_id: str | None = None        # the button clicked
    group_id: int | None = None         # the match a button or a meeting modal acts on
    period: str | None = None           # the round a heads-up's "Skip this round" names
    trigger_id: str | None = None       # opens a modal, within 3 seconds of the click
    response_url: str | None = None     # answers a click on a message (none from App Home or a modal)
    values: dict = field(default_factory=dict)  # a submitted modal's answers, by block id
    picked_date: str | None = None      # a date picker's day, as Slack sends it ("2027-03-01")
    picked_users: tuple[str, ...] = ()  # a users picker's whole selection
    event_id: str | None = None         # an event's id, the same on Slack's retries of it
    removing: tuple[str, bool] | None = None  # a removal's confirm button: (whom, tell them)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str | None:
    """A string Slack sent, or None for anything else in its place (a signed payload may hold anything)."""
    return value if isinstance(value, str) and value else None


def team_id(body: dict) -> str:
    # Slash commands and events carry team_id at the top; clicks and modals carry a team object
    # (and, on Enterprise Grid, sometimes only the user's team).
    body = _dict(body)
    return (_text(_dict(body.get("team")).get("id")) or _text(body.get("team_id"))
            or _text(_dict(body.get("user")).get("team_id")) or "")


def read(body: dict) -> Payload:
    """The plain values in any payload Bolt hands a listener (a command, a click, a modal, an event).

    Never raises: a value of the wrong kind reads as missing, so a listener sees nothing to act on.
    """
    body = _dict(body)
    actions = body.get("actions")
    action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    view = _dict(body.get("view"))
    submitted = body.get("type") == "view_submission"
    # A button says which match in its value; a meeting modal carries it in private_metadata.
    carried = _text(view.get("private_metadata") if submitted else action.get("value"))
    picked = action.get("selected_users")
    return Payload(
        team_id=team_id(body),
        user_id=(_text(_dict(body.get("user")).get("id")) or _text(body.get("user_id"))
                 or _text(_dict(body.get("event")).get("user")) or ""),
        text=_text(body.get("text")) or "",
        action_id=_text(action.get("action_id")),
        group_id=ids.parse_value(carried, "group"),
        period=None if submitted else ids.parse_period(carried),
        trigger_id=_text(body.get("trigger_id")),
        response_url=_text(body.get("response_url")),
        values=_dict(_dict(view.get("state")).get("values")) if submitted else {},
        event_id=_text(body.get("event_id")),
        picked_date=_text(action.get("selected_date")),
        picked_users=tuple(u for u in picked if isinstance(u, str)) if isinstance(picked, list) else (),
        removing=None if submitted else ids.parse_remove(carried),
    )


def _items_with_text(value, key: str) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, dict) and isinstance(item.get(key), str) for item in value)


def malformed(body) -> bool:
    """True for a payload whose shape Bolt would trip over while routing it (a signed payload may hold
    anything): clicks without a list of actions, modals without a view, events without an event."""
    if not isinstance(body, dict):
        return True
    if "view" in body and not isinstance(body["view"], dict):
        return True  # Bolt reads any view it is given, even to log a payload no listener takes
    kind = body.get("type")
    if kind == "block_actions":
        return not _items_with_text(body.get("actions"), "action_id")
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        return not (isinstance(view, dict) and isinstance(view.get("callback_id"), str))
    if kind == "event_callback":
        event = body.get("event")
        return not (isinstance(event, dict) and isinstance(event.get("type"), str))
    return False
