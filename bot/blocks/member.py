"""What a member sees when they use `/unmentor` or App Home: help, joining, status, pause, skip and leave."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import ids
from bot.blocks.kit import (
    VIEW_BLOCKS_MAX,
    Message,
    button,
    clip,
    context,
    escape,
    fit_blocks,
    mentions,
    message,
    plain,
    section,
    slack_date,
    text_input,
)
from bot.blocks.usually_free import usually_free_blocks
from scheduler import meeting_times
from scheduler.avoid import LIST_MAX as AVOID_LIST_MAX
from scheduler.membership import (
    ORGANISATION_MAX,
    TEXT_MAX,
    Change,
    HeadsUpRound,
    ProfileForm,
    StatusView,
)
from storage.models import MemberStatus

HELP_LINES = [
    ("join [organisation]", "sign up (or update your details); without an organisation I'll ask a few questions"),
    ("status", "what you're signed up for, when the next round is and who your partner is"),
    ("pause", "take a break from matching until you say resume"),
    ("pause until 2027-03-01", "take a break until that day; you're back by yourself that morning"),
    ("resume", "come back after a pause or a skip"),
    ("skip", "sit out the next round only"),
    ("avoid @someone", "never be paired with them. Private: nobody else sees your list, they included"),
    ("unavoid @someone", "take them off that list (`/unmentor avoid` shows it)"),
    ("leave", "stop and delete your details and answers"),
    ("help", "this list"),
]
# Shown only to organisers: the README's first step in Slack is `/unmentor help`, so theirs is there too.
ORGANISER_HELP_LINES = [
    ("stats", "the latest round in counts and shares, and the meeting rate over rounds"),
    ("export", "the round stats as a CSV file, by DM"),
    ("preview", "the groups the next round would make; nothing is stored or sent"),
    ("open", "open the next round now (I'll ask you to confirm)"),
    ("schedule", "how often rounds open, the day, time, time zone and holidays"),
    ("prompts", "replace the conversation prompts"),
    ("domain add example.org Example Ltd", "people with that email domain join that organisation in one step"),
    ("organisers add @someone", "let someone else run the network (`/unmentor organisers` lists them)"),
    ("remove @someone", "take someone out of the network and delete their data (you're asked first)"),
    ("allow @someone", "let someone you removed join again"),
]


def _command_lines(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"• `/unmentor {usage}`: {what}" for usage, what in lines)


def help_message(intro: str | None = None, organiser: bool = False) -> Message:
    lines = _command_lines(HELP_LINES)
    head = intro or (
        "*unmentor* pairs you, once a round, with someone from a different organisation "
        "for one honest hour where you both learn something."
    )
    text = head + " Here's what you can do:\n" + lines
    blocks = [section(head), section(lines)]
    if organiser:
        also = "*As an organiser, you can also:*\n" + _command_lines(ORGANISER_HELP_LINES)
        text += "\n" + also
        blocks.append(section(also))
    return message(
        text,
        *blocks,
        context("Your answers to follow-up questions stay private unless you say organisers may read them."),
    )


def unknown_command_message(word: str) -> Message:
    shown = escape(word[:40])
    return help_message(f"I don't know `{shown}` yet, sorry. No harm done.")


def joined_message(created: bool, organisation: str, next_round_at: datetime, zones: Sequence[str] = ()) -> Message:
    if created:
        # One line, as this reply vanishes a second before the welcome lands: the welcome, which
        # stays in their DM, says everything else (their organisation, the date, how to step out).
        return message("You're in! :wave: I've sent you a welcome in our DM, with what happens next.")
    text = (
        f"Thanks, your details are updated (organisation: *{clip(organisation, 400)}*). "
        f"The next round opens {slack_date(next_round_at, zones)}."
    )
    return message(
        text,
        section(text),
        context("`/unmentor skip`, `/unmentor pause` or `/unmentor leave` any time: no questions asked."),
    )


def input_error_message(problem: str) -> Message:
    return message(f"{problem} Nothing was changed.")


def not_member_message() -> Message:
    return message("You're not signed up at the moment. `/unmentor join` whenever you'd like to take part.")


def change_message(action: str, change: Change) -> Message:
    if change is Change.not_member:
        return not_member_message()
    texts = {
        ("pause", Change.done): "Paused. :pause_button: You won't be matched until you `/unmentor resume`. "
                                "Enjoy the breather.",
        ("pause", Change.already): "You're already paused. `/unmentor resume` whenever you're ready.",
        ("resume", Change.done): "Welcome back! :tada: You'll be in the next round.",
        ("resume", Change.already): "You're already active, and in the next round.",
        ("skip", Change.done): "No problem: you'll sit out the next round and be back for the one after.",
        ("skip", Change.already): "You're already sitting out the next round (or paused). `/unmentor resume` to undo.",
    }
    return message(texts[(action, change)])


def paused_stepping_out_message(partner_ids: tuple[str, ...], carried_on: bool) -> Message:
    """"Pause instead" while matched this round: paused, and out of this round's match, the others told."""
    if carried_on:
        told = (f"{mentions(partner_ids)} carry on as a pair, and I've let them know kindly that you can't "
                "make this round")
    else:
        told = f"I've let {mentions(partner_ids)} know you can't make this round, and they'll be looked after"
    return message(f"Paused. :pause_button: {told}. Your details are kept, and you won't be matched until you "
                   "`/unmentor resume`. Enjoy the breather.")


