"""Replies to the intro's buttons, and the modals they open (scheduled, reschedule, follow-up)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import ids
from bot.blocks.kit import (
    Message,
    actions,
    button,
    checkbox,
    mentions,
    message,
    optional_input,
    plain,
    section,
    slack_date,
    state_value,
    text_input,
)
from scheduler.meetings import ANSWER_MAX, NOTE_MAX, FollowUpForm, Outcome


def round_ended_reply(round_number: int | None) -> Message:
    which = f"Round {round_number}" if round_number else "That round"
    return message(f"{which} has ended, so this button has retired. Thank you for taking part! "
                    "Your next match comes with the next round.")


def group_ended_reply() -> Message:
    return message("This match has moved on, so this button has retired. Anything new for you this round "
                    "comes in its own message.")


def too_late_to_rematch_reply() -> Message:
    return message("The round is nearly over, so rather than start a new match now, you'll go first when "
                    "the next round opens.")


def met_cannot_move_reply() -> Message:
    return message("You've already marked this one as met, so there's nothing to move.")


def not_yours_reply() -> Message:
    return message("That button belongs to someone else's match, so I've left it alone.")


def scheduled_reply(partner_ids, meeting_at: datetime | None, already: bool, zones: Sequence[str] = ()) -> Message:
    if already:
        return message("Already noted as scheduled. Enjoy the chat!")
    if meeting_at:
        return message(f"Lovely, noted for {slack_date(meeting_at, zones)}. I'll remind you and "
                        f"{mentions(partner_ids)} the day before.")
    return message(f"Lovely, noted. Enjoy your chat with {mentions(partner_ids)}!")


def time_chosen_reply(result, zones: Sequence[str] = ()) -> Message:
    """The answer to "That works for me" on a suggested time."""
    outcome = result.outcome
    if outcome is Outcome.done:
        return message(f"That's everyone: your chat is scheduled for {slack_date(result.meeting_at, zones)}. "
                        "I'll remind you the day before, and I've sent you links to add it to your calendar in our DM.")
    if outcome is Outcome.noted:
        others = (f"{mentions(result.partner_ids)} picks it too" if len(result.partner_ids) == 1
                  else "the others pick it too")
        return message(f"Noted: {slack_date(result.meeting_at_chosen, zones)} works for you. Once {others}, "
                        "it's scheduled.")
    if outcome is Outcome.time_passed:
        return message("That time has gone by, sorry. Pick another, or press \"None of these times\" to suggest one.")
    if outcome is Outcome.already_met:
        return message("You've already marked this one as met, so there's nothing to schedule.")
    if result.meeting_at:
        return message(f"Your chat is already scheduled for {slack_date(result.meeting_at, zones)}. To move it, press "
                        "\"I need to reschedule\".")
    return message("There's nothing to pick just now: your intro shows where your chat stands.")


def met_reply(already: bool, follow_up_gone: bool = False) -> Message:
    if already:
        return message("Already noted: you've met. :white_check_mark:")
    if follow_up_gone:
        # The ask has already reached them: promising another would be untrue.
        return message("Wonderful! :tada: If you'd like to share what you took away, the follow-up I sent you "
                        "is still open (and you can change anything you've already said).")
    return message("Wonderful! :tada: Near the end of the round I'll ask, briefly, what you took away.")


def reschedule_reply(partner_ids, group_id: int | None = None, offer_let_go: bool = False) -> Message:
    text = (f"Done: I've passed your message on to {mentions(partner_ids)}. "
            "When they answer, I'll tell you in your DM with me.")
    if not (offer_let_go and group_id is not None):
        return message(text)
    # From the third request, either side may let this round go, without blame.
    text += (" Finding a time has been tricky this round: if you'd rather let it go until next round, "
             "that's fine too.")
    return message(text, section(text), actions(
        button("Let's leave it this round", ids.RESCHEDULE_LET_GO, ids.value("group", group_id))))


def let_go_reply(partner_ids) -> Message:
    return message(f"Done: we'll leave it this round, and I've let {mentions(partner_ids)} know kindly. "
                    "You'll be matched again next round.")


def missed_reply(group_id: int, already: bool) -> Message:
    value = ids.value("group", group_id)
    text = ("No problem, these things happen. Would you like to try again this round, or leave it until next round?"
            if not already else "Noted already. Would you like to try again, or leave it until next round?")
    return message(text, section(text), actions(
        button("Try again this round", ids.MISSED_TRY_AGAIN, value, style="primary"),
        button("Leave it until next round", ids.MISSED_LEAVE_IT, value),
    ))


def try_again_reply(already: bool) -> Message:
    if already:
        return message("You're already set to try again. Good luck finding a time!")
    return message("Great, the buttons on your intro are ready for when you've found a new time.")


def leave_it_reply(partner_ids=()) -> Message:
    told = f" I've let {mentions(partner_ids)} know." if partner_ids else ""
    return message(f"Fair enough. Thanks for saying so; you'll be matched again next round.{told}")


def met_cannot_miss_reply() -> Message:
    return message("You've already marked this one as met, so I've left it as it is.")


def no_reply_choice(group_id: int, can_rematch: bool = True) -> Message:
    """Offer only what can still happen: once the follow-up has gone, a fresh match won't fit."""
    value = ids.value("group", group_id)
    if can_rematch:
        text = ("Sorry to hear that; people get busy. Would you like a fresh match this round, "
                "or to wait and go first next round?")
        buttons = [button("Find me someone new", ids.NO_REPLY_REMATCH, value, style="primary"),
                   button("Next round is fine", ids.NO_REPLY_SIT_OUT, value)]
    else:
        text = ("Sorry to hear that; people get busy. The round is nearly over, so a fresh match won't fit now: "
                "shall I close this one and put you first next round?")
        buttons = [button("Next round is fine", ids.NO_REPLY_SIT_OUT, value, style="primary")]
    return message(text, section(text), actions(*buttons))


