"""The shared Block Kit pieces every audience's messages are made of: escaping and clipping member text,
dates, sections, buttons and inputs."""

from __future__ import annotations

from datetime import datetime, timezone


Message = dict  # {"text": fallback, "blocks": [...]} — what chat.postMessage / respond take

# "Maximum length for this field is 255 characters" (https://docs.slack.dev/reference/block-kit/blocks).
BLOCK_ID_MAX = 255


# mrkdwn has no escape for its formatting marks, so in member-written text they become
# look-alikes: "Acme*" must not end the bold that wraps it.
_MARK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def escape(text: str) -> str:
    """Member-written text shown in mrkdwn: never a mention, link or formatting trick."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(_MARK_LOOKALIKES)


def slack_date(at: datetime) -> str:
    """A date Slack renders in each reader's own time zone (the fallback, for notifications, in UTC)."""
    utc = at.astimezone(timezone.utc)
    fallback = f"{utc:%A} {utc.day} {utc:%B} at {utc:%H:%M} UTC"
    return f"<!date^{int(utc.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True}, "action_id": action_id}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def _message(text: str, *blocks: dict) -> Message:
    return {"text": text, "blocks": list(blocks) or [_section(text)]}


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _text_input(block_id: str, label: str, initial: str, limit: int, *, multiline: bool, optional: bool, hint: str | None = None, placeholder: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _with_marker(message: Message, marker: str | None) -> Message:
    # The marker lets a restart find this message in the conversation instead of re-sending it.
    if marker:
        message["blocks"][0]["block_id"] = marker[:BLOCK_ID_MAX]
    return message


def _quote(text: str, limit: int = 300) -> str:
    return "“" + clip(text, limit) + "”"


def clip(text: str, limit: int) -> str:
    """Member text, escaped, at most `limit` characters as shown, cut on a word with an ellipsis.

    Escaping first, then cutting, means an entity like &amp; is never split and the limit
    holds for what Slack counts.
    """
    shown = escape(text)
    if len(shown) <= limit:
        return shown
    cut = shown[: limit - 1]
    cut = cut[: cut.rfind("&")] if cut.rfind("&") > cut.rfind(";") else cut  # no half entity
    return cut.rsplit(" ", 1)[0].rstrip() + "…" if " " in cut[-40:] else cut + "…"


def quote_lines(text: str) -> str:
    """Member text as a block quote, every line of it, so nothing they write can pass for the bot.

    Runs of blank lines collapse to one (still quoted): a wall of empty lines can't push
    the note's end out of view and leave its last lines looking like ours.
    """
    lines, blank = [], False
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            blank = bool(lines)
            continue
        if blank:
            lines.append(">")
            blank = False
        lines.append("> " + escape(line))
    return "\n".join(lines)


def _lines_within(lines: list[str], limit: int) -> str:
    """Whole lines, as many as fit in `limit` characters (a section's text holds 3,000)."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def _mentions(user_ids) -> str:
    return " and ".join(f"<@{user_id}>" for user_id in user_ids) or "your partner"


def _actions(*buttons: dict) -> dict:
    return {"type": "actions", "elements": list(buttons)}


def _option(text: str, value: str) -> dict:
    return {"text": _plain(text), "value": value}


def _select(block_id: str, label: str, options: list[tuple[str, str]], current: str) -> dict:
    opts = [_option(text, value) for text, value in options]
    element = {"type": "static_select", "action_id": "value", "options": opts}
    chosen = next((o for o in opts if o["value"] == current), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}


def _optional_input(block_id: str, label: str, element: dict, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": True}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _checkbox(block_id: str, label: str, option: str, value: str, checked: bool, hint: str | None = None) -> dict:
    opt = {"text": _plain(option), "value": value}
    element = {"type": "checkboxes", "action_id": "value", "options": [opt]}
    if checked:
        element["initial_options"] = [opt]
    return _optional_input(block_id, label, element, hint)


def _state_value(state_values: dict, block_id: str) -> dict:
    return (state_values.get(block_id) or {}).get("value") or {}