def paused_while_matched_message(partner_ids: tuple[str, ...]) -> Message:
    """A plain pause stops future matches; this round's match stays until they step out of it."""
    return message(f"Paused. :pause_button: You won't be matched again until you `/unmentor resume`. You're still "
                   f"matched with {mentions(partner_ids)} this round; \"I can't make this round\" on your intro "
                   "lets them know.")


def paused_until_message(until: datetime, zones: Sequence[str] = ()) -> Message:
    return message(f"Paused until {slack_date(until, zones)}, when you'll be back in by yourself, with a short hello "
                    "from me. Back sooner? `/unmentor resume` any time.")


def pause_until_usage_message() -> Message:
    return message("To pause until a day, give the date as year-month-day, like `/unmentor pause until 2027-03-01`. "
                    "Nothing was changed.")


def avoid_list_message(user_ids) -> Message:
    if not user_ids:
        return message("Your \"don't pair me with\" list is empty. `/unmentor avoid @someone` adds someone; "
                        "only you ever see the list.")
    names = ", ".join(f"<@{u}>" for u in user_ids)
    return message(f"You're never paired with: {names}. Only you can see this list. "
                    "`/unmentor unavoid @someone` takes someone off it.")


def avoid_change_message(verb: str, user_id: str, change) -> Message:
    from scheduler.avoid import LIST_MAX, AvoidChange

    if change is AvoidChange.not_member:
        return not_member_message()
    if change is AvoidChange.yourself:
        return message("That's you! Nothing was changed.")
    if change is AvoidChange.full:
        return message(f"Your list already holds {LIST_MAX} people, its limit. `/unmentor unavoid @someone` "
                        "makes room. Nothing was changed.")
    texts = {
        ("avoid", AvoidChange.done): f"Done: you won't be paired with <@{user_id}>. They aren't told, and only you "
                                     "can see your list.",
        ("avoid", AvoidChange.already): f"<@{user_id}> is already on your list, so nothing changed.",
        ("unavoid", AvoidChange.done): f"Done: <@{user_id}> is off your list, so you could be paired again.",
        ("unavoid", AvoidChange.already): f"<@{user_id}> wasn't on your list, so nothing changed.",
    }
    return message(texts[(verb, change)])


def avoid_usage_message() -> Message:
    return message("Use `/unmentor avoid @someone`, `/unmentor unavoid @someone`, or `/unmentor avoid` to see "
                    "your list. Nothing was changed.")


def removed_notice_message(by: str, may_rejoin: bool = True) -> Message:
    """To someone an organiser removed: what went, whom to ask, and (only if allowed) the way back."""
    text = (f"<@{by}>, an organiser, has taken you out of unmentor in this workspace. Your details, follow-up "
            "answers and your \"don't pair me with\" list have been deleted; only anonymous counts stay.")
    if may_rejoin:
        text += (f" If you'd like to take part again, `/unmentor join` any time. Any questions, <@{by}> is the "
                 "one to ask.")
    else:
        text += f" If you'd like to talk about it, <@{by}> is the one to ask."
    return message(text)


