"""Meeting replies and modals, directly: each modal knows its match, and its answers read back as typed."""

from datetime import date, time

from bot import ids
from bot.blocks import meetings
from scheduler.meetings import ANSWER_MAX, NOTE_MAX, FollowUpForm
from tests import personas as p


def _buttons(message):
    return [(e["action_id"], e["value"]) for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_each_meeting_modal_carries_its_match_and_its_callback():
    for build, callback in [(meetings.scheduled_modal, ids.SCHEDULED_VIEW),
                            (meetings.reschedule_modal, ids.RESCHEDULE_VIEW),
                            (lambda g: meetings.follow_up_modal(g, FollowUpForm()), ids.FOLLOW_UP_VIEW)]:
        modal = build(p.GROUP_ID)
        assert (modal["callback_id"], modal["private_metadata"]) == (callback, ids.value("group", p.GROUP_ID))


def test_the_modals_accept_no_more_than_the_scheduler_keeps():
    note = next(b for b in meetings.reschedule_modal(p.GROUP_ID)["blocks"] if b.get("block_id") == "note")
    assert note["element"]["max_length"] == NOTE_MAX
    learned = next(b for b in meetings.follow_up_modal(p.GROUP_ID, FollowUpForm())["blocks"]
                   if b.get("block_id") == "learned")
    assert learned["element"]["max_length"] == ANSWER_MAX


def test_a_follow_up_answered_before_opens_as_it_was_left():
    modal = meetings.follow_up_modal(p.GROUP_ID, FollowUpForm("Libraries measure everything.", "", True, False))
    by_id = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert by_id["learned"]["initial_value"] == "Libraries measure everything."
    assert "initial_options" in by_id["stay_in_touch"] and "initial_options" not in by_id["consent"]


def test_the_picked_day_and_time_read_back_and_nothing_picked_is_none():
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-10"}},
              "time": {"value": {"type": "timepicker", "selected_time": "15:30"}}}
    assert meetings.read_date_and_time(values) == (date(2026, 12, 10), time(15, 30))
    assert meetings.read_date_and_time({}) == (None, None)


def test_the_note_and_the_follow_up_ticks_read_back():
    assert meetings.read_note({"note": {"value": {"type": "plain_text_input", "value": "Thursday?"}}}) == "Thursday?"
    form = meetings.read_follow_up_modal({
        "learned": {"value": {"type": "plain_text_input", "value": "A lot"}},
        "consent": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "stay_in_touch": {"value": {"type": "checkboxes", "selected_options": []}}})
    assert form == FollowUpForm(learned="A lot", shared="", stay_in_touch=False, organisers_may_read=True)


def test_after_a_missed_call_the_choices_act_on_that_match():
    value = ids.value("group", p.GROUP_ID)
    assert _buttons(meetings.missed_reply(p.GROUP_ID, False)) == [(ids.MISSED_TRY_AGAIN, value),
                                                                 (ids.MISSED_LEAVE_IT, value)]
    assert _buttons(meetings.no_reply_choice(p.GROUP_ID)) == [(ids.NO_REPLY_REMATCH, value),
                                                              (ids.NO_REPLY_SIT_OUT, value)]


def test_replies_name_the_partner_or_fall_back_kindly():
    assert "<@UBEN>" in meetings.scheduled_reply(("UBEN",), None, False)["text"]
    assert "your partner" in meetings.reschedule_reply(())["text"]


def test_replies_shared_by_pairs_and_trios_never_count_two_people():
    # The same words reach a trio: "you both" or "your partner" would leave the third person out.
    from datetime import datetime, timezone

    at = datetime(2027, 1, 14, 15, 30, tzinfo=timezone.utc)
    for message in (meetings.reschedule_accepted_reply(at, False), meetings.scheduled_modal(p.GROUP_ID)):
        words = str(message).lower()
        assert "both" not in words and "your partner" not in words, words


def test_replies_that_count_the_group_say_both_to_a_pair_and_all_to_a_trio():
    # Words for two never reach three, and "the others" or "your group" never reach a pair.
    pair = [meetings.reschedule_accepted_reply(None, False, ("UADA",), group_size=2),
            meetings.cannot_accept_own_reply(("UADA",))]
    trio = [meetings.reschedule_accepted_reply(None, False, ("UADA",), group_size=3),
            meetings.cannot_accept_own_reply(("UADA", "UCY"))]
    for message in pair:
        words = message["text"].lower()
        assert "others" not in words and "group" not in words and "everyone" not in words, words
    for message in trio:
        assert "both" not in message["text"].lower(), message["text"]
    assert "you both" in pair[0]["text"] and "all three of you" in trio[0]["text"]
    assert "<@UADA> and <@UCY>" in trio[1]["text"]
