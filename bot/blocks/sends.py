"""Everything the outbox sends: the intro, heads-up, unmatched note, nudge, reminder, follow-up ask,
reschedule notices and the quiet notes when a match moves on."""

from __future__ import annotations


from bot import ids
from bot.blocks.kit import (
    Message, escape, slack_date, _section, _context, _button, _message, _plain, _with_marker, _quote,
    _mentions, _actions,
)
from scheduler import messages


STATUS_LINES = {
    "new": ":hourglass_flowing_sand: Not scheduled yet. Any time before the round ends is fine.",
    "scheduled": ":calendar: Scheduled",
    "met": ":white_check_mark: You've met. Lovely!",
    "rescheduling": ":arrows_counterclockwise: Finding a new time",
    "missed": ":leaves: Didn't happen this time, and that's fine",
    "no_reply": ":leaves: Didn't happen this round",
    "ended": ":leaves: This match has ended",
}


def why_line(people) -> str:
    """One line on why this hour is worth it, from what the people said they want and could share."""
    for asker in people:
        for sharer in people:
            if asker is not sharer and asker.talk_about and sharer.could_share:
                return (
                    f"<@{asker.user_id}> would like to talk about {_quote(asker.talk_about, 140)}, and "
                    f"<@{sharer.user_id}> could share {_quote(sharer.could_share, 140)}. A good place to start."
                )
    orgs = " and ".join(f"*{escape(p.organisation)}*" for p in people)
    return (
        f"{orgs} do things differently. An hour with someone outside your own organisation is "
        "the quickest way to see your own work afresh, and to help someone else do the same."
    )


def _person_block(person) -> dict:
    lines = [f"<@{person.user_id}> · *{escape(person.organisation)}*" + (f" · {escape(person.role)}" if person.role else "")]
    if person.talk_about:
        lines.append(f"_Would like to talk about:_ {escape(person.talk_about)}")
    if person.could_share:
        lines.append(f"_Could share:_ {escape(person.could_share)}")
    return _section("\n".join(lines))


def _status_line(intro) -> str:
    line = STATUS_LINES.get(intro.status, intro.status)
    if intro.status == "scheduled" and intro.meeting_at:
        line += f" for {slack_date(intro.meeting_at)}"
    return line


def intro_message(intro, marker: str | None = None) -> Message:
    names = ", ".join(f"<@{p.user_id}>" for p in intro.people[:-1]) + f" and <@{intro.people[-1].user_id}>"
    hello = (
        f"Hello {names}! :wave: You're matched for round {intro.round_number} of unmentor: "
        f"one honest hour, any time before {slack_date(intro.closes_at)}."
    )
    prompts = "\n".join(f"{i}. {escape(p.text)}  _({escape(p.theme_title)})_" for i, p in enumerate(intro.prompts, 1))
    blocks = [
        {"type": "header", "text": _plain(f"Your unmentor match, round {intro.round_number}")},
        _section(hello),
        *[_person_block(p) for p in intro.people],
        _section(f"*Why this hour is worth it*\n{why_line(intro.people)}"),
    ]
    if prompts:
        blocks.append(_section(f"*A few ways in*\n{prompts}"))
    if intro.ended and intro.status == "ended":
        blocks.append(_context("This match has moved on. Thank you both, and see you next round."))
    elif intro.ended:
        blocks.append(_context(f"Round {intro.round_number} has ended. Thank you for taking part. {_status_line(intro)}"))
    else:
        value = ids.value("group", intro.group_id)
        buttons = [
            _button("We've scheduled it", ids.MEETING_SCHEDULED, value, style="primary"),
            _button("We've met", ids.MEETING_MET, value),
            _button("Need to reschedule", ids.MEETING_RESCHEDULE, value),
            _button("Couldn't make it", ids.MEETING_MISSED, value),
        ]
        if intro.offer_no_reply:
            buttons.append(_button("My partner hasn't replied", ids.PARTNER_NO_REPLY, value))
        blocks.append({"type": "actions", "block_id": "meeting", "elements": buttons})
        blocks.append(_context(_status_line(intro)))
    text = f"You're matched for round {intro.round_number} of unmentor: " + ", ".join(
        f"<@{p.user_id}> ({escape(p.organisation)})" for p in intro.people)
    return _with_marker({"text": text, "blocks": blocks}, marker)


def nudge_message(nudge, marker: str | None = None) -> Message:
    text = (
        "A gentle nudge :seedling: Have you found an hour yet? Even 30 minutes before "
        f"{slack_date(nudge.closes_at)} is worth it. If plans have changed, the buttons on the intro "
        "above let you say so, no explanations needed."
    )
    return _with_marker(_message(text, _section(text)), marker)


def follow_up_ask_message(ask, marker: str | None = None) -> Message:
    partners = " and ".join(f"<@{user_id}>" for user_id in ask.partner_ids) or "your partner"
    text = (
        f"Round {ask.round_number} is nearly over. What did you take away from your chat with {partners}? "
        "Two minutes, all optional. Your words stay private unless you say organisers may read them, "
        "and even then without your name."
    )
    return _with_marker(_message(
        text,
        _section(text),
        {"type": "actions", "elements": [
            _button("Share what I learned", ids.FOLLOW_UP_OPEN, ids.value("group", ask.group_id), style="primary"),
        ]},
    ), marker)


