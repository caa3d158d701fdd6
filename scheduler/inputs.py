"""What people type, cleaned once, and the one error that tells them what to change.

Below membership, prompts, meeting times and meetings alike, so each can refuse input the
same way without importing the others.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width, bidirectional-override and other invisible format characters: they make
# names that look alike compare differently, or reorder text on screen.
_INVISIBLE = {"Cf", "Cc", "Cs", "Co", "Cn"}
# Slack markup that would ping people or link somewhere if echoed back in a message: an
# opening like "<@", "<#", "<!", "<http:" or "<mailto:" with a ">" somewhere after it.
_MARKUP_OPENING = re.compile(r"<(?:[@#!]|https?:|mailto:)")
# A web address in any form Slack would make clickable, or a person would type into a browser:
# with a scheme ("https://…", "ftp://…", "mailto:"), starting "www.", or a name with a dot and a
# path ("evil.example/login"). A bare "Booking.com" is let through: organisations are called that,
# and no mrkdwn we send turns it into a link (bot.blocks.kit.mrkdwn is verbatim). Bounded
# repeats and no nesting, so one pass over the text.
_WEB_LINK = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://|\bmailto:|\bwww\.[a-z0-9]|[a-z0-9-]\.[a-z]{2,63}/",
                       re.IGNORECASE)
# Everything Unicode ends a line with (str.splitlines' list): LF, CR, vertical tab, form feed, the
# file/group/record separators, NEL, and the line and paragraph separators U+2028/U+2029. Each is
# stored as "\n": one-line fields refuse them all, and a U+2028 can't slip past a check that looks
# for "\n" only. (bot.blocks.kit shows member text on one line by the same list.)
LINE_ENDS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
LINE_BREAKS = re.compile(f"\r\n|[{LINE_ENDS}]")
# Typed text may shrink when cleaned (invisible characters go), but never by this much: a
# longer input is refused before any other check looks at it.
_RAW_ALLOWANCE = 4


def _has_markup(text: str) -> bool:
    """One pass: an opening before the last ">" is markup. (A regex like <@[^>]*> rescans the
    rest of the text from every "<@" when there is no ">", which took 4 s on 100,000 characters.)"""
    if "<!" in text:
        return True
    last_close = text.rfind(">")
    return last_close > 0 and _MARKUP_OPENING.search(text, 0, last_close) is not None


class InputError(ValueError):
    """Input we won't store; the message is shown to the person as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def clean_text(value: str | None, label: str, *, limit: int, required: bool, field: str | None = None,
               one_line: bool = False) -> str:
    """The text as we'd store it, or InputError saying kindly what to change.

    Every check is one pass over the text, and the length comes first, so no input can keep
    a thread busy.
    """
    raw = value or ""
    if len(raw) > limit * _RAW_ALLOWANCE:
        raise InputError(f"Your {label} is {len(raw)} characters; please keep it to {limit}.", field)
    text = LINE_BREAKS.sub("\n", unicodedata.normalize("NFKC", raw))
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in _INVISIBLE else "" for ch in text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    if len(text) > limit:
        raise InputError(f"Your {label} is {len(text)} characters; please keep it to {limit}.", field)
    if _has_markup(text) or _WEB_LINK.search(text):
        raise InputError(
            f"Your {label} can't include mentions, channel links or web links. Plain words work best.", field
        )
    if required and not text:
        raise InputError(f"Your {label} can't be empty.", field)
    if one_line and "\n" in text:
        raise InputError(f"Your {label} should fit on one line.", field)
    return text
