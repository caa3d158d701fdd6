"""The shared Block Kit pieces every audience's messages are made of: escaping and clipping member text,
dates, sections, buttons and inputs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.inputs import LINE_ENDS

Message = dict  # {"text": fallback, "blocks": [...]} — what chat.postMessage / respond take

# Block Kit's limits. Slack counts text *after* escaping (one "&" is five characters, "&amp;"),
# and refuses the whole message or view (invalid_blocks) when any piece is over. The helpers
# below hold every message and view inside them, whatever members wrote.
SECTION_TEXT_MAX = 3000   # a section's or a context element's text
PLAIN_TEXT_MAX = 150      # a header, a placeholder
BUTTON_TEXT_MAX = 75      # a button's or an option's text
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100     # a modal or the Home tab
FALLBACK_TEXT_MAX = 3000  # a message's notification text (Slack allows more; nobody reads more)
PLAIN_TEXT_INPUT_MAX = 3000  # what a plain_text_input may hold (its max_length at most)
MESSAGE_TEXT_MAX = 40000  # a message's top-level text (chat.postMessage)

# "Maximum length for this field is 255 characters" (https://docs.slack.dev/reference/block-kit/blocks).
BLOCK_ID_MAX = 255


# mrkdwn has no escape for its formatting marks, so in member-written text they become
# look-alikes: "Acme*" must not end the bold that wraps it.
_MARK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
# Member text shown on one line: every line end Unicode has (scheduler.inputs.LINE_ENDS) is a space.
_ONE_LINE = str.maketrans(dict.fromkeys(LINE_ENDS, " "))
# An emoji shortcode keeps its underscores (":spiral_calendar_pad:"), or it shows as its name. Only an
# underscore between two letters or digits is kept: there it can neither open nor close italics
# (mrkdwn takes "_" as a mark only at a word's edge), so member text still can't end the bot's "_…_".
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:", re.IGNORECASE)  # no ":" inside, so one linear pass


def _inside_words(code: str) -> bool:
    name = code[1:-1]
    return all(0 < i < len(name) - 1 and name[i - 1].isalnum() and name[i + 1].isalnum()
               for i, ch in enumerate(name) if ch == "_")


def _without_marks(text: str) -> str:
    out, last = [], 0
    for found in _SHORTCODE.finditer(text):
        code = found.group()
        out += [text[last:found.start()].translate(_MARK_LOOKALIKES),
                code if _inside_words(code) else code.translate(_MARK_LOOKALIKES)]
        last = found.end()
    out.append(text[last:].translate(_MARK_LOOKALIKES))
    return "".join(out)


def escape(text: str) -> str:
    """Member-written text shown in mrkdwn, on one line: never a mention, link, line break or formatting trick.

    Words that may run over several lines are shown with quote_lines, which splits them first."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(_ONE_LINE)
    return _without_marks(text)


