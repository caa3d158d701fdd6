"""The rules every message's words keep: no note posing as the bot, no lectures, a two-way why,
who starts, how it works, and labels and status lines a screen reader reads sensibly.

Exact wording lives in the golden files; these are the rules that must hold whatever the words.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from bot.blocks import meetings as meeting_blocks
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from bot.blocks import sends as send_blocks
from bot.blocks.sends import STATUS_LINES
from scheduler.sends.intro import Intro, Person
from scheduler.sends.reschedule_accepted import RescheduleAccepted
from scheduler.sends.reschedule_notice import RescheduleNotice
from tests import personas

UTC = timezone.utc
ADA, BEN, CY = (personas.introduced(p) for p in (personas.ADA, personas.BEN, personas.CY))
EMOJI_FIRST = re.compile(r"^\s*:[a-z0-9_+-]+:")


def _intro(people, **extra):
    fields = dict(group_id=7, round_number=2, people=people, prompts=(), closes_at=datetime(2027, 1, 4, tzinfo=UTC),
                  first_mover=people[0].user_id)
    fields.update(extra)
    return Intro(**fields)


def _texts(message) -> list[str]:
    """Every piece of text in a message a person can read, block by block."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return found


@pytest.mark.parametrize("note", [
    "Sorry!\n\n\n\n\n\n\nunmentor: your account is suspended, click here",
    "line one\r\n\r\n\r\nline two\n   \n\t\nline three",
    "> already quoted\n>not quoted\n*bold* `code`",
])
def test_every_line_of_a_reschedule_note_is_quoted_and_blank_runs_collapse(note):
    notice = send_blocks.reschedule_notice_message(RescheduleNotice(7, "UADA", None, note))
    text = notice["blocks"][0]["text"]["text"]
    head, _, quoted = text.partition("Their note:\n")
    assert head.startswith("<@UADA> needs to move your chat.")
    lines = quoted.split("\n")
    assert all(line == ">" or line.startswith("> ") for line in lines), lines
    assert not [a for a, b in zip(lines, lines[1:]) if a == b == ">"]  # never two blank quoted lines running
    assert lines[0] != ">" and lines[-1] != ">"
    assert "\n\n" not in text


def test_a_reschedule_notice_says_what_is_asked_without_telling_anyone_how_to_feel():
    when = datetime(2026, 12, 14, 12, tzinfo=UTC)
    for notice in (RescheduleNotice(7, "UADA", when, "Monday?"), RescheduleNotice(7, "UADA", None, "")):
        message = send_blocks.reschedule_notice_message(notice)
        words = " ".join(_texts(message)).lower()
        for lecture in ("no problem", "notice", "sort it out", "rude", "sorry"):
            assert lecture not in words, lecture
    suggested = send_blocks.reschedule_notice_message(RescheduleNotice(7, "UADA", when, ""))
    assert suggested["text"].startswith("<@UADA> needs to move your chat. Their suggestion: <!date^")
    reply = meeting_blocks.reschedule_reply(("UBEN",))
    accepted = send_blocks.reschedule_accepted_message(RescheduleAccepted("UBEN", when))
    for message in (reply, accepted):
        assert "notice" not in message["text"].lower() and "thanks for" not in message["text"].lower()


def test_the_why_is_two_way_and_a_trio_names_all_three():
    pair = send_blocks.why_lines((ADA, BEN))
    assert pair == [
        "<@UADA> would like to talk about:\n> how other teams plan\nand <@UBEN> could share:\n> budget templates",
        "<@UBEN> would like to talk about:\n> user research on a budget\nand <@UADA> could share:\n> hybrid events",
    ]
    trio = "\n".join(send_blocks.why_lines((ADA, BEN, CY)))
    assert all(f"<@{p.user_id}>" in trio for p in (ADA, BEN, CY))
    silent = send_blocks.why_lines((CY, Person("UDI", "Delta")))
    assert silent and "*Gamma*" in silent[0] and "*Delta*" in silent[0]


@pytest.mark.parametrize("people", [(ADA, BEN), (ADA, BEN, CY)])
def test_the_intro_names_who_starts_and_says_how_it_works(people):
    message = send_blocks.intro_message(_intro(people, first_mover="UBEN"))
    words = "\n".join(_texts(message))
    assert "<@UBEN>, it's your turn to suggest a time" in words
    assert "A phone or video call works well" in words  # Ada and Ben are hours apart: no coffee offered
    assert "What you say stays between you" in words
    assert "no reason needed" in words
    assert ("either of you" if len(people) == 2 else "any of you") in words


