"""The conversation prompt library: the default one, an organiser's own, and choosing prompts nobody has had."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from scheduler.membership import InputError, clean_text
from storage import members as store

DEFAULT_FILE = Path(__file__).parent / "prompts" / "default.json"
SETTING_KEY = "prompt_library"
PER_INTRO = 3
PROMPT_MAX = 300


@dataclass(frozen=True)
class Prompt:
    id: str
    theme: str
    theme_title: str
    text: str


@dataclass(frozen=True)
class PromptLibrary:
    name: str
    prompts: tuple[Prompt, ...]

    def by_id(self, prompt_id: str) -> Prompt | None:
        return next((p for p in self.prompts if p.id == prompt_id), None)

    def themes(self) -> list[str]:
        return list(dict.fromkeys(p.theme for p in self.prompts))


def parse_library(doc: object) -> PromptLibrary:
    """A library from its JSON; InputError saying what is wrong, so a bad upload changes nothing."""
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), dict) or not doc["themes"]:
        raise InputError('A prompt library is JSON like {"name": ..., "themes": {"wants": {"title": ..., "prompts": [{"id": ..., "text": ...}]}}}.')
    prompts: list[Prompt] = []
    seen_ids: set[str] = set()
    for theme, body in doc["themes"].items():
        if not isinstance(body, dict) or not isinstance(body.get("prompts"), list):
            raise InputError(f"Theme '{theme}' needs a list of prompts.")
        title = clean_text(str(body.get("title") or theme), "theme title", limit=80, required=True)
        for item in body["prompts"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
                raise InputError(f"Every prompt in '{theme}' needs an id.")
            if item["id"] in seen_ids:
                raise InputError(f"The prompt id '{item['id']}' is used twice; ids must be unique.")
            seen_ids.add(item["id"])
            text = clean_text(str(item.get("text") or ""), f"prompt '{item['id']}'", limit=PROMPT_MAX, required=True)
            prompts.append(Prompt(id=item["id"], theme=str(theme), theme_title=title, text=text))
    if len(prompts) < PER_INTRO:
        raise InputError(f"A prompt library needs at least {PER_INTRO} prompts.")
    return PromptLibrary(name=str(doc.get("name") or "custom prompts"), prompts=tuple(prompts))


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
    custom = store.get_setting(session, team_id, SETTING_KEY)
    return parse_library(custom) if custom else default_library()


def set_library(session: Session, team_id: str, doc: object) -> PromptLibrary:
    library = parse_library(doc)  # raises before anything is stored
    store.ensure_workspace(session, team_id)
    store.put_setting(session, team_id, SETTING_KEY, doc)
    return library


def reset_library(session: Session, team_id: str) -> None:
    store.delete_setting(session, team_id, SETTING_KEY)


def choose(library: PromptLibrary, seen: set[str], rng: random.Random, count: int = PER_INTRO) -> list[Prompt]:
    """Up to `count` prompts none of the group has had, from different themes where possible, in theme order."""
    fresh: dict[str, list[Prompt]] = {}
    for prompt in library.prompts:
        if prompt.id not in seen:
            fresh.setdefault(prompt.theme, []).append(prompt)
    themes = list(fresh)
    rng.shuffle(themes)
    chosen: list[Prompt] = []
    # A round-robin over shuffled themes: one theme each first, then seconds if themes run out.
    while len(chosen) < count and any(fresh[t] for t in themes):
        for theme in themes:
            if fresh[theme] and len(chosen) < count:
                chosen.append(fresh[theme].pop(rng.randrange(len(fresh[theme]))))
    order = {theme: i for i, theme in enumerate(library.themes())}
    return sorted(chosen, key=lambda p: order[p.theme])
