"""The sends' builders, directly: which buttons each carries and what they act on (words: golden files)."""

import dataclasses
import importlib
import inspect
import json
import pkgutil

from bot import ids
from bot.blocks import sends
from scheduler import sends as kinds_package
from scheduler.sends.announce import Announcement
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.intro import Intro
from scheduler.sends.reschedule_notice import RescheduleNotice
from tests import personas as p


def _actions(message):
    return [(e["action_id"], e.get("value"))
            for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_a_running_intro_offers_the_meeting_buttons_and_a_way_to_step_out_on_its_own_match():
    value = ids.value("group", p.GROUP_ID)
    assert _actions(sends.intro_message(p.intro())) == [
        (ids.MEETING_SCHEDULED, value), (ids.MEETING_MET, value), (ids.MEETING_RESCHEDULE, value),
        (ids.MEETING_MISSED, value), (ids.MEETING_STEP_OUT, value)]


def test_every_message_that_says_plans_can_change_carries_the_step_out_button():
    """The intro, the round's nudge, the quiet partner's nudge and a reschedule notice: one click each."""
    from scheduler.sends.nudge import Nudge
    from scheduler.sends.quiet_nudge import QuietNudge
    from scheduler.sends.waiting_check import WaitingCheck

    step_out = (ids.MEETING_STEP_OUT, ids.value("group", p.GROUP_ID))
    for message in (sends.intro_message(p.intro()),
                    sends.nudge_message(Nudge(p.GROUP_ID, 3, ("UADA", "UBEN"), p.ROUND_CLOSES)),
                    sends.quiet_nudge_message(QuietNudge(p.GROUP_ID, ("UADA",))),
                    sends.reschedule_notice_message(RescheduleNotice(p.GROUP_ID, "UADA", None, "Later?")),
                    sends.reschedule_notice_message(RescheduleNotice(p.GROUP_ID, "UADA", p.MEETING_AT, "")),
                    sends.waiting_check_message(WaitingCheck(p.GROUP_ID, ("UBEN",)))):
        assert step_out in _actions(message), message["text"]
        assert "I can't make this round" in str(message["blocks"])


def test_the_shared_intro_never_flags_anyone_as_quiet_however_long_it_has_waited():
    """Everyone in the conversation reads the intro: "hasn't replied" is asked in each person's own DM."""
    for people in ((p.ADA_INTRO, p.BEN_INTRO), (p.ADA_INTRO, p.BEN_INTRO, p.CY_INTRO)):
        message = sends.intro_message(p.intro(people=people))
        assert ids.PARTNER_NO_REPLY not in [a for a, _ in _actions(message)]
        assert "replied" not in str(message["blocks"]) and "No reply" not in str(message["blocks"])


def test_an_ended_intro_has_no_buttons_left_to_press():
    assert _actions(sends.intro_message(p.intro(ended=True, status="met"))) == []
    assert _actions(sends.intro_message(p.intro(ended=True, status="ended"))) == []


def test_an_intro_introduces_everyone_in_a_trio_even_one_who_said_nothing():
    message = sends.intro_message(p.intro(people=(p.ADA_INTRO, p.BEN_INTRO, p.CY_INTRO)))
    (people,) = [b for b in message["blocks"] if b["type"] == "section" and b["text"]["text"].startswith("<@U")]
    assert [line.split(" ", 1)[0] for line in people["text"]["text"].splitlines()] == ["<@UADA>", "<@UBEN>", "<@UCY>"]


def test_the_intro_says_each_wish_and_offer_once_and_keeps_the_two_way_why():
    message = sends.intro_message(p.intro())
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    for person in (p.ADA_INTRO, p.BEN_INTRO):
        assert shown.count(person.talk_about) == 1 and shown.count(person.could_share) == 1
    assert "<@UADA> would like to talk about" in shown and "<@UBEN> could share" in shown
    assert "<@UBEN> would like to talk about" in shown and "<@UADA> could share" in shown


def test_why_this_hour_pairs_what_one_wants_with_what_the_other_could_share():
    line = sends.why_line((p.ADA_INTRO, p.BEN_INTRO))
    assert line.startswith("<@UADA> would like to talk about") and "<@UBEN> could share" in line
    # Nobody said anything: the organisations are the reason.
    assert "*Gamma Trust*" in sends.why_line((p.CY_INTRO, dataclasses.replace(p.CY_INTRO, user_id="UDI",
                                                                         organisation="Delta Arts")))


def test_a_reschedule_notice_offers_to_accept_what_was_suggested_or_suggest_another():
    with_time = sends.reschedule_notice_message(RescheduleNotice(p.GROUP_ID, "UADA", p.MEETING_AT, ""))
    assert [a for a, _ in _actions(with_time)] == [ids.RESCHEDULE_ACCEPT, ids.RESCHEDULE_COUNTER, ids.MEETING_STEP_OUT]
    note_only = sends.reschedule_notice_message(RescheduleNotice(p.GROUP_ID, "UADA", None, "<!here>"))
    assert "<!here>" not in note_only["text"]


def test_the_heads_up_skips_exactly_its_own_round():
    message = sends.announcement_message(Announcement("2027-01", p.NEXT_ROUND))
    assert _actions(message) == [(ids.SKIP_ROUND, "period:2027-01")]


def test_the_follow_up_ask_opens_the_form_for_its_match():
    message = sends.follow_up_ask_message(FollowUpAsk(p.GROUP_ID, 3, ("UBEN",)))
    assert _actions(message) == [(ids.FOLLOW_UP_OPEN, ids.value("group", p.GROUP_ID))]


def test_every_kind_of_send_the_scheduler_asks_for_has_a_builder():
    # Every message a kind of send plans: the dataclasses in scheduler/sends/ that name a builder.
    modules = [
        importlib.import_module(f"scheduler.sends.{m.name}") for m in pkgutil.iter_modules(kinds_package.__path__)
    ]
    kinds = {cls for module in modules for _name, cls in inspect.getmembers(module, inspect.isclass)
             if dataclasses.is_dataclass(cls) and isinstance(getattr(cls, "builder", None), str)}
    examples = {Intro: p.intro()}
    for kind in kinds:
        content = examples.get(kind) or kind(**{f.name: _example(f) for f in dataclasses.fields(kind)})
        rendered = sends.render(content, "marker:1")
        assert rendered["text"] and rendered["blocks"][0]["block_id"] == "marker:1", kind.__name__


def _example(field):
    kind = str(field.type)
    if "datetime" in kind:
        return p.NEXT_ROUND
    if "tuple" in kind:
        return ("UBEN",)
    if "int" in kind:
        return 3
    return "odd_number" if field.name == "reason" else "x"


def test_the_keep_me_in_ask_counts_the_rounds_the_rule_counts(monkeypatch):
    from scheduler import quiet_rounds
    from scheduler.sends.still_in import StillIn

    assert quiet_rounds.QUIET_ROUNDS_BEFORE_PAUSE == 2
    assert "your last two unmentor matches" in sends.still_in_message(StillIn(p.NEXT_ROUND))["text"]
    # One number decides both: change the rule and the words follow.
    monkeypatch.setattr(sends, "QUIET_ROUNDS_BEFORE_PAUSE", 3)  # as imported from quiet_rounds
    assert "your last three unmentor matches" in sends.still_in_message(StillIn(p.NEXT_ROUND))["text"]


def test_the_keep_me_in_ask_says_what_was_seen_not_what_was_assumed():
    from scheduler.sends.still_in import StillIn

    text = sends.still_in_message(StillIn(p.NEXT_ROUND))["text"]
    assert "buttons" in text and "met and simply not said" in text and "haven't heard from you" not in text


def test_an_ended_intro_s_notification_text_says_it_has_ended():
    group_ended = sends.intro_message(p.intro(status="ended", ended=True))["text"]
    round_ended = sends.intro_message(p.intro(status="met", ended=True))["text"]
    assert "You're matched" not in group_ended and "match has ended" in group_ended
    assert "You're matched" not in round_ended and "has ended" in round_ended
    assert "You're matched" in sends.intro_message(p.intro())["text"]


def test_letting_the_round_go_is_offered_to_both_of_a_pair_and_all_of_a_trio():
    from scheduler.sends.reschedule_notice import RescheduleNotice

    def offer(size):
        return sends.reschedule_notice_message(RescheduleNotice(p.GROUP_ID, "UADA", None, "", offer_let_go=True,
                                                                group_size=size))["text"]

    assert "If you'd both rather let it go" in offer(2)
    assert "If you'd all rather let it go" in offer(3) and "both" not in offer(3)


def test_the_join_form_speaks_of_the_people_you_are_matched_with_in_one_voice():
    from bot.blocks import member
    from scheduler.membership import ProfileForm

    words = str(member.join_modal(ProfileForm(organisation="")))
    assert "your partner" not in words and "Your partners" not in words
    assert words.count("the people you're matched with") + words.count("The people you're matched with") == 2


def test_a_trio_reads_its_organisations_as_a_list_and_coffee_only_when_it_could_happen():
    from scheduler.sends.intro import Person

    def people(*zones):
        return tuple(Person(f"U{i}", org, timezone=zone) for i, (org, zone) in enumerate(zip(
            ("Fernhill Design Studio", "Brackley Borough Council", "Riverside Housing"), zones)))

    together = people("Europe/London", "Europe/London", "Europe/London")
    assert sends.why_lines(together)[0].startswith(
        "*Fernhill Design Studio*, *Brackley Borough Council* and *Riverside Housing* do things differently")
    assert "coffee" in sends.how_it_works(together)
    # Across time zones (or where a zone isn't known), a coffee isn't on offer: calls are.
    for apart in (people("Europe/London", "America/New_York", "Europe/London"), people("Europe/London", None, None)):
        assert "coffee" not in sends.how_it_works(apart) and "call" in sends.how_it_works(apart)
