"""Each kind of send in one place: its parameters survive the outbox, it has a builder, its safe form passes."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
import re
import typing
from datetime import datetime, timedelta, timezone

import pytest

from bot import ids
from bot.blocks import sends as send_blocks
from playground.slack import spec
from scheduler import sends
from scheduler.prompts import Prompt
from scheduler.sends.announce import Announcement
from scheduler.sends.base import Content, Send
from scheduler.sends.calendar_links import CalendarLinks
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.intro import Intro, Person, Suggestion
from scheduler.sends.intro_moved import GroupMoved
from scheduler.sends.left_for_round import LeftForRound
from scheduler.sends.nudge import Nudge
from scheduler.sends.nudge_settled import NudgeSettled
from scheduler.sends.partner_left import GroupEnded, PartnerLeft
from scheduler.sends.partner_moved_on import PartnerMovedOn
from scheduler.sends.partner_stepped_out import PartnerSteppedOut
from scheduler.sends.paused_quietly import PausedQuietly
from scheduler.sends.quiet_nudge import QuietNudge
from scheduler.sends.reminder import Reminder, ReminderSend
from scheduler.sends.reschedule_accepted import RescheduleAccepted
from scheduler.sends.reschedule_notice import RescheduleNotice
from scheduler.sends.reschedule_settled import RescheduleSettled
from scheduler.sends.stay_in_touch import StayInTouch
from scheduler.sends.still_in import StillIn
from scheduler.sends.unmatched import Unmatched
from scheduler.sends.wait_over import WaitOver
from scheduler.sends.waiting_check import WaitingCheck
from scheduler.sends.waiting_check_settled import WaitingCheckSettled
from scheduler.sends.welcome import Welcome
from scheduler.sends.welcome_back import WelcomeBack
from storage.models import Outbox

UTC = timezone.utc
AT = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
HOSTILE = "&<>" * 1000  # 3,000 characters that escaping grows to 13,000
PROMPT = Prompt("p1", "curiosity", "Curiosity", "What surprised you most this year?")


def _sample_value(hint, n: int):
    """A value of the annotated type, different for each n, so a mix-up of fields shows."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    hint = args[0] if typing.get_origin(hint) in (typing.Union, __import__("types").UnionType) else hint
    if hint is bool:
        return n % 2 == 0
    if hint is int:
        return 100 + n
    if hint is str:
        return f"value-{n}"
    if hint is datetime:
        return AT + timedelta(days=n, minutes=n)
    if typing.get_origin(hint) is tuple:
        return (200 + n, 300 + n)
    raise AssertionError(f"no sample for {hint}")


def sample_send(cls):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _sample_value(hints[f.name], i) for i, f in enumerate(dataclasses.fields(cls))})


def as_row(send, team_id="T1") -> Outbox:
    return Outbox(team_id=team_id, **sends.base.row_values(send))


@pytest.mark.parametrize("kind", sorted(sends.KINDS))
def test_every_kind_comes_back_from_its_outbox_row_with_the_same_typed_parameters(kind):
    send = sample_send(sends.KINDS[kind])
    row = as_row(send)
    assert row.kind == kind and row.key == send.key()
    loaded = sends.load(row)
    assert loaded == send and type(loaded) is type(send)
    # Only the identity is in the key; the kind's own data is in params, typed again on the way back.
    for name in json.loads(row.params):
        assert getattr(loaded, name) == getattr(send, name) and type(getattr(loaded, name)) is type(getattr(send, name))


def test_the_reminder_waits_for_its_own_time_and_a_new_date_is_a_new_reminder():
    first = ReminderSend(round_id=1, group_id=2, member_id=3, meeting_at=AT + timedelta(days=2), send_at=AT)
    moved = dataclasses.replace(first, meeting_at=AT + timedelta(days=3))
    assert as_row(first).not_before == AT
    assert first.key() != moved.key()


def test_every_kind_of_send_in_the_package_is_in_the_table_delivery_loads_rows_by():
    defined = set()
    for module in pkgutil.iter_modules(sends.__path__):
        for _, value in inspect.getmembers(importlib.import_module(f"scheduler.sends.{module.name}")):
            if inspect.isclass(value) and issubclass(value, Send) and value is not Send:
                defined.add(value)
    assert defined == set(sends.KINDS.values())


def test_an_unknown_kind_is_refused_when_loaded():
    with pytest.raises(ValueError, match="no_such_kind"):
        sends.load(Outbox(team_id="T1", key="mystery:1", kind="no_such_kind"))


def _message_classes():
    """Every message a kind plans (a Content), found in the sends package."""
    found = set()
    for module in pkgutil.iter_modules(sends.__path__):
        for _, value in inspect.getmembers(importlib.import_module(f"scheduler.sends.{module.name}")):
            if dataclasses.is_dataclass(value) and issubclass(value, Content):
                found.add(value)
    return found