def quiet_partner_nudged_reply(partner_ids, wait_until: datetime, *, fresh: bool, quiet_ids=(),
                               zones: Sequence[str] = ()) -> Message:
    """To someone waiting on a quiet partner: `quiet_ids` are those who haven't answered (all the
    partners when not given). In a trio the other may be waiting too: they're named, and the nudge
    they asked for isn't claimed as this person's."""
    quiet_ids = tuple(quiet_ids) or tuple(partner_ids)
    also_waiting = tuple(u for u in partner_ids if u not in quiet_ids)
    if fresh:
        nudged = f"I've just sent {mentions(quiet_ids)} a kind nudge, mentioning you're keen to meet."
    elif also_waiting:
        nudged = f"{mentions(quiet_ids)} has had a kind nudge from me already."
    else:
        nudged = f"I've sent {mentions(quiet_ids)} a kind nudge, mentioning you're keen to meet."
    too = (f" {mentions(also_waiting)} is keen to meet too, so do say hello in your group conversation meanwhile."
           if also_waiting else "")
    return message(f"{nudged}{too} People get busy, so let's give them until {slack_date(wait_until, zones)}. If "
                    "there's still no word by then, I'll check back with you here, with what can still happen this "
                    "round.")


def carry_on_as_pair_reply(partner_ids, out_ids=()) -> Message:
    told = f"I've let {mentions(out_ids)} know kindly" if out_ids else "I've let the third of your group know kindly"
    return message(f"Done: you and {mentions(partner_ids)} carry on as a pair, and your intro comes again in a "
                    f"conversation of your own. {told} that this match goes on without them, and they'll be "
                    "matched again next round.")


def stepped_out_reply(partner_ids, carried_on: bool) -> Message:
    """To whoever said "I can't make this round": thanks, what the others were told, and what's next for them."""
    if carried_on:
        told = f"{mentions(partner_ids)} carry on as a pair, and I've let them know kindly"
    else:
        told = f"I've let {mentions(partner_ids)} know kindly, and they'll be looked after"
    return message(f"Thanks for saying so. {told}. There's nothing else for you to do this round, and you'll "
                    "be matched again next round.")


def out_of_group_reply() -> Message:
    """Any button of a match someone is out of this round: about their own situation, never "not yours"."""
    # Never "you'll be matched next round": someone who chose to pause instead won't be.
    return message("You're not part of this match any more this round, so this button has retired. That's fine: "
                    "there's nothing for you to do here, and `/unmentor status` shows what's next for you.")


def still_in_touch_reply() -> Message:
    return message("It looks like you're already in touch (a time set, a chat had or a miss noted), so I've "
                    "left your match as it is.")


def too_soon_reply() -> Message:
    """Before a week has passed (or before a quiet partner's few days are up): early days, not "in touch"."""
    return message("It's early days: people often take a week or so to answer. If there's still no word by "
                    "then, I'll check in with you privately, with what can still happen this round.")


def rematched_reply(found: bool) -> Message:
    if found:
        return message("Done: I've found you someone else this round. Look out for a new DM.")
    return message("Nobody else is free this round right now, sorry. You'll go first when the next round opens.")