STATUS_WORDS = {
    "active": "active: you'll be in the next round",
    "paused": "paused: you won't be matched until you `/unmentor resume`",
    "skipping": "skipping the next round; you'll be back for the one after",
}


def status_message(view: StatusView, zones: Sequence[str] = ()) -> Message:
    if view.member is None:
        return not_member_message()
    member = view.member
    state = STATUS_WORDS.get(member.status, member.status)
    if member.status == MemberStatus.paused and member.paused_until is not None:
        state = f"paused until {slack_date(member.paused_until, zones)}, when you're back by yourself"
    lines = [
        f"*Organisation:* {clip(member.organisation, 400)}",
        f"*Status:* {state}",
        f"*Next round:* opens {slack_date(view.next_round_at, zones)}",
    ]
    if view.partner_user_ids:
        partners = " and ".join(f"<@{user_id}>" for user_id in view.partner_user_ids)
        lines.append(f"*This round (round {view.round_number}):* you're matched with {partners}")
        if view.meeting_at is not None:
            lines.append(f"*Your chat:* scheduled for {slack_date(view.meeting_at, zones)}")
    elif view.round_number is not None:
        lines.append(f"*This round (round {view.round_number}):* your partner has stepped away")
    text = "\n".join(lines)
    return message(text, section(text))


def leave_confirm_message(partner_ids: tuple[str, ...] = ()) -> Message:
    """Asked before anything is deleted. Someone in a match this round hears what becomes of the
    others before they choose, and everyone hears that a pause would keep their details."""
    text = (
        "Leaving deletes your details and everything you've written in follow-ups. "
        "Only anonymous counts stay (that someone took part)."
    )
    if partner_ids:
        text += (f" You're matched with {mentions(partner_ids)} this round: I'll let them know kindly, "
                 "and look after them.")
    text += (" If you'd rather just have a break, pausing keeps your details, and you won't be matched "
             "until you come back. Shall I go ahead and delete your details?")
    return message(
        text,
        section(text),
        {
            "type": "actions",
            "elements": [
                button("Yes, delete my data", ids.LEAVE_CONFIRM, "leave", style="danger"),
                button("Pause instead", ids.LEAVE_PAUSE_INSTEAD, "pause"),
                button("No, keep me in", ids.LEAVE_CANCEL, "stay"),
            ],
        },
    )


def left_message() -> Message:
    return message(
        "Done. Your details and answers are deleted. Thank you for taking part; "
        "you're always welcome back with `/unmentor join`."
    )


def stayed_message() -> Message:
    return message("Great, nothing has changed. Glad you're staying!")


def something_went_wrong_message() -> Message:
    return message("Sorry, something went wrong on my side. Please try again in a minute; "
                    "`/unmentor status` shows where things stand.")


def organisers_only_message() -> Message:
    return message("Sorry, that's something only the network's organisers can do.")


