"""Block Kit messages and views, built by pure functions so they can be checked without Slack."""

from __future__ import annotations

from datetime import datetime, timezone

from bot import ids
from scheduler import messages
from scheduler.membership import ORGANISATION_MAX, TEXT_MAX, Change, ProfileForm, StatusView

Message = dict  # {"text": fallback, "blocks": [...]} — what chat.postMessage / respond take


# mrkdwn has no escape for its formatting marks, so in member-written text they become
# look-alikes: "Acme*" must not end the bold that wraps it.
_MARK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def escape(text: str) -> str:
    """Member-written text shown in mrkdwn: never a mention, link or formatting trick."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(_MARK_LOOKALIKES)


def slack_date(at: datetime) -> str:
    """A date Slack renders in each reader's own time zone (the fallback, for notifications, in UTC)."""
    utc = at.astimezone(timezone.utc)
    fallback = f"{utc:%A} {utc.day} {utc:%B} at {utc:%H:%M} UTC"
    return f"<!date^{int(utc.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True}, "action_id": action_id}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def _message(text: str, *blocks: dict) -> Message:
    return {"text": text, "blocks": list(blocks) or [_section(text)]}


HELP_LINES = [
    ("join [organisation]", "sign up (or update your details); without an organisation I'll ask a few questions"),
    ("status", "what you're signed up for, when the next round is and who your partner is"),
    ("pause", "take a break from matching until you say resume"),
    ("resume", "come back after a pause or a skip"),
    ("skip", "sit out the next round only"),
    ("leave", "stop and delete your details and answers"),
    ("help", "this list"),
]


def help_message(intro: str | None = None) -> Message:
    lines = "\n".join(f"• `/unmentor {usage}`: {what}" for usage, what in HELP_LINES)
    head = intro or (
        "*unmentor* pairs you, once a round, with someone from a different organisation "
        "for one honest hour where you both learn something."
    )
    return _message(
        head + " Here's what you can do:\n" + lines,
        _section(head),
        _section(lines),
        _context("Your answers to follow-up questions stay private unless you say organisers may read them."),
    )


def unknown_command_message(word: str) -> Message:
    shown = escape(word[:40])
    return help_message(f"I don't know `{shown}` yet, sorry. No harm done.")


def joined_message(created: bool, organisation: str, next_round_at: datetime) -> Message:
    when = slack_date(next_round_at)
    if created:
        text = (
            f"Welcome to unmentor! :wave: You're in, as part of *{escape(organisation)}*.\n"
            f"The next round opens {when}. I'll send you a DM with your partner, someone from a "
            "different organisation, and a few questions to get you talking. "
            "A few days before, I'll remind you, in case you'd rather skip that one."
        )
    else:
        text = (
            f"Thanks, your details are updated (organisation: *{escape(organisation)}*). "
            f"The next round opens {when}."
        )
    return _message(
        text,
        _section(text),
        _context("`/unmentor pause`, `skip` or `leave` any time: no questions asked."),
    )


def input_error_message(problem: str) -> Message:
    return _message(f"{problem} Nothing was changed.")


def not_member_message() -> Message:
    return _message("You're not signed up at the moment. `/unmentor join` whenever you'd like to take part.")


def change_message(action: str, change: Change) -> Message:
    if change is Change.not_member:
        return not_member_message()
    texts = {
        ("pause", Change.done): "Paused. :pause_button: You won't be matched until you `/unmentor resume`. Enjoy the breather.",
        ("pause", Change.already): "You're already paused. `/unmentor resume` whenever you're ready.",
        ("resume", Change.done): "Welcome back! :tada: You'll be in the next round.",
        ("resume", Change.already): "You're already active, and in the next round.",
        ("skip", Change.done): "No problem: you'll sit out the next round and be back for the one after.",
        ("skip", Change.already): "You're already sitting out the next round (or paused). `/unmentor resume` to undo.",
    }
    return _message(texts[(action, change)])


