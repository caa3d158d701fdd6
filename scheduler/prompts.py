"""The conversation prompt library: the default one, an organiser's own, and choosing an intro's three prompts.

Every intro gets an opener (what each wants from the hour), a middle prompt and a closing
"what will you try". Each is the one the group saw least recently, so prompts never run out:
once someone has seen them all, the oldest come back.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from sqlmodel import Session

from scheduler.inputs import InputError, clean_text
from storage import members as member_store

DEFAULT_FILE = Path(__file__).parent / "prompts" / "default.json"
SETTING_KEY = "prompt_library"
PROMPT_MAX = 300
# The three places a prompt can take in an intro, in the order they are shown.
POSITIONS = ("opener", "middle", "closing")
PER_INTRO = len(POSITIONS)
# Libraries written before positions existed: these theme names keep their old meaning.
IMPLIED_POSITIONS = {"wants": "opener", "opener": "opener", "try": "closing", "closing": "closing"}


@dataclass(frozen=True)
class Prompt:
    id: str
    theme: str
    theme_title: str
    text: str
    position: str = "middle"


@dataclass(frozen=True)
class PromptLibrary:
    name: str
    prompts: tuple[Prompt, ...]
    # Ids taken out of the library, each pointing to the prompt that took its place (a merged
    # duplicate's survivor, or a gentler prompt in the same place of an intro). Groups store the
    # ids they were given, so an intro of a round running when the library changed still shows
    # three prompts when it is edited, and whoever saw a retired prompt counts as having seen
    # its successor: nobody gets a merged prompt back in new words straight away.
    retired: Mapping[str, str] = field(default_factory=dict)

    def current_id(self, prompt_id: str) -> str:
        return self.retired.get(prompt_id, prompt_id)

    def by_id(self, prompt_id: str) -> Prompt | None:
        prompt_id = self.current_id(prompt_id)
        return next((p for p in self.prompts if p.id == prompt_id), None)

    def seen_as_current(self, last_seen: Mapping[str, int]) -> Mapping[str, int]:
        """`last_seen` with retired ids read as their successors (the later time where both appear)."""
        if not self.retired or not any(i in self.retired for i in last_seen):
            return last_seen
        merged: dict[str, int] = {}
        for prompt_id, when in last_seen.items():
            current = self.current_id(prompt_id)
            merged[current] = max(when, merged.get(current, when))
        return merged

    def themes(self) -> list[str]:
        return list(dict.fromkeys(p.theme for p in self.prompts))

    @cached_property
    def _by_position(self) -> dict[str, tuple[Prompt, ...]]:
        # Worked out once per library (it never changes), not once per group of a round.
        return {position: tuple(p for p in self.prompts if p.position == position) for position in POSITIONS}

    def in_position(self, position: str) -> tuple[Prompt, ...]:
        """The library's prompts for one place in an intro, in the library's order."""
        return self._by_position[position]


def parse_library(doc: object) -> PromptLibrary:
    """A library from its JSON; InputError saying what is wrong, so a bad upload changes nothing."""
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), dict) or not doc["themes"]:
        raise InputError(
            'A prompt library is JSON like {"name": ..., "themes": {"wants": {"title": ..., '
            '"prompts": [{"id": ..., "text": ...}]}}}.'
        )
    prompts: list[Prompt] = []
    seen_ids: set[str] = set()
    for theme, body in doc["themes"].items():
        if not isinstance(body, dict) or not isinstance(body.get("prompts"), list):
            raise InputError(f"Theme '{theme}' needs a list of prompts.")
        title = clean_text(str(body.get("title") or theme), "theme title", limit=80, required=True)
        position = theme_position(str(theme), body.get("position"))
        for item in body["prompts"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
                raise InputError(f"Every prompt in '{theme}' needs an id.")
            if item["id"] in seen_ids:
                raise InputError(f"The prompt id '{item['id']}' is used twice; ids must be unique.")
            seen_ids.add(item["id"])
            text = clean_text(str(item.get("text") or ""), f"prompt '{item['id']}'", limit=PROMPT_MAX, required=True)
            prompts.append(Prompt(id=item["id"], theme=str(theme), theme_title=title, text=text, position=position))
    if len(prompts) < PER_INTRO:
        raise InputError(f"A prompt library needs at least {PER_INTRO} prompts.")
    retired = _retired(doc.get("retired"), seen_ids)
    return PromptLibrary(name=str(doc.get("name") or "custom prompts"), prompts=tuple(prompts), retired=retired)


def _retired(declared: object, ids: set[str]) -> dict[str, str]:
    """The library's retired ids, each to a prompt still in it (optional: {"old-id": "new-id"})."""
    if declared is None:
        return {}
    if not isinstance(declared, dict):
        raise InputError('"retired" maps each retired prompt id to the id that took its place.')
    for old, new in declared.items():
        if old in ids:
            raise InputError(f"The prompt id '{str(old)[:40]}' is both in the library and retired.")
        if new not in ids:
            raise InputError(f"The retired prompt '{str(old)[:40]}' points to '{str(new)[:40]}', "
                             "which isn't in the library.")
    return {str(old): str(new) for old, new in declared.items()}