def join_modal(prefill: ProfileForm) -> dict:
    """The short form for joining when we can't tell the organisation."""
    return {
        "type": "modal",
        "callback_id": ids.JOIN_VIEW,
        "title": plain("Join unmentor"),
        "submit": plain("Join"),
        "close": plain("Not now"),
        "blocks": [
            section(
                "You'll be matched with someone (now and then two people) from a *different* organisation "
                "for one honest hour. A few words help the people you're matched with know where to start."
            ),
            text_input("organisation", "Your organisation", prefill.organisation, ORGANISATION_MAX,
                        multiline=False, optional=False, hint="I never pair you with someone from the same one."),
            text_input("role", "What I do", prefill.role, TEXT_MAX, multiline=False, optional=True,
                        placeholder="e.g. I run the volunteer programme"),
            text_input("talk_about", "What I'd like to talk about", prefill.talk_about, TEXT_MAX,
                        multiline=True, optional=True, placeholder="e.g. how other teams plan their year"),
            text_input("could_share", "What I could share", prefill.could_share, TEXT_MAX,
                        multiline=True, optional=True, placeholder="e.g. what we learned running hybrid events"),
            context("The people you're matched with will see what you write here: it goes in your intro."),
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


def home_view(view: StatusView, organiser_blocks: list[dict] | None = None, zones: Sequence[str] = ()) -> dict:
    """App Home: the member's status and one-click changes; below, for organisers, stats and controls."""
    header = {"type": "header", "text": plain("unmentor")}
    if view.member is None:
        text = (
            "One honest hour a round with someone from a *different* organisation, where you both learn "
            "something. Type `/unmentor join` to take part."
        )
        return {"type": "home",
                "blocks": fit_blocks([header, section(text), *(organiser_blocks or [])], VIEW_BLOCKS_MAX)}
    buttons = [button("Edit my details", ids.EDIT_PROFILE, "profile")]
    if view.member.status == MemberStatus.active:
        buttons += [button("Skip the next round", ids.SKIP, "skip"), button("Pause", ids.PAUSE, "pause")]
    else:
        buttons.append(button("Resume", ids.RESUME, "resume", style="primary"))
    leave = button("Leave and delete my data", ids.LEAVE, "leave", style="danger")
    leave["confirm"] = {
        "title": plain("Leave unmentor?"),
        # A confirm dialog's text holds 300 characters.
        "text": plain("This deletes your details and answers; only anonymous counts stay. "
                      + ("Whoever you're matched with this round is told kindly and looked after. "
                         if view.partner_user_ids else "")
                      + "To keep your details, pause instead.", 300),
        "confirm": plain("Yes, delete my data"),
        "deny": plain("Keep me in"),
        "style": "danger",
    }
    buttons.append(leave)
    status = status_message(view, zones=zones)
    if view.member.status == MemberStatus.active:
        buttons.insert(3, {"type": "datepicker", "action_id": ids.PAUSE_UNTIL, "placeholder": plain("Pause until…")})
    past = []
    if view.past_partners:
        lines = "\n".join(f"• Round {number}: " + " and ".join(f"<@{u}>" for u in users)
                           for number, users in view.past_partners)
        past = [section("*Past partners*\n" + lines)]
    return {
        "type": "home",
        "blocks": fit_blocks([header, *status["blocks"], {"type": "actions", "elements": buttons},
                              *usually_free_blocks(meeting_times.usually_free(view.member.timezone,
                                                                              view.member.usually_free),
                                                   said=view.member.usually_free is not None), *past,
                              *avoid_blocks(view.avoided), *(organiser_blocks or [])], VIEW_BLOCKS_MAX),
    }


def avoid_blocks(avoided) -> list[dict]:
    """App Home's "don't pair me with" list: one people picker, so adding and removing are one control."""
    picker = {"type": "multi_users_select", "action_id": ids.AVOID_LIST, "placeholder": plain("Choose people"),
              "max_selected_items": AVOID_LIST_MAX}
    if avoided:
        picker["initial_users"] = list(avoided)
    return [
        section("*Don't pair me with*\nOnly you can see this list; nobody on it is ever told. "
                 "You're never matched with anyone here, whoever's round it is."),
        {"type": "actions", "elements": [picker]},
    ]


def skip_round_reply(change: Change, stands: HeadsUpRound) -> Message:
    if stands is HeadsUpRound.closed:
        # An old heads-up clicked after its round closed: true about that round, and nothing else changed.
        return message(
            "That round has ended, so there's nothing to skip and nothing was changed. If you'd like to sit "
            "out the next one, `/unmentor skip` does it."
        )
    if stands is HeadsUpRound.running:
        return message(
            "That round has already started, so you're matched. If it doesn't suit, the buttons on your intro "
            "let you say so, no explanations needed."
        )
    if change is Change.done:
        return message("Done: you'll sit out the next round and be back for the one after. Enjoy the breather.")
    return change_message("skip", change)


def kept_in_reply(next_round_at, zones: Sequence[str] = ()) -> Message:
    return message("Lovely, you're in. Your next match comes when the next round opens "
                   f"{slack_date(next_round_at, zones)}.")


def paused_for_now_reply() -> Message:
    return message("Done: your matches are paused, and nothing more will land on you. "
                    "Type `/unmentor resume` whenever you'd like to come back.")
