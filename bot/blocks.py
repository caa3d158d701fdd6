"""Block Kit messages and views, built by pure functions so they can be checked without Slack."""

from __future__ import annotations

from datetime import datetime

from bot import ids
from scheduler import messages
from scheduler.membership import ORGANISATION_MAX, TEXT_MAX, Change, ProfileForm, StatusView

Message = dict  # {"text": fallback, "blocks": [...]} — what chat.postMessage / respond take


def escape(text: str) -> str:
    """Member-written text shown in mrkdwn: never a mention, link or formatting trick."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_date(at: datetime, fallback_format: str = "%A %-d %B at %H:%M UTC") -> str:
    """A date Slack renders in each reader's own time zone."""
    unix = int(at.timestamp())
    fallback = at.strftime(fallback_format)
    return f"<!date^{unix}^{{date_long_pretty}} at {{time}}|{fallback}>"


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
    return _message("Sorry, something went wrong on our side and nothing was changed. Please try again in a minute.")


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


def home_view(view: StatusView) -> dict:
    """The member's part of App Home: where they stand and one-click changes."""
    header = {"type": "header", "text": _plain("unmentor")}
    if view.member is None:
        text = (
            "One honest hour a round with someone from a *different* organisation, where you both learn "
            "something. Type `/unmentor join` to take part."
        )
        return {"type": "home", "blocks": [header, _section(text)]}
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
    return {
        "type": "home",
        "blocks": [header, *status["blocks"], {"type": "actions", "elements": buttons}],
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
    return "“" + escape(text[:limit]) + "”"


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
    if intro.ended:
        blocks.append(_context(f"Round {intro.round_number} has ended. Thank you for taking part. {_status_line(intro)}"))
    else:
        value = ids.value("group", intro.group_id)
        blocks.append({
            "type": "actions",
            "block_id": "meeting",
            "elements": [
                _button("We've scheduled it", ids.MEETING_SCHEDULED, value, style="primary"),
                _button("We've met", ids.MEETING_MET, value),
                _button("Need to reschedule", ids.MEETING_RESCHEDULE, value),
                _button("Couldn't make it", ids.MEETING_MISSED, value),
            ],
        })
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
    "odd_one_out": "there was an odd number of people this round, and every group of three I could make "
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
        {"type": "actions", "elements": [_button("Skip this round", ids.SKIP_ROUND, "skip")]},
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


def render(content, marker: str | None) -> Message:
    """The Slack message for something the scheduler wants said."""
    builders = {
        messages.Intro: intro_message,
        messages.Nudge: nudge_message,
        messages.FollowUpAsk: follow_up_ask_message,
        messages.Unmatched: unmatched_message,
        messages.Announcement: announcement_message,
    }
    return builders[type(content)](content, marker)