def theme_position(theme: str, declared: object) -> str:
    """Where a theme's prompts go in an intro: as declared, else implied by its name, else the middle."""
    if declared is None:
        return IMPLIED_POSITIONS.get(theme.strip().lower(), "middle")
    if declared not in POSITIONS:
        raise InputError(f"Theme '{theme}' has position '{str(declared)[:40]}'; use one of {', '.join(POSITIONS)}.")
    return str(declared)


def parse_pasted(text: str) -> dict:
    """A library doc from pasted text: JSON as is, or one prompt per line as `theme | prompt`."""
    text = (text or "").strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise InputError("That looks like JSON but doesn't parse; check the brackets and quotes.") from None
    themes: dict[str, dict] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        theme, bar, prompt = line.partition("|")
        if not bar or not theme.strip() or not prompt.strip():
            raise InputError(f"Line {number} needs a theme, a bar and a prompt, like `wants | What would make "
                             "this hour worth it?`")
        key = theme.strip().lower()
        body = themes.setdefault(key, {"title": theme.strip(), "prompts": []})
        # The id is the text's own fingerprint: the same words are the same prompt in any library,
        # so "never the same prompt twice" holds across uploads.
        digest = hashlib.sha1(prompt.strip().encode()).hexdigest()[:12]
        body["prompts"].append({"id": f"p-{digest}", "text": prompt.strip()})
    return {"name": "your prompts", "themes": themes}


@lru_cache(maxsize=1)
def default_library() -> PromptLibrary:
    return parse_library(json.loads(DEFAULT_FILE.read_text()))


def library_for(session: Session, team_id: str) -> PromptLibrary:
    custom = member_store.get_setting(session, team_id, SETTING_KEY)
    return parse_library(custom) if custom else default_library()


def set_library(session: Session, team_id: str, doc: object) -> PromptLibrary:
    library = parse_library(doc)  # raises before anything is stored
    member_store.ensure_workspace(session, team_id)
    member_store.put_setting(session, team_id, SETTING_KEY, doc)
    return library


def reset_library(session: Session, team_id: str) -> None:
    member_store.delete_setting(session, team_id, SETTING_KEY)


def choose(library: PromptLibrary, last_seen: Mapping[str, int], rng: random.Random) -> list[Prompt]:
    """The opener, middle and closing prompts for a group: for each, one the group saw least recently.

    `last_seen` maps a prompt id to when anyone in the group last had it (bigger is later);
    prompts nobody has had come first. A library without a theme for some position (an
    organiser's own, say) fills it from the middle, then from anything not yet chosen.
    """
    last_seen = library.seen_as_current(last_seen)
    chosen: list[Prompt] = []
    for position in POSITIONS:
        # By id (unique in a library): comparing the prompts field by field was most of the
        # cost of choosing for a round of thousands of groups.
        taken = {c.id for c in chosen}
        pool = ([p for p in library.in_position(position) if p.id not in taken]
                or [p for p in library.in_position("middle") if p.id not in taken]
                or [p for p in library.prompts if p.id not in taken])
        if pool:
            chosen.append(_least_recent(pool, last_seen, rng))
    return chosen


def _least_recent(pool: list[Prompt], last_seen: Mapping[str, int], rng: random.Random) -> Prompt:
    if not last_seen:  # a group new to every prompt, as most are in a first round
        return rng.choice(pool)
    when = [last_seen.get(p.id, -1) for p in pool]
    oldest = min(when)
    return rng.choice([p for p, seen in zip(pool, when) if seen == oldest])


def group_last_seen(per_member: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """When anyone in a group last had each prompt: the latest of the members' times."""
    merged: dict[str, int] = {}
    for seen in per_member:
        for prompt_id, when in seen.items():
            merged[prompt_id] = max(when, merged.get(prompt_id, when))
    return merged