UNMATCHED_REASONS = {
    "odd_number": "there was an odd number of people this round, and this network pairs people two by two",
    "no_trio_possible": "there was an odd number of people this round, and every group of three I could make "
                        "would have put two people from the same organisation together or repeated a pair",
    "no_partner_possible": "everyone you could be paired with is from your organisation or someone you've "
                           "already met",
    "partner_unreachable": "your partner can't be reached on Slack any more, and nobody else was free to "
                           "step in this round",
}


def unmatched_message(unmatched, marker: str | None = None) -> Message:
    text = (
        f"No match for you in round {unmatched.round_number}, I'm sorry: "
        f"{UNMATCHED_REASONS.get(unmatched.reason, 'the numbers did not work out')}. "
        f"That's nothing you did. You'll go first when the next round opens {slack_date(unmatched.next_round_at)}."
    )
    return _with_marker(_message(text, _section(text)), marker)


def announcement_message(announcement, marker: str | None = None) -> Message:
    text = (
        f"Heads-up: the next unmentor round opens {slack_date(announcement.opens_at)}. You'll be matched "
        "with someone from a different organisation for one honest hour. Busy that month? Skip it with one "
        "click, no questions asked."
    )
    return _with_marker(_message(
        text,
        _section(text),
        {"type": "actions", "elements": [_button("Skip this round", ids.SKIP_ROUND, f"period:{announcement.period}")]},
        _context("Want a longer break? `/unmentor pause` any time."),
    ), marker)


def reminder_message(reminder, marker: str | None = None) -> Message:
    text = (f"A friendly reminder: your unmentor chat with {_mentions(reminder.partner_ids)} is "
            f"{slack_date(reminder.meeting_at)}. Plans changed? The buttons on your intro make it easy to say so.")
    return _with_marker(_message(text, _section(text)), marker)


def reschedule_notice_message(notice, marker: str | None = None) -> Message:
    lines = [f"<@{notice.asker_id}> needs to move your chat; no problem, here is what they suggested:"]
    if notice.suggested_at:
        lines.append(f"• {slack_date(notice.suggested_at)}")
    if notice.note:
        lines.append(f"> {escape(notice.note)}")
    text = "\n".join(lines)
    value = ids.value("group", notice.group_id)
    buttons = [_button("Suggest another time", ids.RESCHEDULE_COUNTER, value)]
    if notice.suggested_at:
        buttons.insert(0, _button("That works for me", ids.RESCHEDULE_ACCEPT, value, style="primary"))
    else:
        buttons.insert(0, _button("Fine, we'll sort it out", ids.RESCHEDULE_ACCEPT, value, style="primary"))
    return _with_marker(_message(text, _section(text), _actions(*buttons)), marker)


def reschedule_accepted_message(accepted, marker: str | None = None) -> Message:
    when = f" {slack_date(accepted.meeting_at)}" if accepted.meeting_at else ""
    text = f"<@{accepted.partner_id}> is happy with the new plan{when}. Thanks for giving notice!"
    return _with_marker(_message(text, _section(text)), marker)


def partner_moved_on_message(moved, marker: str | None = None) -> Message:
    text = (f"Your unmentor match for round {moved.round_number} has closed early; there's nothing for you to do. "
            f"You'll be matched again when the next round opens {slack_date(moved.next_round_at)}. "
            "Need a break instead? `/unmentor pause` any time.")
    return _with_marker(_message(text, _section(text)), marker)


def stay_in_touch_message(stay, marker: str | None = None) -> Message:
    text = (f"Good news: you and {_mentions(stay.partner_ids)} both said you'd like to stay in touch. "
            "Why not put another chat in the diary?")
    return _with_marker(_message(text, _section(text)), marker)


def paused_quietly_message(_paused, marker: str | None = None) -> Message:
    text = ("The last two rounds didn't work out, and that's completely fine: life gets busy. I've paused your "
            "matches so nothing lands on you for now. Whenever you'd like to come back, type `/unmentor resume`.")
    return _with_marker(_message(text, _section(text)), marker)


def welcome_back_message(back, marker: str | None = None) -> Message:
    text = (f"Welcome back! Your pause is over, so you're in the next unmentor round, which opens "
            f"{slack_date(back.next_round_at)}. Not ready yet? `/unmentor pause` any time.")
    return _with_marker(_message(text, _section(text)), marker)


def render(content, marker: str | None) -> Message:
    """The Slack message for something the scheduler wants said."""
    builders = {
        messages.Intro: intro_message,
        messages.Nudge: nudge_message,
        messages.FollowUpAsk: follow_up_ask_message,
        messages.Unmatched: unmatched_message,
        messages.Announcement: announcement_message,
        messages.Reminder: reminder_message,
        messages.RescheduleNotice: reschedule_notice_message,
        messages.RescheduleAccepted: reschedule_accepted_message,
        messages.PartnerMovedOn: partner_moved_on_message,
        messages.StayInTouch: stay_in_touch_message,
        messages.PausedQuietly: paused_quietly_message,
        messages.WelcomeBack: welcome_back_message,
    }
    return builders[type(content)](content, marker)