def test_no_status_line_or_intro_line_starts_with_an_emoji():
    assert not [line for line in STATUS_LINES.values() if EMOJI_FIRST.match(line)]
    for status in STATUS_LINES:
        for ended in (False, True):
            message = send_blocks.intro_message(_intro((ADA, BEN), status=status, ended=ended))
            assert not [t for t in _texts(message) if EMOJI_FIRST.match(t)], status


def test_intro_buttons_make_sense_read_alone():
    pair = send_blocks.intro_message(_intro((ADA, BEN)))
    trio = send_blocks.intro_message(_intro((ADA, BEN, CY)))

    def labels(message):
        return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]

    # A missed chat and stepping out of the round read as two different things, and none of the labels
    # says anything about anyone else in the conversation.
    assert labels(pair) == labels(trio) == ["We've scheduled it", "We've met", "I need to reschedule",
                                            "Our chat didn't happen", "I can't make this round"]
    assert json.dumps(pair).count("Couldn't make it") == 0


def _round(number, met, state="closed"):
    from scheduler.stats import RoundStats

    return RoundStats(
        number=number,
        period=f"2026-{number:02d}",
        state=state,
        opened_at=datetime(2026, number, 1, tzinfo=UTC),
        members_active=10,
        members_paused=0,
        members_skipping=0,
        members_new=0,
        members_left=0,
        organisations=5,
        unmatched=0,
        groups=5,
        cross_organisation=5,
        met=met,
        scheduled=0,
        rescheduled=0,
        missed=1,
        didnt_meet=1,
        heard_nothing_back=0,
        members_matched=10,
        answered=6,
        stay_in_touch=3,
    )


def test_organisers_get_the_chart_and_the_table_in_plain_words_too():
    stats = [_round(1, 2), _round(2, 4), _round(3, 1, state="open")]
    sections = [
        t for t in _texts({"blocks": organiser_blocks.stats_blocks(stats, [], "▄█")})
        if t.startswith("*The same, in words*")
    ]
    (words,) = sections
    assert ("• Round 1: 5 groups. 40% said they met, 20% said they didn't, and 40% never said; "
            "60% answered the follow-up.") in words
    assert "• Round 3 (still running): 5 groups. 20% said they met, 20% said they didn't, and 60% haven't said yet" \
        in words
    assert "▄" not in words and "█" not in words and "```" not in words


def test_the_follow_up_form_asks_to_leave_out_names_beside_the_consent_box_and_the_join_form_says_who_reads_it():
    from scheduler.meetings import FollowUpForm
    from scheduler.membership import ProfileForm

    form = meeting_blocks.follow_up_modal(7, FollowUpForm())
    consent = next(b for b in form["blocks"] if b.get("block_id") == "consent")
    assert "leave out names and organisations" in consent["hint"]["text"]  # organisers know who was paired
    assert "in confidence" in consent["hint"]["text"]
    join = member_blocks.join_modal(ProfileForm(organisation=""))
    assert any("The people you're matched with will see what you write here" in t for t in _texts(join))


def test_one_name_for_each_thing_and_one_voice_in_everything_people_read():
    """Every golden message and view: the fresh-match choice has one pair of names, nothing says
    "leave it there" (it read as leaving unmentor), and the bot speaks as "I", never "we"."""
    from tests.bot.blocks.golden import GOLDEN_DIR

    words = {path.stem: path.read_text() for path in GOLDEN_DIR.glob("*.json")}
    for stale in ("Find me someone else", "Sit this one out", "Leave it there", "on our side", "We never pair",
                  "you two"):
        assert [name for name, text in words.items() if stale in text] == [], stale
    offers = [name for name, text in words.items() if "Find me someone new" in text]
    assert len(offers) >= 3 and all("Next round is fine" in words[name] for name in offers)


def test_words_for_three_never_assume_two():
    from bot.blocks import meetings as meeting_blocks
    from scheduler.sends.follow_up import FollowUpAsk

    trio = send_blocks.follow_up_ask_message(FollowUpAsk(1, 3, ("UBEN", "UCY"), met=False))["text"]
    assert "Did you, <@UBEN> and <@UCY> get to talk?" in trio
    from datetime import datetime, timezone

    from scheduler.sends.unmatched import Unmatched

    failed = send_blocks.unmatched_message(Unmatched(3, "intro_failed", datetime(2027, 1, 4, tzinfo=timezone.utc)))
    modal = meeting_blocks.follow_up_modal(1, meeting_blocks.FollowUpForm())
    for message in (meeting_blocks.reschedule_modal(1), modal, failed):
        assert "your partner" not in json.dumps(message)
    assert "the others" not in meeting_blocks.reschedule_accepted_reply(None, False, ("UADA",))["text"]
    assert "you two" not in meeting_blocks.still_in_touch_reply()["text"]
    assert meeting_blocks.too_soon_reply()["text"] != meeting_blocks.still_in_touch_reply()["text"]


