"""What the bot said, told apart by ids and builders rather than by fragments of wording.

Wording is pinned once, in tests/bot/blocks/golden/. End-to-end tests ask which message went out:
a reply is compared whole with what its builder makes from the same values, and an outbox
send is found by the kind in its marker (the block id a restart looks for, "unmentor:<key>",
every key starting with its kind).
"""

from __future__ import annotations

import json


def _blocks(args: dict) -> list[dict]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def kind_of(args: dict) -> str | None:
    """The kind of outbox send a chat.postMessage carried, from its marker; None for a plain reply."""
    first = (_blocks(args) or [{}])[0].get("block_id") or ""
    return first.split(":")[1] if first.startswith("unmentor:") else None


def sends(fake, kind: str, channel: str | None = None) -> list[dict]:
    """The arguments of each chat.postMessage of this kind of send (to this channel or DM, if given)."""
    return [c.args for c in fake.calls_to("chat.postMessage")
            if kind_of(c.args) == kind and (channel is None or c.args["channel"] == channel)]


def is_(received: dict, built: dict) -> bool:
    """The same message: what the builder makes, word for word and block for block when it came with
    its blocks (its words are checked in the golden files). Outbox sends carry a marker on their first
    block, so for those pass only their text."""
    if received.get("text") != built["text"]:
        return False
    return "blocks" not in received or _blocks(received) == built.get("blocks")


def built_for(zone: str, builder, *args, **kwargs) -> dict:
    """What the builder makes for a reader in this time zone (a date's fallback text is in theirs)."""
    return builder(*args, zones=(zone,), **kwargs)


def homes(fake, user: str) -> list[dict]:
    """Each App Home view published to this person, in order."""
    views = [c.args["view"] for c in fake.calls_to("views.publish") if c.args.get("user_id") == user]
    return [json.loads(v) if isinstance(v, str) else v for v in views]
