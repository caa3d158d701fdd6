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


def team_id(body: dict) -> str:
    # Slash commands and events carry team_id at the top; clicks and modals carry a team object
    # (and, on Enterprise Grid, sometimes only the user's team).
    return (body.get("team") or {}).get("id") or body.get("team_id") or (body.get("user") or {}).get("team_id") or ""


def read(body: dict) -> Payload:
    """The plain values in any payload Bolt hands a listener (a command, a click, a modal, an event)."""
    action = (body.get("actions") or [{}])[0]
    view = body.get("view") or {}
    submitted = body.get("type") == "view_submission"
    # A button says which match in its value; a meeting modal carries it in private_metadata.
    carried = view.get("private_metadata") if submitted else action.get("value")
    return Payload(
        team_id=team_id(body),
        user_id=((body.get("user") or {}).get("id") or body.get("user_id")
                 or (body.get("event") or {}).get("user") or ""),
        text=body.get("text") or "",
        action_id=action.get("action_id"),
        group_id=ids.parse_value(carried, "group"),
        period=None if submitted else ids.parse_period(action.get("value")),
        trigger_id=body.get("trigger_id"),
        response_url=body.get("response_url"),
        values=(view.get("state") or {}).get("values") or {} if submitted else {},
        event_id=body.get("event_id"),
        picked_date=action.get("selected_date"),
        picked_users=tuple(u for u in action.get("selected_users") or [] if isinstance(u, str)),
        removing=None if submitted else ids.parse_remove(action.get("value")),
    )
