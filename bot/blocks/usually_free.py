"""When a member is usually free: a line and a button on App Home, and the short form behind it.
The only thing the bot keeps about anyone's time; suggested times keep to it."""

from __future__ import annotations

from bot import ids
from bot.blocks.kit import plain, section, state_value
from scheduler.suggested_times import DAY_NAMES, Part, UsuallyFree, free_spans

DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PART_WORDS = {Part.morning: "Mornings (9:00 to 12:00)", Part.afternoon: "Afternoons (12:00 to 17:30)",
              Part.evening: "Early evenings (17:30 to 20:00)"}


def _days_words(days) -> str:
    if set(days) == {0, 1, 2, 3, 4}:
        return "Monday to Friday"
    if set(days) == {6, 0, 1, 2, 3}:
        return "Sunday to Thursday"
    named = [DAY_WORDS[d] for d in sorted(days)]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def summary(free: UsuallyFree) -> str:
    """"Monday to Friday, 09:00 to 17:30, your time"."""
    hours = " and ".join(f"{lo:%H:%M} to {hi:%H:%M}" for lo, hi in free_spans(free.parts))
    return f"{_days_words(free.days)}, {hours}, your time"


def usually_free_blocks(free: UsuallyFree, said: bool) -> list[dict]:
    """App Home's line: when suggested times will fall for them, and a button to change it."""
    note = "as you said" if said else "the usual working day, until you say otherwise"
    block = section(f"*When you're usually free:* {summary(free)} ({note}). The times I suggest in your intros "
                     "keep to it. Nothing else about your time is read or kept.")
    block["accessory"] = {"type": "button", "text": plain("Change when I'm free"), "action_id": ids.USUALLY_FREE,
                          "value": "usually_free"}
    return [block]


def _options(pairs) -> list[dict]:
    return [{"text": plain(text), "value": value} for text, value in pairs]


def usually_free_modal(free: UsuallyFree) -> dict:
    days = _options((DAY_WORDS[i], DAY_NAMES[i]) for i in range(7))
    parts = _options((PART_WORDS[p], p.value) for p in Part)
    return {
        "type": "modal",
        "callback_id": ids.USUALLY_FREE_VIEW,
        "title": plain("When you're usually free"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            section("The times I suggest for your chats keep to these, in your own time zone. No calendar is read."),
            {"type": "input", "block_id": "days", "label": plain("Days"),
             "element": {"type": "checkboxes", "action_id": "value", "options": days,
                         "initial_options": [days[d] for d in sorted(free.days)]}},
            {"type": "input", "block_id": "parts", "label": plain("Parts of the day"),
             "element": {"type": "checkboxes", "action_id": "value", "options": parts,
                         "initial_options": [parts[i] for i, p in enumerate(Part) if p in free.parts]}},
        ],
    }


def read_usually_free_modal(state_values: dict) -> tuple[list[int], list[str]]:
    """(days as 0 = Monday…, parts of the day) ticked in the form; unknown values are ignored."""
    def ticked(block_id: str) -> list[str]:
        return [o.get("value") for o in state_value(state_values, block_id).get("selected_options") or []]
    days = [DAY_NAMES.index(d) for d in ticked("days") if d in DAY_NAMES]
    parts = [p for p in ticked("parts") if p in Part.__members__]
    return days, parts