def _known(zones: Sequence[str]) -> tuple[str, ...]:
    """The readers' time zones that exist, each once, in order (a stale or mistyped one is skipped)."""
    known = []
    for name in zones or ():
        try:
            if name and name not in known:
                ZoneInfo(name)
                known.append(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return tuple(known)


def _place(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _clock(zone: str, local: datetime) -> str:
    """'London time' for a place's zone; 'UTC', or 'UTC+05:30', for a zone that names no place."""
    if "/" in zone and not zone.startswith("Etc/"):
        return f"{_place(zone)} time"
    offset = local.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    return f"UTC{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def date_words(at: datetime, zones: Sequence[str]) -> str:
    """The moment in words, in the readers' own time zones (one for a DM, each member's for a group DM);
    UTC only when no reader's zone is known."""
    zones = _known(zones)
    if not zones:
        utc = at.astimezone(timezone.utc)
        return f"{utc:%A} {utc.day} {utc:%B} at {utc:%H:%M} UTC"
    first = at.astimezone(ZoneInfo(zones[0]))
    text = f"{first:%A} {first.day} {first:%B} at {first:%H:%M}"
    if len(zones) == 1:
        # The clock is named: Slack shows the blocks' dates in the zone the reader's Slack is set
        # to now, which may not be the one we hold for them (someone travelling, say).
        return f"{text} {_clock(zones[0], first)}"
    # A group across time zones: each reader finds their own clock (and day, if it differs).
    parts = [text + f" in {_place(zones[0])}"]
    for zone in zones[1:3]:
        local = at.astimezone(ZoneInfo(zone))
        day = "" if local.date() == first.date() else f"{local:%A} {local.day} {local:%B} at "
        parts.append(f"{day}{local:%H:%M} in {_place(zone)}")
    return ", ".join(parts)


def slack_date(at: datetime, zones: Sequence[str]) -> str:
    """A date Slack renders in each reader's own time zone. Its fallback text, which Slack shows in
    notifications and where it can't render the date, is in the `zones` of those the message is for
    (the edge that knows them, a send or a reply to a click, passes them in)."""
    utc = at.astimezone(timezone.utc)
    return f"<!date^{int(utc.timestamp())}^{{date_long_pretty}} at {{time}}|{date_words(at, zones)}>"


def fit_mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> str:
    """mrkdwn as built (escaped member text, mentions, dates), at most `limit` characters.

    Over the limit it is cut with an ellipsis, never inside an entity ("&amp;") or a <…>
    token (a mention or a date), so what is left still reads, and Slack still takes it.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    return cut.rstrip() + "…"


def _fit_plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_blocks(blocks: list[dict], limit: int) -> list[dict]:
    """At most `limit` blocks: past that, the last place says there is more, rather than Slack refusing them all."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context("…and more than fits here.")]


def mrkdwn(text: str) -> dict:
    """A mrkdwn text object, `verbatim`: Slack turns no bare address into a link.

    Left to itself Slack makes "https://evil.example/login", "www.example.com" and even
    "evil.example" in member text clickable. Verbatim stops that for the whole text, and the
    address still reads and copies exactly as written (a zero-width character inside it would
    break copying, and a look-alike dot would copy as another address). Our own markup
    (<@U…> mentions, <!date…> dates, <url|label> links) is written out, so it works as before.
    https://docs.slack.dev/reference/block-kit/composition-objects/text-object
    """
    return {"type": "mrkdwn", "text": fit_mrkdwn(text), "verbatim": True}


def section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(text)]}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    element = {"type": "button", "text": plain(text, BUTTON_TEXT_MAX), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def message(text: str, *blocks: dict) -> Message:
    return {"text": fit_mrkdwn(text, FALLBACK_TEXT_MAX),
            "blocks": fit_blocks(list(blocks) or [section(text)], MESSAGE_BLOCKS_MAX)}


def plain(text: str, limit: int = PLAIN_TEXT_MAX) -> dict:
    return {"type": "plain_text", "text": _fit_plain(text, limit), "emoji": True}


def text_input(block_id: str, label: str, initial: str, limit: int, *, multiline: bool, optional: bool,
                hint: str | None = None, placeholder: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def with_marker(message: Message, marker: str | None) -> Message:
    # The marker lets a restart find this message in the conversation instead of re-sending it.
    if marker:
        message["blocks"][0]["block_id"] = marker[:BLOCK_ID_MAX]
    return message


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


def quote_lines(text: str, limit: int = 2600) -> str:
    """Member text as a block quote, every line of it, so nothing they write can pass for the bot.

    Lines end wherever Unicode ends one (U+2028 and U+0085 as well as a newline), as Slack's
    clients break them. Runs of blank lines collapse to one (still quoted): a wall of empty
    lines can't push the note's end out of view and leave its last lines looking like ours.
    """
    lines, blank = [], False
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            blank = bool(lines)
            continue
        if blank:
            lines.append(">")
            blank = False
        lines.append("> " + escape(line))
    # Within `limit` once escaped, leaving room in its section for the words around it.
    return fit_mrkdwn("\n".join(lines), limit)


def lines_within(lines: list[str], limit: int) -> str:
    """Whole lines, as many as fit in `limit` characters (a section's text holds 3,000)."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def mentions(user_ids) -> str:
    return " and ".join(f"<@{user_id}>" for user_id in user_ids) or "your partner"


def actions(*buttons: dict) -> dict:
    return {"type": "actions", "elements": list(buttons)}


def option(text: str, value: str) -> dict:
    return {"text": plain(text, BUTTON_TEXT_MAX), "value": value}


def select(block_id: str, label: str, options: list[tuple[str, str]], current: str) -> dict:
    opts = [option(text, value) for text, value in options]
    element = {"type": "static_select", "action_id": "value", "options": opts}
    chosen = next((o for o in opts if o["value"] == current), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def optional_input(block_id: str, label: str, element: dict, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": True}
    if hint:
        block["hint"] = plain(hint)
    return block


def checkbox(block_id: str, label: str, option: str, value: str, checked: bool, hint: str | None = None) -> dict:
    opt = {"text": plain(option), "value": value}
    element = {"type": "checkboxes", "action_id": "value", "options": [opt]}
    if checked:
        element["initial_options"] = [opt]
    return optional_input(block_id, label, element, hint)


def state_value(state_values: dict, block_id: str) -> dict:
    return (state_values.get(block_id) or {}).get("value") or {}