ALICE = Person("U1", "Acme & Sons", "Engineer", "Rust", "Kubernetes", "Europe/London")
BOB = Person("U2", "Beta <Ltd>", "Designer", "Type", "Colour", "America/New_York")
# One of each message, as a kind's plan makes it; the hostile ones carry text that escapes past Slack's limits.
SAMPLES = {
    Intro: [Intro(1, 3, (ALICE, BOB), (PROMPT,), AT),
            Intro(1, 3, (dataclasses.replace(ALICE, talk_about=HOSTILE, could_share=HOSTILE, organisation="&" * 200),
                         dataclasses.replace(BOB, role=HOSTILE)), (PROMPT,), AT, why="carrying_on"),
            Intro(1, 3, (ALICE, BOB), (), AT, status="ended", ended=True),
            Intro(1, 3, (ALICE, BOB), (PROMPT,), AT,
                  suggestions=(Suggestion(AT, ("U1",), 0), Suggestion(AT + timedelta(days=3), (), 1)))],
    CalendarLinks: [CalendarLinks(1, AT, ("U2",), ("Bob Bell (Beta)",), "https://slack.com/app_redirect?team=T1&channel=G1"),
                    CalendarLinks(1, AT, ("U2", "U3"), (f"{'&<>' * 27} ({'&<>' * 27})",) * 2, None, moved=True)],
    Nudge: [Nudge(1, 3, ("U1", "U2"), AT)],
    NudgeSettled: [NudgeSettled(3)],
    FollowUpAsk: [FollowUpAsk(1, 3, ("U2",))],
    Unmatched: [Unmatched(3, reason, AT) for reason in send_blocks.UNMATCHED_REASONS],
    Announcement: [Announcement("2026-12", AT)],
    Reminder: [Reminder(1, ("U2",), AT)],
    RescheduleNotice: [RescheduleNotice(1, "U1", AT, "Sorry, a clash"), RescheduleNotice(1, "U1", None, HOSTILE),
                       RescheduleNotice(1, "U1", None, HOSTILE, counter=True, offer_let_go=True)],
    RescheduleAccepted: [RescheduleAccepted("U2", AT)],
    PartnerMovedOn: [PartnerMovedOn(3, AT), PartnerMovedOn(3, AT, ("U1", "U2"), carried_on=True)],
    GroupMoved: [GroupMoved(3, ("U1", "U2"), ("U3",))],
    RescheduleSettled: [RescheduleSettled("U1"), RescheduleSettled("U1", "U2", AT), RescheduleSettled("U1", "U2"),
                        RescheduleSettled("U1", reader_stepped_out=True), RescheduleSettled("U1", stepped_out_id="U2"),
                        RescheduleSettled("U1", stepped_out_id="U1", carrying_on_with=("U3",)),
                        RescheduleSettled("U1", reader_moved_on=True)],
    LeftForRound: [LeftForRound(3, "U1", True), LeftForRound(3, "U1", False)],
    PartnerSteppedOut: [PartnerSteppedOut(1, 3, "U1", True, AT), PartnerSteppedOut(1, 3, "U1", False, AT)],
    WaitingCheck: [WaitingCheck(1, ("U2",))],
    WaitingCheckSettled: [WaitingCheckSettled(("U2",)), WaitingCheckSettled(("U2", "U3")),
                          WaitingCheckSettled((), moved_on=True)],
    WaitOver: [WaitOver(1, ("U2",), (), True, AT), WaitOver(1, ("U2",), (), False, AT),
               WaitOver(1, ("U3",), ("U2",), True, AT)],
    PartnerLeft: [PartnerLeft(1, 3, True, AT), PartnerLeft(1, 3, False, AT)],
    GroupEnded: [GroupEnded(3, ("U1",)), GroupEnded(3, ("U1", "U2"))],
    QuietNudge: [QuietNudge(1, ("U1",))],
    StillIn: [StillIn(AT)],
    StayInTouch: [StayInTouch(("U2",))],
    PausedQuietly: [PausedQuietly()],
    WelcomeBack: [WelcomeBack(AT)],
    Welcome: [Welcome("Acme", AT), Welcome("Acme", AT, "weekly")],
}


def test_every_message_a_kind_plans_has_a_builder_and_a_sample_here():
    assert _message_classes() == set(SAMPLES)
    for cls in SAMPLES:
        assert callable(send_blocks.BUILDERS.get(cls)), f"{cls.__name__} has no builder in bot.blocks.sends"
        safe = send_blocks.SAFE_BUILDERS.get(cls)
        assert safe is None or callable(safe), f"{cls.__name__}'s safe builder is missing"


def _action_ids(message):
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize("content", [c for group in SAMPLES.values() for c in group], ids=lambda c: type(c).__name__)
def test_every_safe_form_passes_slacks_checks_keeps_the_marker_and_the_buttons(content):
    full = send_blocks.render(content, "unmentor:key:1")
    safe = send_blocks.render_safe(content, "unmentor:key:1")
    assert spec.blocks_errors(safe["blocks"]) == []
    assert 0 < len(safe["text"]) <= 3000
    # The marker lets a restart find it; the buttons still let members say how it went.
    assert safe["blocks"][0]["block_id"] == "unmentor:key:1"
    assert _action_ids(safe) == _action_ids(full)


def test_the_safe_intro_still_says_who_is_who_and_until_when():
    intro = SAMPLES[Intro][1]
    safe = send_blocks.render_safe(intro, None)
    text = safe["blocks"][0]["text"]["text"]
    assert "<@U1>" in text and "<@U2>" in text and "Beta &lt;Ltd&gt;" in text
    assert "round 3" in text and "<!date^" in text
    assert ids.MEETING_SCHEDULED in _action_ids(safe) and ids.MEETING_STEP_OUT in _action_ids(safe)
    assert HOSTILE not in json.dumps(safe)


def test_a_safe_form_cut_short_never_breaks_an_entity_or_a_mention():
    for pad in range(2880, 2900):
        notice = RescheduleNotice(1, "U1", None, "x" * pad + "&&&&&&")  # shown as &amp;&amp;…
        text = send_blocks.render_safe(notice, None)["text"]
        assert text.endswith("…") and len(text) <= send_blocks.SAFE_TEXT_MAX
        assert re.search(r"&(?!amp;)", text) is None, text[-12:]
    mention = send_blocks.render_safe(StayInTouch(("U2",) * 700), None)["text"]
    assert mention.endswith("…") and len(mention) <= send_blocks.SAFE_TEXT_MAX
    assert mention.rfind("<") < mention.rfind(">")  # no mention left half-open