STATUS_WORDS = {
    "active": "active: you'll be in the next round",
    "paused": "paused: you won't be matched until you `/unmentor resume`",
    "skipping": "skipping the next round; you'll be back for the one after",
}


def status_message(view: StatusView) -> Message:
    if view.member is None:
        return not_member_message()
    member = view.member
    lines = [
        f"*Organisation:* {escape(member.organisation)}",
        f"*Status:* {STATUS_WORDS.get(member.status, member.status)}",
        f"*Next round:* opens {slack_date(view.next_round_at)}",
    ]
    if view.partner_user_ids:
        partners = " and ".join(f"<@{user_id}>" for user_id in view.partner_user_ids)
        lines.append(f"*This round (round {view.round_number}):* you're matched with {partners}")
    elif view.round_number is not None:
        lines.append(f"*This round (round {view.round_number}):* your partner has stepped away")
    text = "\n".join(lines)
    return _message(text, _section(text))


def leave_confirm_message() -> Message:
    text = (
        "Leaving deletes your details and everything you've written in follow-ups. "
        "Only anonymous counts stay (that someone took part). Shall I go ahead?"
    )
    return _message(
        text,
        _section(text),
        {
            "type": "actions",
            "elements": [
                _button("Yes, delete my data", ids.LEAVE_CONFIRM, "leave", style="danger"),
                _button("No, keep me in", ids.LEAVE_CANCEL, "stay"),
            ],
        },
    )


def left_message() -> Message:
    return _message(
        "Done. Your details and answers are deleted. Thank you for taking part; "
        "you're always welcome back with `/unmentor join`."
    )


def stayed_message() -> Message:
    return _message("Great, nothing has changed. Glad you're staying!")


def something_went_wrong_message() -> Message:
    return _message("Sorry, something went wrong on our side. Please try again in a minute; "
                    "`/unmentor status` shows where things stand.")


