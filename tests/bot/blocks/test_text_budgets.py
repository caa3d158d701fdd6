"""No member text can push a message or view past Block Kit's limits: 300 '&' become 1,500 characters once escaped.

Every builder that shows member text is fed the worst each field allows (its maximum length,
all '&', '<' or '>', or a line break after each), and what comes out must pass Slack's Block
Kit schema (the fake Slack's checker), with no entity cut in half.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.app import make_client
from bot.blocks import kit
from bot.blocks import meetings as meeting_blocks
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from bot.blocks import sends as send_blocks
from bot.config import Settings
from bot.gateway import SlackGateway
from playground.slack import spec
from scheduler import delivery, meetings, membership, rounds
from scheduler.meetings import ANSWER_MAX, NOTE_MAX
from scheduler.membership import (
    ORGANISATION_MAX,
    TEXT_MAX,
    ProfileForm,
    SlackProfile,
    StatusView,
)
from scheduler.prompts import PROMPT_MAX, Prompt
from scheduler.sends.intro import Intro, Person
from scheduler.sends.reschedule_notice import RescheduleNotice
from scheduler.stats import RoundStats
from storage.db import session_scope
from storage.models import Outbox
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM, heads_up_went

WHEN = OPENS  # any moment will do for the limits; the round opening is the one every test knows
# A line each: quoted, every line gains "> ", so a short line is the widest once shown.
WORST = ["&", "<", ">", "&<>", "&\n"]
# An entity cut in half shows as junk ("&am…") and can make Slack refuse the text.
_BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def _worst(chars: str, n: int) -> str:
    return (chars * n)[:n]


def _organisation(chars: str) -> str:
    return "A" + _worst(chars, ORGANISATION_MAX - 1)  # an organisation needs a letter


def _texts(node):
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _assert_fits_message(message):
    assert spec.blocks_errors(message["blocks"]) == []
    for text in [message.get("text", ""), *_texts(message["blocks"])]:
        assert not _BROKEN_ENTITY.search(text), text[-40:]


def _assert_fits_view(view):
    assert spec.view_errors(view) == []
    assert len(view["blocks"]) <= 100
    for text in _texts(view["blocks"]):
        assert not _BROKEN_ENTITY.search(text), text[-40:]


def _person(i: int, chars: str) -> Person:
    return Person(f"U0P{i}", _organisation(chars), _worst(chars, TEXT_MAX), _worst(chars, TEXT_MAX),
                           _worst(chars, TEXT_MAX))


def _prompts(chars: str):
    return tuple(Prompt(f"p{i}", "t", _worst(chars, 60), _worst(chars, PROMPT_MAX), pos)
                 for i, pos in enumerate(("opener", "middle", "closing")))


@pytest.mark.parametrize("chars", WORST)
@pytest.mark.parametrize("size", [2, 3])
@pytest.mark.parametrize("state", [dict(), dict(status="scheduled", meeting_at=WHEN), dict(ended=True),
                                   dict(why="carrying_on")])
def test_the_intro_fits_whatever_people_wrote(chars, size, state):
    intro = Intro(1, 3, tuple(_person(i, chars) for i in range(size)), _prompts(chars), WHEN, **state)
    message = send_blocks.intro_message(intro, "intro:1")
    _assert_fits_message(message)
    shown = "\n".join(_texts(message["blocks"]))
    # Nobody's part is dropped to make room: everyone's wish and offer still show (said once), clipped.
    assert shown.count("would like to talk about:\n> ") == size
    for i in range(size):
        assert f"<@U0P{i}> · *" in shown


@pytest.mark.parametrize("chars", WORST)
def test_notices_and_replies_with_member_text_fit(chars):
    notice = RescheduleNotice(1, "U0ASK", WHEN, _worst(chars, NOTE_MAX))
    _assert_fits_message(send_blocks.reschedule_notice_message(notice, "notice:1"))
    _assert_fits_message(member_blocks.joined_message(True, _organisation(chars), WHEN))
    _assert_fits_message(member_blocks.joined_message(False, _organisation(chars), WHEN))
    _assert_fits_message(
        organiser_blocks.domain_map_message({f"d{i}.example": _organisation(chars) for i in range(200)}))
    _assert_fits_message(organiser_blocks.domain_saved_message("d.example", _organisation(chars)))


def _member(chars: str, status: str = "active"):
    return SimpleNamespace(organisation=_organisation(chars), status=status, paused_until=None,
                           role=_worst(chars, TEXT_MAX), talk_about=_worst(chars, TEXT_MAX),
                           could_share=_worst(chars, TEXT_MAX), timezone="Asia/Riyadh",
                           usually_free="mon,wed,thu,fri,sat,sun|morning,evening")


def _round_stats(number: int) -> RoundStats:
    values = {}
    for f in dataclasses.fields(RoundStats):
        kind = str(f.type)
        if "float" in kind:
            values[f.name] = 0.5
        elif "int" in kind:
            values[f.name] = number
        else:
            values[f.name] = "closed" if f.name == "state" else "2026-12"
    return RoundStats(**values)


@pytest.mark.parametrize("chars", WORST)
def test_app_home_and_status_fit_for_members_and_organisers(chars):
    past = tuple((n, (f"U0P{n}", f"U0Q{n}")) for n in range(1, 200))
    view = StatusView(_member(chars), WHEN, ("U0P1", "U0P2"), 200, past, tuple(f"U0A{i}" for i in range(50)), WHEN)
    _assert_fits_message(member_blocks.status_message(view))
    learnings = [SimpleNamespace(round_number=n, learned=_worst(chars, ANSWER_MAX), shared=_worst(chars, ANSWER_MAX))
                 for n in range(60)]
    stats = [_round_stats(n) for n in range(1, 40)]
    organiser = organiser_blocks.organiser_home_blocks(stats, learnings, "▁▂▃")
    _assert_fits_view(member_blocks.home_view(view, organiser))
    _assert_fits_message(organiser_blocks.stats_message(stats, learnings, "▁▂▃"))


@pytest.mark.parametrize("chars", WORST)
def test_modals_prefilled_with_the_worst_fit(chars):
    answer = _worst(chars, TEXT_MAX)
    prefill = ProfileForm(_organisation(chars), answer, answer, answer)
    _assert_fits_view(member_blocks.join_modal(prefill))
    answers = meetings.FollowUpForm(_worst(chars, ANSWER_MAX), _worst(chars, ANSWER_MAX), True, True)
    _assert_fits_view(meeting_blocks.follow_up_modal(1, answers))
    _assert_fits_view(organiser_blocks.prompts_modal(_worst(chars, 200), 92))


@pytest.mark.parametrize("limit", [10, 11, 12, 13, 14, 15, 2999, 3000])
def test_clipping_never_cuts_an_entity_or_a_mention_in_half(limit):
    for text in ["&" * 5000, "a&b" * 2000, "x <@U012AB3CD> & y" * 400]:
        shown = kit.fit_mrkdwn(kit.escape(text) if "<@" not in text else text.replace("&", "&amp;"), limit)
        assert len(shown) <= limit
        assert not _BROKEN_ENTITY.search(shown)
        assert shown.count("<") == shown.count(">")


def test_a_message_never_has_more_than_50_blocks_nor_a_view_more_than_100():
    many = [kit.section(f"line {i}") for i in range(120)]
    assert len(kit.message("lots", *many)["blocks"]) == 50
    assert len(kit.fit_blocks(many, 100)) == 100
    assert "more" in kit.fit_blocks(many, 100)[-1]["elements"][0]["text"]


def test_plain_text_fits_its_place():
    assert len(kit.button("x" * 500, "a")["text"]["text"]) <= 75
    assert len(kit.plain("y" * 500)["text"]) <= 150
    assert len(kit.option("z" * 500, "v")["text"]["text"]) <= 75


@pytest.fixture
def gateway(fake_slack):
    return SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))


def test_an_intro_full_of_ampersands_reaches_slack(engine, fake_slack, gateway):
    """The bug: 300 '&' in "what I do" made the intro 4,900 characters; Slack refused it and
    the partner was told their match couldn't be reached."""
    with session_scope(engine) as session:
        for i, chars in enumerate(("&", "<", ">")):
            user = f"U0AMP{i}"
            fake_slack.add_user(user, real_name=user)
            membership.save_profile(session, TEAM, user, ProfileForm(
                organisation=_organisation(chars), role=_worst(chars, TEXT_MAX),
                talk_about=_worst(chars, TEXT_MAX), could_share=_worst(chars, TEXT_MAX)),
                SlackProfile(timezone="Europe/London"))
    heads_up_went(engine)
    with freeze_time(WHEN, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        delivery.deliver(engine, TEAM, gateway, pace=0)
        with session_scope(engine) as session:
            rows = session.exec(select(Outbox).where(Outbox.kind == "intro")).all()
            assert rows and all(row.state == "sent" for row in rows), [(r.state, r.error) for r in rows]
            group_id = rows[0].group_id
            asker = "U0AMP0"
            meetings.ask_reschedule(session, TEAM, asker, group_id, None, _worst("&", NOTE_MAX))
        delivery.deliver(engine, TEAM, gateway, pace=0)
    with session_scope(engine) as session:
        assert all(row.state == "sent" for row in session.exec(select(Outbox)).all())
    posted = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["text"].startswith("You're matched")]
    assert posted and "&amp;" * 50 in str(posted[0].args["blocks"])