def partner_left_already_reply() -> Message:
    return message("You've already chosen, so I've left things as they are. Anything new comes in its own message.")


def sat_out_reply() -> Message:
    return message("No problem. You'll go first when the next round opens.")


def cannot_accept_own_reply(partner_ids) -> Message:
    """Named, so a pair reads "up to @Ben", never "the others"."""
    return message(f"That's your own suggestion, so saying yes is up to {mentions(partner_ids)}.")


def request_withdrawn_reply(asker_ids, partner_ids) -> Message:
    """A yes that crossed the settling of a request whose asker can't make this round after all."""
    return message(f"{mentions(asker_ids) if asker_ids else 'Whoever asked'} can't make this round after all, so "
                   "that request to move your chat no longer stands and there's nothing to answer. "
                   f"You and {mentions(partner_ids)} can carry on and find a time together.")


def reschedule_accepted_reply(meeting_at: datetime | None, already: bool, told=(), group_size: int = 2,
                              zones: Sequence[str] = ()) -> Message:
    if already:
        return message("That's already settled. Enjoy the chat!")
    # The answer reaches whoever asked in their DM with the bot, not the group's conversation.
    who = mentions(told) if told else "everyone"
    if meeting_at is None:
        everyone = "you both in your" if group_size <= 2 else "all three of you in your group"
        return message(f"Thanks, I've let {who} know. Find a time that works for {everyone} conversation.")
    return message(f"Great, you're on for {slack_date(meeting_at, zones)}. I've let {who} know.")


def follow_up_thanks() -> Message:
    return message("Thank you! Your answers are saved. Only you can see them, unless you said organisers "
                    "may read them without your name.")


def _date_and_time(date_label: str) -> list[dict]:
    return [
        optional_input("date", date_label, {"type": "datepicker", "action_id": "value",
                                              "placeholder": plain("Pick a day")}),
        optional_input("time", "Time (your own time zone)", {"type": "timepicker", "action_id": "value",
                                                              "placeholder": plain("Pick a time")}),
    ]


def scheduled_modal(group_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.SCHEDULED_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": plain("We've scheduled it"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            section("Great! When is it? Optional: with a date, I'll remind each of you the day before."),
            *_date_and_time("Day"),
        ],
    }


def reschedule_modal(group_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.RESCHEDULE_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": plain("Move your chat"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "blocks": [
            section("Suggest a new time, or leave a note, or both, and I'll pass it on to the others in your "
                     "match. No reason needed."),
            *_date_and_time("New day"),
            text_input("note", "Note", "", NOTE_MAX, multiline=True, optional=True,
                        placeholder="e.g. Could we do Thursday afternoon instead?"),
        ],
    }


def follow_up_modal(group_id: int, prefill) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.FOLLOW_UP_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": plain("What you took away"),
        "submit": plain("Save"),
        "close": plain("Not now"),
        "blocks": [
            section("Two minutes, all optional. Your words are private: organisers see counts, and read "
                     "words only if you tick the last box, and never with your name."),
            text_input("learned", "What did you learn?", prefill.learned, ANSWER_MAX, multiline=True, optional=True),
            text_input("shared", "What did you share?", prefill.shared, ANSWER_MAX, multiline=True, optional=True),
            checkbox("stay_in_touch", "Staying in touch", "I'd like to stay in touch", "yes", prefill.stay_in_touch),
            checkbox("consent", "Your answers", "Organisers may read my answers, without my name", "yes",
                      prefill.organisers_may_read,
                      # Organisers can see who was paired: an organisation's name points to a person.
                      hint="Please leave out names and organisations, and anything anyone told you in "
                           "confidence."),
        ],
    }


def read_date_and_time(state_values: dict):
    """(date or None, time or None) picked in a meeting modal."""
    from datetime import date, time

    day = state_value(state_values, "date").get("selected_date")
    at = state_value(state_values, "time").get("selected_time")
    return (date.fromisoformat(day) if day else None), (time.fromisoformat(at) if at else None)


def read_note(state_values: dict) -> str:
    return state_value(state_values, "note").get("value") or ""


def read_follow_up_modal(state_values: dict):
    def ticked(block_id: str) -> bool:
        return bool(state_value(state_values, block_id).get("selected_options"))

    return FollowUpForm(
        learned=state_value(state_values, "learned").get("value") or "",
        shared=state_value(state_values, "shared").get("value") or "",
        stay_in_touch=ticked("stay_in_touch"),
        organisers_may_read=ticked("consent"),
    )