def organisers_only_message() -> Message:
    return _message("Sorry, that's something only the network's organisers can do.")


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _text_input(block_id: str, label: str, initial: str, limit: int, *, multiline: bool, optional: bool, hint: str | None = None, placeholder: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def join_modal(prefill: ProfileForm) -> dict:
    """The short form for joining when we can't tell the organisation."""
    return {
        "type": "modal",
        "callback_id": ids.JOIN_VIEW,
        "title": _plain("Join unmentor"),
        "submit": _plain("Join"),
        "close": _plain("Not now"),
        "blocks": [
            _section(
                "You'll be paired with someone from a *different* organisation for one honest hour. "
                "A few words help your partner know where to start."
            ),
            _text_input("organisation", "Your organisation", prefill.organisation, ORGANISATION_MAX,
                        multiline=False, optional=False, hint="We never pair you with someone from the same one."),
            _text_input("role", "What I do", prefill.role, TEXT_MAX, multiline=False, optional=True,
                        placeholder="e.g. I run the volunteer programme"),
            _text_input("talk_about", "What I'd like to talk about", prefill.talk_about, TEXT_MAX,
                        multiline=True, optional=True, placeholder="e.g. how other teams plan their year"),
            _text_input("could_share", "What I could share", prefill.could_share, TEXT_MAX,
                        multiline=True, optional=True, placeholder="e.g. what we learned running hybrid events"),
        ],
    }


def read_join_modal(state_values: dict) -> ProfileForm:
    """The join modal's answers, as typed."""
    def get(block_id: str) -> str:
        return (state_values.get(block_id, {}).get("value", {}) or {}).get("value") or ""

    return ProfileForm(
        organisation=get("organisation"),
        role=get("role"),
        talk_about=get("talk_about"),
        could_share=get("could_share"),
    )


def domain_map_message(mapping: dict[str, str]) -> Message:
    if not mapping:
        return _message(
            "No email domains are mapped yet. `/unmentor domain add example.org Example Ltd` lets people "
            "from example.org join in one step."
        )
    lines = "\n".join(f"• {escape(domain)} → {escape(org)}" for domain, org in mapping.items())
    return _message("Email domains and their organisations:\n" + lines)


def domain_saved_message(domain: str, organisation: str) -> Message:
    return _message(
        f"Saved: people with an @{escape(domain)} address join as *{escape(organisation)}* without being asked."
    )


def domain_removed_message(domain: str, removed: bool) -> Message:
    if removed:
        return _message(f"Removed {escape(domain)}. People from there will be asked for their organisation.")
    return _message(f"{escape(domain)} wasn't mapped, so nothing changed.")


def home_view(view: StatusView, organiser_blocks: list[dict] | None = None) -> dict:
    """App Home: the member's status and one-click changes; below, for organisers, stats and controls."""
    header = {"type": "header", "text": _plain("unmentor")}
    if view.member is None:
        text = (
            "One honest hour a round with someone from a *different* organisation, where you both learn "
            "something. Type `/unmentor join` to take part."
        )
        return {"type": "home", "blocks": [header, _section(text), *(organiser_blocks or [])]}
    buttons = [_button("Edit my details", ids.EDIT_PROFILE, "profile")]
    if view.member.status == "active":
        buttons += [_button("Skip the next round", ids.SKIP, "skip"), _button("Pause", ids.PAUSE, "pause")]
    else:
        buttons.append(_button("Resume", ids.RESUME, "resume", style="primary"))
    leave = _button("Leave and delete my data", ids.LEAVE, "leave", style="danger")
    leave["confirm"] = {
        "title": _plain("Leave unmentor?"),
        "text": _plain("This deletes your details and answers. Only anonymous counts stay."),
        "confirm": _plain("Yes, delete my data"),
        "deny": _plain("Keep me in"),
        "style": "danger",
    }
    buttons.append(leave)
    status = status_message(view)
    past = []
    if view.past_partners:
        lines = "\n".join(f"• Round {number}: " + " and ".join(f"<@{u}>" for u in users)
                           for number, users in view.past_partners)
        past = [_section("*Past partners*\n" + lines)]
    return {
        "type": "home",
        "blocks": [header, *status["blocks"], {"type": "actions", "elements": buttons}, *past,
                   *(organiser_blocks or [])],
    }


# Round messages ------------------------------------------------------------------------

STATUS_LINES = {
    "new": ":hourglass_flowing_sand: Not scheduled yet. Any time before the round ends is fine.",
    "scheduled": ":calendar: Scheduled",
    "met": ":white_check_mark: You've met. Lovely!",
    "rescheduling": ":arrows_counterclockwise: Finding a new time",
    "missed": ":leaves: Didn't happen this time, and that's fine",
    "no_reply": ":leaves: Didn't happen this round",
    "ended": ":leaves: This match has ended",
}


def _with_marker(message: Message, marker: str | None) -> Message:
    # The marker lets a restart find this message in the conversation instead of re-sending it.
    if marker:
        message["blocks"][0]["block_id"] = marker[:255]
    return message


def _quote(text: str, limit: int = 300) -> str:
    return "“" + clip(text, limit) + "”"


def clip(text: str, limit: int) -> str:
    """Member text, escaped, at most `limit` characters as shown, cut on a word with an ellipsis.

    Escaping first, then cutting, means an entity like &amp; is never split and the limit
    holds for what Slack counts.
    """
    shown = escape(text)
    if len(shown) <= limit:
        return shown
    cut = shown[: limit - 1]
    cut = cut[: cut.rfind("&")] if cut.rfind("&") > cut.rfind(";") else cut  # no half entity
    return cut.rsplit(" ", 1)[0].rstrip() + "…" if " " in cut[-40:] else cut + "…"


def _lines_within(lines: list[str], limit: int) -> str:
    """Whole lines, as many as fit in `limit` characters (a section's text holds 3,000)."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


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


def skip_round_reply(change: Change, round_started: bool) -> Message:
    if round_started:
        return _message(
            "That round has already started, so you're matched. If it doesn't suit, the buttons on your intro "
            "let you say so, no explanations needed."
        )
    if change is Change.done:
        return _message("Done: you'll sit out the next round and be back for the one after. Enjoy the breather.")
    return change_message("skip", change)


# Meetings: replies to the intro's buttons, the modals they open, and the DMs they set off -----


def _mentions(user_ids) -> str:
    return " and ".join(f"<@{user_id}>" for user_id in user_ids) or "your partner"


def _actions(*buttons: dict) -> dict:
    return {"type": "actions", "elements": list(buttons)}


def round_ended_reply(round_number: int | None) -> Message:
    which = f"Round {round_number}" if round_number else "That round"
    return _message(f"{which} has ended, so this button has retired. Thank you for taking part! "
                    "Your next match comes with the next round.")


def match_ended_reply() -> Message:
    return _message("This match has moved on, so this button has retired. Anything new for you this round "
                    "comes in its own message.")


def too_late_to_rematch_reply() -> Message:
    return _message("The round is nearly over, so rather than start a new match now, you'll go first when "
                    "the next round opens.")


def met_cannot_move_reply() -> Message:
    return _message("You've already marked this one as met, so there's nothing to move.")


def not_yours_reply() -> Message:
    return _message("That button belongs to someone else's match, so I've left it alone.")


def scheduled_reply(partner_ids, meeting_at: datetime | None, already: bool) -> Message:
    if already:
        return _message("Already noted as scheduled. Enjoy the chat!")
    if meeting_at:
        return _message(f"Lovely, noted for {slack_date(meeting_at)}. I'll remind you and {_mentions(partner_ids)} "
                        "the day before.")
    return _message(f"Lovely, noted. Enjoy your chat with {_mentions(partner_ids)}!")


def met_reply(already: bool) -> Message:
    if already:
        return _message("Already noted: you've met. :white_check_mark:")
    return _message("Wonderful! :tada: Near the end of the round I'll ask, briefly, what you took away.")


def reschedule_reply(partner_ids, short_notice: bool) -> Message:
    text = f"Thanks for letting {_mentions(partner_ids)} know. I've passed on your suggestion."
    if short_notice:
        text += " When you can, a day's notice helps your partner plan. No harm done this time."
    else:
        text += " Giving notice, as you have, makes it easy for everyone."
    return _message(text)


def missed_reply(group_id: int, already: bool) -> Message:
    value = ids.value("group", group_id)
    text = ("No problem, these things happen. Would you like to try again this round, or leave it there?"
            if not already else "Noted already. Would you like to try again this round, or leave it there?")
    return _message(text, _section(text), _actions(
        _button("Try again this round", ids.MISSED_TRY_AGAIN, value, style="primary"),
        _button("Leave it there", ids.MISSED_LEAVE_IT, value),
    ))


def try_again_reply(already: bool) -> Message:
    if already:
        return _message("You're already set to try again. Good luck finding a time!")
    return _message("Great, the buttons on your intro are ready for when you've found a new time.")


def leave_it_reply() -> Message:
    return _message("Fair enough. Thanks for saying so; you'll be matched again next round.")


def met_cannot_miss_reply() -> Message:
    return _message("You've already marked this one as met, so I've left it as it is.")


def no_reply_choice(group_id: int) -> Message:
    value = ids.value("group", group_id)
    text = ("Sorry to hear that; people get busy. Would you like a fresh match this round, "
            "or to sit this one out and go first next time?")
    return _message(text, _section(text), _actions(
        _button("Find me someone else", ids.NO_REPLY_REMATCH, value, style="primary"),
        _button("Sit this one out", ids.NO_REPLY_SIT_OUT, value),
    ))


def no_reply_not_now_reply() -> Message:
    return _message("It looks like you two are already in touch, so I've left your match as it is.")


def rematched_reply(found: bool) -> Message:
    if found:
        return _message("Done: I've found you someone else this round. Look out for a new DM.")
    return _message("Nobody else is free this round right now, sorry. You'll go first when the next round opens.")


def sat_out_reply() -> Message:
    return _message("No problem. You'll go first when the next round opens.")


def cannot_accept_own_reply() -> Message:
    return _message("That's your own suggestion; your partner gets to say yes to it.")


def reschedule_accepted_reply(meeting_at: datetime | None, already: bool) -> Message:
    if already:
        return _message("That's already settled. Enjoy the chat!")
    if meeting_at is None:
        return _message("Thanks, I've let your partner know. Find a time that suits you both in your conversation.")
    return _message(f"Great, you're on for {slack_date(meeting_at)}. I've let your partner know.")


def follow_up_thanks() -> Message:
    return _message("Thank you! Your answers are saved. Only you can see them, unless you said organisers "
                    "may read them without your name.")


def _optional_input(block_id: str, label: str, element: dict, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": True}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _date_and_time(date_label: str) -> list[dict]:
    return [
        _optional_input("date", date_label, {"type": "datepicker", "action_id": "value",
                                              "placeholder": _plain("Pick a day")}),
        _optional_input("time", "Time (your own time zone)", {"type": "timepicker", "action_id": "value",
                                                              "placeholder": _plain("Pick a time")}),
    ]


def scheduled_modal(group_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.SCHEDULED_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": _plain("We've scheduled it"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            _section("Great! When is it? Optional: with a date, I'll remind you both the day before."),
            *_date_and_time("Day"),
        ],
    }


def reschedule_modal(group_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.RESCHEDULE_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": _plain("Need to reschedule"),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "blocks": [
            _section("No problem at all. Suggest a new time, or leave a note, and I'll pass it on kindly."),
            *_date_and_time("New day"),
            _text_input("note", "Note", "", 500, multiline=True, optional=True,
                        placeholder="e.g. Could we do Thursday afternoon instead?"),
        ],
    }


def _checkbox(block_id: str, label: str, option: str, value: str, checked: bool) -> dict:
    opt = {"text": _plain(option), "value": value}
    element = {"type": "checkboxes", "action_id": "value", "options": [opt]}
    if checked:
        element["initial_options"] = [opt]
    return _optional_input(block_id, label, element)


def follow_up_modal(group_id: int, prefill) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.FOLLOW_UP_VIEW,
        "private_metadata": ids.value("group", group_id),
        "title": _plain("What you took away"),
        "submit": _plain("Save"),
        "close": _plain("Not now"),
        "blocks": [
            _section("Two minutes, all optional. Your words are private: organisers see counts, and read "
                     "words only if you tick the last box, and never with your name."),
            _text_input("learned", "What did you learn?", prefill.learned, 1000, multiline=True, optional=True),
            _text_input("shared", "What did you share?", prefill.shared, 1000, multiline=True, optional=True),
            _checkbox("stay_in_touch", "Staying in touch", "I'd like to stay in touch", "yes", prefill.stay_in_touch),
            _checkbox("consent", "Your answers", "Organisers may read my answers, without my name", "yes",
                      prefill.organisers_may_read),
        ],
    }


def _state_value(state_values: dict, block_id: str) -> dict:
    return (state_values.get(block_id) or {}).get("value") or {}


def read_date_and_time(state_values: dict):
    """(date or None, time or None) picked in a meeting modal."""
    from datetime import date, time

    day = _state_value(state_values, "date").get("selected_date")
    at = _state_value(state_values, "time").get("selected_time")
    return (date.fromisoformat(day) if day else None), (time.fromisoformat(at) if at else None)


def read_note(state_values: dict) -> str:
    return _state_value(state_values, "note").get("value") or ""


def read_follow_up_modal(state_values: dict):
    from scheduler.meetings import FollowUpForm

    def ticked(block_id: str) -> bool:
        return bool(_state_value(state_values, block_id).get("selected_options"))

    return FollowUpForm(
        learned=_state_value(state_values, "learned").get("value") or "",
        shared=_state_value(state_values, "shared").get("value") or "",
        stay_in_touch=ticked("stay_in_touch"),
        organisers_may_read=ticked("consent"),
    )


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
    }
    return builders[type(content)](content, marker)


def organisers_list_message(configured, listed) -> Message:
    everyone = list(dict.fromkeys([*configured, *listed]))
    names = ", ".join(f"<@{user_id}>" for user_id in everyone) or "nobody named yet"
    return _message(f"Organisers: {names}, and the workspace's admins and owners. "
                    "`/unmentor organisers add @someone` to add one.")


def organiser_change_message(verb: str, user_id: str, change) -> Message:
    from scheduler.organisers import OrganiserChange

    if change is OrganiserChange.slack_admin:
        return _message(f"<@{user_id}> is a Slack admin or owner of this workspace, and they're always organisers. "
                        "Nothing was changed.")
    if change is OrganiserChange.from_settings:
        return _message(f"<@{user_id}> is an organiser through the UNMENTOR_ORGANISERS setting, so only a change "
                        "to that setting removes them. Nothing was changed.")
    if verb == "add":
        return _message(f"<@{user_id}> is now an organiser." if change is OrganiserChange.done
                        else f"<@{user_id}> is already an organiser.")
    return _message(f"<@{user_id}> is no longer an organiser." if change is OrganiserChange.done
                    else f"<@{user_id}> wasn't an organiser, so nothing changed.")


def member_removed_message(user_id: str, removed: bool) -> Message:
    if removed:
        return _message(f"Removed <@{user_id}> from unmentor and deleted their details and answers.")
    return _message(f"<@{user_id}> isn't signed up, so nothing changed.")



# Organisers: stats, controls and export ------------------------------------------------


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def stats_blocks(stats, learnings, sparkline: str) -> list[dict]:
    """The latest round in counts and shares, the meeting-rate trend, and consented learnings (no names)."""
    if not stats:
        return [_section("No rounds yet. Preview the first one, or open it now, from App Home or with "
                         "`/unmentor preview` and `/unmentor open`.")]
    last = stats[-1]
    fields = [
        f"*Members*\n{last.members_active} active · {last.members_paused} paused · {last.members_skipping} skipping",
        f"*Since last round*\n{last.members_new} new · {last.members_left} left",
        f"*Groups*\n{last.groups} made · {last.unmatched} unmatched · {last.organisations} organisations",
        f"*Cross-organisation*\n{_pct(last.cross_organisation_rate)}",
        f"*Met*\n{last.met} ({_pct(last.met_rate)})",
        f"*Scheduled*\n{last.scheduled} ({_pct(last.scheduled_rate)})",
        f"*Rescheduled*\n{last.rescheduled} ({_pct(last.rescheduled_rate)})",
        f"*Missed · no reply*\n{last.missed} ({_pct(last.missed_rate)}) · {last.no_reply} ({_pct(last.no_reply_rate)})",
        f"*Follow-ups answered*\n{_pct(last.follow_up_rate)}",
        f"*Would stay in touch*\n{_pct(last.stay_in_touch_rate)}",
    ]
    blocks = [
        _section(f"*Round {last.number}* ({escape(last.period)}, {last.state.replace('_', ' ')})"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        _trend_line(stats, sparkline),
    ]
    if len(stats) > 1:
        blocks.append(trend_table(stats))
    if learnings:
        heading = "*What people learned* (shared with their consent, without names)"
        quotes = [
            f"• _Round {item.round_number}:_ {clip(item.learned, 280) or '–'}"
            + (f" (shared: {clip(item.shared, 140)})" if item.shared else "")
            for item in learnings[:5]
        ]
        blocks.append(_section(heading + "\n" + _lines_within(quotes, 2990 - len(heading))))
    return blocks


def _trend_line(stats, sparkline: str) -> dict:
    closed = [s for s in stats if s.state == "closed"]
    if not closed:
        return _context("The meeting-rate chart starts once a round has closed.")
    plural = "s" if len(closed) != 1 else ""
    return _context(f"Meeting rate over {len(closed)} closed round{plural}: `{sparkline}` "
                    f"(▁ none met, █ all met) · last closed {_pct(closed[-1].met_rate)}")


def trend_table(stats, last: int = 6) -> dict:
    """The last few rounds side by side, so organisers see every round, not only the latest."""
    rows = [f"{'Round':<6}{'Groups':>7}{'Met':>6}{'Missed':>8}{'No reply':>10}{'Answered':>10}"]
    for s in stats[-last:]:
        rows.append(f"{s.number:<6}{s.groups:>7}{_pct(s.met_rate):>6}{_pct(s.missed_rate):>8}"
                    f"{_pct(s.no_reply_rate):>10}{_pct(s.follow_up_rate):>10}")
    return _section("*Round by round*\n```" + "\n".join(rows) + "```")


def stats_message(stats, learnings, sparkline: str) -> Message:
    text = (f"Round {stats[-1].number}: {stats[-1].groups} groups, {_pct(stats[-1].met_rate)} met"
            if stats else "No rounds yet.")
    return {"text": text, "blocks": stats_blocks(stats, learnings, sparkline)}


def export_messages(csv_text: str, limit: int = 38000) -> list[Message]:
    """The round stats CSV by DM, as plain text in a code block to copy into a .csv file.

    A message's text holds 40,000 characters, so years of rounds fit in one; past that, whole
    lines go into further parts. (A file upload would need files.getUploadURLExternal, which
    the API spec we check against doesn't have.)
    """
    chunks, current = [], ""
    for line in csv_text.splitlines(keepends=True):
        if current and len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    messages = []
    for i, chunk in enumerate(chunks, 1):
        part = f" (part {i} of {len(chunks)})" if len(chunks) > 1 else ""
        head = (f"Round stats as CSV{part}: counts and shares only, no one's answers or names. "
                "Copy it into a .csv file to open in a spreadsheet.")
        messages.append({"text": f"{head}\n```\n{chunk}```"})
    return messages


def no_such_round_message(number: int) -> Message:
    return _message(f"There's no round {number} yet. `/unmentor stats` shows the latest.")


def export_sent_reply() -> Message:
    return _message("I've sent you the round stats as CSV in a DM.")


def preview_message(plan, shown: int = 25) -> Message:
    lines = [
        " + ".join(f"<@{m.slack_user_id}> ({escape(m.organisation)})" for m in group)
        for group in plan.groups[:shown]
    ]
    head = (f"If the next round opened now: *{len(plan.groups)} groups*, {len(plan.unmatched)} unmatched, "
            f"{plan.organisations} organisations. Nothing has been stored or sent.")
    body = _lines_within(lines, 2900) or "Nobody to match yet."
    hidden = len(plan.groups) - len(body.splitlines()) if lines else 0
    if hidden > 0:
        body += f"\n…and {hidden} more."
    blocks = [_section(head), _section(body)]
    if plan.unmatched:
        blocks.append(_context("Unmatched: " + ", ".join(f"<@{m.slack_user_id}>" for m in plan.unmatched[:20])))
    return {"text": head, "blocks": blocks}


def open_round_confirm_message() -> Message:
    text = "Open the next round now? Everyone active is matched and their intros go out straight away."
    button = _button("Open it now", ids.ORG_OPEN_ROUND, "open", style="primary")
    return _message(text, _section(text), _actions(button))


def round_opened_message(outcome) -> Message:
    if outcome.reason == "round_running":
        return _message(f"Round {outcome.round.number} is still running, so a new one can't open yet. It closes "
                        f"{slack_date(outcome.round.closes_at)}. Nothing was changed.")
    if outcome.reason != "opened":
        return _message("No round was opened, as one has already opened for this period. Nothing was changed.")
    return _message(f"Round {outcome.round.number} is open: {len(outcome.plan.groups)} groups, "
                    f"{len(outcome.plan.unmatched)} unmatched. The intros are on their way.")


def _option(text: str, value: str) -> dict:
    return {"text": _plain(text), "value": value}


def _select(block_id: str, label: str, options: list[tuple[str, str]], current: str) -> dict:
    opts = [_option(text, value) for text, value in options]
    element = {"type": "static_select", "action_id": "value", "options": opts}
    chosen = next((o for o in opts if o["value"] == current), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}


def schedule_modal(schedule) -> dict:
    from scheduler.schedule import WEEKDAYS

    return {
        "type": "modal",
        "callback_id": ids.SCHEDULE_VIEW,
        "title": _plain("Round schedule"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            _select("cadence", "How often", [("Monthly", "monthly"), ("Fortnightly", "fortnightly"),
                                             ("Weekly", "weekly")], schedule.cadence),
            _select("weekday", "Rounds open on", [(d.title(), str(i)) for i, d in enumerate(WEEKDAYS)],
                    str(schedule.weekday)),
            {"type": "input", "block_id": "time", "label": _plain("At (workspace time)"),
             "element": {"type": "timepicker", "action_id": "value",
                         "initial_time": f"{schedule.hour:02d}:{schedule.minute:02d}"}},
            _text_input("timezone", "Workspace time zone", schedule.timezone, 64, multiline=False, optional=False,
                        hint="e.g. Europe/London"),
            _text_input("country", "Public holidays of", schedule.country or "", 8, multiline=False,
                        optional=True, hint="A country code such as GB; leave empty for none"),
            _context("Changing how often resets the nudge, follow-up and close days to suit."),
        ],
    }


def read_schedule_modal(state_values: dict) -> dict:
    def selected(block_id: str) -> str | None:
        return (_state_value(state_values, block_id).get("selected_option") or {}).get("value")

    return {
        "cadence": selected("cadence"),
        "weekday": int(selected("weekday") or 0),
        "time": _state_value(state_values, "time").get("selected_time") or "10:00",
        "timezone": (_state_value(state_values, "timezone").get("value") or "").strip(),
        "country": (_state_value(state_values, "country").get("value") or "").strip().upper() or None,
    }


def prompts_modal(current_name: str, count: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.PROMPTS_VIEW,
        "title": _plain("Prompt library"),
        "submit": _plain("Use these"),
        "close": _plain("Cancel"),
        "blocks": [
            _section(f"In use: *{escape(current_name)}* ({count} prompts). Paste your own, one per line as "
                     "`theme | prompt`, or a whole JSON library. Bigger libraries: `unmentor prompts load FILE`."),
            _text_input("library", "Prompts", "", 3000, multiline=True, optional=False,
                        placeholder="wants | What would make this hour worth it for you?"),
        ],
    }


def read_prompts_modal(state_values: dict) -> str:
    return _state_value(state_values, "library").get("value") or ""


def schedule_saved_message(next_at: datetime) -> Message:
    return _message(f"Schedule saved. The next round opens {slack_date(next_at)}.")


def prompts_saved_message(count: int, themes: int) -> Message:
    return _message(f"Prompt library saved: {count} prompts in {themes} themes. New intros will use it.")


def organiser_home_blocks(stats, learnings, sparkline: str) -> list[dict]:
    return [
        {"type": "divider"},
        {"type": "header", "text": _plain("For organisers")},
        *stats_blocks(stats, learnings, sparkline),
        _actions(
            _button("Preview next round", ids.ORG_PREVIEW, "preview"),
            {**_button("Open a round now", ids.ORG_OPEN_ROUND, "open", style="primary"), "confirm": {
                "title": _plain("Open a round now?"),
                "text": _plain("Everyone active is matched and their intros go out straight away."),
                "confirm": _plain("Open it"), "deny": _plain("Not yet"),
            }},
            _button("Schedule", ids.ORG_SCHEDULE, "schedule"),
            _button("Prompt library", ids.ORG_PROMPTS, "prompts"),
            _button("Export CSV", ids.ORG_EXPORT, "export"),
        ),
        _context("Organisers see counts and trends. People's words appear only where they said organisers "
                 "may read them, and never with their names."),
    ]
