"""Words in the hard moments, end to end: signed clicks and commands, the spec-checked fake Slack.

Personas: ada (Acme, London) and ben (Beta, New York) are matched. What they read is checked for
what matters to them here (whose clock a date is in, who starts); the exact wording of every
message is in the golden files.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from scheduler import rounds
from storage.db import session_scope
from storage.models import Group
from tests.inprocess import Bot
from tests.personas import ADA, BEN, OLIVE, OPENS, TEAM, introduce, join

UTC = timezone.utc
FALLBACK = re.compile(r"<!date\^\d+\^[^|]*\|([^>]*)>")


@pytest.fixture
def bot(engine, fake_slack):
    with freeze_time(OPENS - timedelta(days=1), tick=True):
        join(engine, (ADA, BEN), fake_slack, words=True)
    running = Bot(engine, fake_slack, TEAM)
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(running.engine, TEAM).reason == "opened"
        running.deliver()
    yield running
    running.stop()


def _group(engine):
    with session_scope(engine) as session:
        return session.exec(select(Group)).one()


def _fallbacks(text: str) -> list[str]:
    return FALLBACK.findall(text)


def test_every_date_falls_back_to_the_readers_own_clock_never_utc(bot):
    (intro,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["text"].startswith("You're matched")]
    # The group DM names both clocks; neither reader is left doing UTC sums.
    # The round's close, then each suggested time: every one names both clocks.
    dates = _fallbacks(json.dumps(intro["blocks"]))
    assert len(dates) >= 2
    assert all("in London" in d and "in New York" in d and "UTC" not in d for d in dates), dates
    group = _group(bot.engine)
    with freeze_time(OPENS + timedelta(hours=1), tick=True):
        bot.submit("meeting_scheduled_view", "UBEN", group.id, {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-10"}},
            "time": {"value": {"type": "timepicker", "selected_time": "18:00"}}})
        assert bot.fake.wait_for(lambda f: any(c.args["user"] == "UBEN" for c in f.calls_to("chat.postEphemeral")))
    (noted,) = [c.args["text"] for c in bot.fake.calls_to("chat.postEphemeral") if c.args["user"] == "UBEN"]
    assert _fallbacks(noted) == ["Thursday 10 December at 18:00 New York time"]  # as ben typed it, on his clock
    status = bot.command("status", "UADA")["text"]
    assert _fallbacks(status) and not [f for f in _fallbacks(status) if "UTC" in f]
    with freeze_time(datetime(2026, 12, 9, 16, tzinfo=UTC), tick=True):
        bot.deliver()  # the reminders, the day before
    reminders = {c.args["channel"]: c.args["text"] for c in bot.fake.calls_to("chat.postMessage")
                 if c.args["channel"] in ("UADA", "UBEN") and "reminder" in c.args["text"]}
    assert _fallbacks(reminders["UBEN"]) == ["Thursday 10 December at 18:00 New York time"]
    assert _fallbacks(reminders["UADA"]) == ["Thursday 10 December at 23:00 London time"]


def test_the_intro_names_who_starts_by_the_turn_stored_for_the_group(bot):
    group = _group(bot.engine)
    (intro,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["text"].startswith("You're matched")]
    with session_scope(bot.engine) as session:
        from storage import members as member_store

        starter = member_store.get_member_by_id(session, group.first_mover_id).slack_user_id
    assert f"<@{starter}>, it's your turn to suggest a time" in json.dumps(intro["blocks"])


def test_the_delivered_intro_has_an_opener_a_middle_and_a_closing_prompt(bot):
    from scheduler.prompts import default_library

    (intro,) = [c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["text"].startswith("You're matched")]
    section = next(b["text"]["text"] for b in intro["blocks"] if b["type"] == "section"
                   and b["text"]["text"].startswith("*A few ways in*"))
    shown = section.split("\n")[1:]
    by_text = {p.text: p.position for p in default_library().prompts}
    positions = [by_text[line.split(". ", 1)[1].rsplit("  _(", 1)[0].replace("&amp;", "&")] for line in shown]
    assert positions == ["opener", "middle", "closing"]


def test_organisers_get_the_meeting_rate_trend_in_plain_words(engine, fake_slack):
    introduce(fake_slack, [OLIVE])
    join(engine, (ADA, BEN), fake_slack)
    running = Bot(engine, fake_slack, TEAM, organisers=[OLIVE.user_id])
    try:
        with freeze_time(OPENS, tick=True):
            rounds.open_round(engine, TEAM)
        with session_scope(engine) as session:
            from storage.models import Round

            for r in session.exec(select(Round)).all():
                r.state = "closed"
                session.add(r)
        reply = running.command("stats", "UOLIVE")
        words = next(b["text"]["text"] for b in reply["blocks"] if "text" in b
                     and b["text"]["text"].startswith("*The same, in words*"))
        # Nobody said how it went: that is what wasn't seen, not a group that didn't meet.
        assert words.endswith("• Round 1: 1 group. 0% said they met, 0% said they didn't, and 100% never said; "
                              "0% answered the follow-up.")
    finally:
        running.stop()