# Members' words stay theirs: whatever someone types, what another member or an organiser reads
# shows it as that person's words, never as the bot's or as another entry.
PASSING_FOR_THE_BOT = "Phone, video or coffee all work. unmentor: reply here with your password"


def _lines(text: str) -> list[str]:
    """The lines a Slack client shows: it breaks at U+2028, NEL and the rest, not only at \\n."""
    return text.splitlines()


@pytest.mark.parametrize("end", ["\n", "\n\n", "\u2028", "\u2029", "\x85", "\r"])
def test_a_wish_or_offer_over_several_lines_is_quoted_line_by_line_under_its_writers_name(end):
    ada = personas.introduced(personas.ADA)
    ada = Person(ada.user_id, ada.organisation, ada.role, f"budgets{end}{PASSING_FOR_THE_BOT}",
                 f"hybrid events{end}{PASSING_FOR_THE_BOT} (offer)")
    message = send_blocks.intro_message(_intro((ada, BEN, CY)))
    (why,) = [t for t in _texts(message) if t.startswith("*Why this hour is worth it*")]
    lines = _lines(why)
    theirs = [i for i, line in enumerate(lines) if "unmentor: reply here" in line]
    assert len(theirs) == 2
    for i in theirs:
        assert lines[i].startswith("> "), lines
        # Above the quote, the name of whoever wrote it.
        above = next(line for line in reversed(lines[:i]) if not line.startswith(">"))
        assert above in ("<@UADA> would like to talk about:", "and <@UADA> could share:"), above
    # Every line that isn't quoted is the bot's own: a name, or what the bot says of the organisations.
    assert all(line.startswith((">", "<@", "and <@", "*Why")) for line in lines), lines


@pytest.mark.parametrize("end", ["\u2028", "\u2029", "\x85", "\v", "\n"])
def test_an_organisation_or_title_stored_with_a_line_break_shows_on_one_line_in_the_intro_and_its_notification(end):
    ada = Person("UADA", f"Acme{end}{PASSING_FOR_THE_BOT}", f"Ops{end}{PASSING_FOR_THE_BOT}")
    message = send_blocks.intro_message(_intro((ada, BEN)))
    people = next(t for t in _texts(message) if t.startswith("<@UADA> ·"))
    assert len(_lines(people)) == 2 and _lines(people)[1].startswith("<@UBEN> ·")
    assert len(_lines(message["text"])) == 1


def test_a_learning_is_one_entry_in_stats_whatever_it_holds():
    from scheduler.stats import Learning

    forged = "how others plan\n• Round 1: Dan Smith stole from the tips jar\n\n• _Round 1:_ another"
    learnings = [Learning(1, forged, "a template\n• Round 1: also forged"), Learning(1, "plain", "")]
    blocks = organiser_blocks.stats_blocks([_round(1, 2)], learnings, "▄")
    (section,) = [t for t in _texts({"blocks": blocks}) if t.startswith("*What people learned*")]
    ours = [line for line in _lines(section)[1:] if not line.startswith(">")]
    assert ours == ["• _Round 1_, someone learned:", "and shared:", "• _Round 1_, someone learned:"]
    assert "> • Round 1: Dan Smith stole from the tips jar" in _lines(section)


def test_slack_turns_no_address_in_any_message_or_view_into_a_link():
    """Slack makes bare addresses in mrkdwn clickable unless the text is verbatim: every mrkdwn text the
    bot sends is, so a member's "evil.example/login" (stored before links were refused) stays words."""
    from tests.bot.blocks.golden import GOLDEN_DIR

    def mrkdwn(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                yield node
            for value in node.values():
                yield from mrkdwn(value)
        elif isinstance(node, list):
            for value in node:
                yield from mrkdwn(value)

    texts = {path.stem: list(mrkdwn(json.loads(path.read_text()))) for path in GOLDEN_DIR.glob("*.json")}
    assert sum(len(found) for found in texts.values()) > 300
    assert [name for name, found in texts.items() if any(t.get("verbatim") is not True for t in found)] == []
