"""The intro's suggested times: kept apart from the rest of the intro (bot/blocks/sends.py) so
either can change without the other. Each time shows in the reader's own time zone, with who has
said it works, and one click to agree; "None of these" opens the reschedule form."""

from __future__ import annotations

from collections.abc import Sequence

from bot import ids
from bot.blocks.kit import actions, button, context, section, slack_date

# The intro shows these while a time is still to be found.
STILL_TO_FIND = ("new", "rescheduling")


def _who_can(user_ids) -> str:
    if not user_ids:
        return ""
    names = [f"<@{u}>" for u in user_ids]
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"\n{said} can do this."


def suggested_times_blocks(intro, zones: Sequence[str] = ()) -> list[dict]:
    """The suggestions part of an intro: nothing for a group from before suggestions, or once a
    time is set, the hour has happened or the match is over."""
    if intro.suggestions is None or intro.ended or intro.status not in STILL_TO_FIND:
        return []
    everyone = "you both" if len(intro.people) == 2 else "all three of you" if len(intro.people) == 3 else "you all"
    if not intro.suggestions:
        return [context(f"Your working hours hardly overlap, so I've no times to suggest. Find one that suits "
                         f"{everyone} here, and press \"We've scheduled it\" below.")]
    value = ids.value("group", intro.group_id)
    blocks = [section(f"*Times that suit {everyone}*, inside everyone's working hours and shown in your own time. "
                       "Press \"That works for me\" on any you can do; once everyone has picked the same one, "
                       "it's scheduled.")]
    for suggestion in intro.suggestions:
        block = section(f"*{slack_date(suggestion.at, zones)}*{_who_can(suggestion.chosen_by)}")
        block["accessory"] = button("That works for me", ids.suggested_time(suggestion.index), value)
        blocks.append(block)
    blocks.append(actions(button("None of these times", ids.NONE_OF_THESE, value)))
    return blocks
