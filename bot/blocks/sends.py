"""Everything the outbox sends: the intro, heads-up, unmatched note, nudge, reminder, follow-up ask,
reschedule notices and the quiet notes when a match moves on.

Past 400 lines on purpose: one short builder per kind of send (scheduler/sends/ names each one),
sharing the intro's pieces; split further, a send's words would sit apart from its siblings'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot import ids
from bot.blocks.calendar import calendar_links_message
from bot.blocks.kit import (
    Message,
    actions,
    button,
    clip,
    context,
    fit_mrkdwn,
    mentions,
    message,
    plain,
    quote_lines,
    section,
    slack_date,
    with_marker,
)
from bot.blocks.suggestions import suggested_times_blocks
from scheduler.quiet_rounds import QUIET_ROUNDS_BEFORE_PAUSE
from scheduler.schedule import Cadence
from scheduler.sends.announce import Announcement
from scheduler.sends.base import Content
from scheduler.sends.calendar_links import CalendarLinks
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.intro import Intro, IntroWhy
from scheduler.sends.intro_moved import GroupMoved
from scheduler.sends.left_for_round import LeftForRound
from scheduler.sends.nudge import Nudge
from scheduler.sends.nudge_settled import NudgeSettled
from scheduler.sends.partner_left import GroupEnded, PartnerLeft
from scheduler.sends.partner_moved_on import PartnerMovedOn
from scheduler.sends.partner_stepped_out import PartnerSteppedOut
from scheduler.sends.paused_quietly import PausedQuietly
from scheduler.sends.quiet_nudge import QuietNudge
from scheduler.sends.reminder import Reminder
from scheduler.sends.reschedule_accepted import RescheduleAccepted
from scheduler.sends.reschedule_notice import RescheduleNotice
from scheduler.sends.reschedule_settled import RescheduleSettled
from scheduler.sends.stay_in_touch import StayInTouch
from scheduler.sends.still_in import StillIn
from scheduler.sends.unmatched import Unmatched, UnmatchedReason
from scheduler.sends.wait_over import WaitOver
from scheduler.sends.waiting_check import WaitingCheck
from scheduler.sends.waiting_check_settled import WaitingCheckSettled
from scheduler.sends.welcome import Welcome
from scheduler.sends.welcome_back import WelcomeBack
from storage.models import GroupStatus

# Each piece of member text gets a share of a section's 3,000 characters, counted after
# escaping, so the worst anyone can type ("&" × 300 is 1,500 once escaped) still fits with
# everyone's part shown. Ordinary text is far inside these and is never cut.
ORGANISATION_SHOWN = 200
ROLE_SHOWN = 700
PROMPT_SHOWN = 850
# Each wish and offer is quoted once, in the why: three people's two answers fit one section
# (300 characters typed, as quoted lines once escaped).
WHY_SHOWN = 400

# Plain words first: a screen reader reads an emoji's name aloud, so none leads a status line.
STATUS_LINES = {
    GroupStatus.new: "Not scheduled yet. Any time before the round ends is fine.",
    GroupStatus.scheduled: "Scheduled",
    GroupStatus.met: "You've met. Lovely!",
    GroupStatus.rescheduling: "Finding a new time",
    GroupStatus.missed: "Didn't happen this time, and that's fine",
    GroupStatus.no_reply: "Didn't happen this round",
    GroupStatus.ended: "This match has ended",
}


# How a round's span is said, so weekly networks read "this week", not "this month".
ROUND_SPAN = {Cadence.weekly: ("this week", "that week"), Cadence.fortnightly: ("this fortnight", "that fortnight"),
              Cadence.monthly: ("this month", "that month")}


def _span_words(cadence: str) -> tuple[str, str]:
    known = cadence in {c.value for c in Cadence}
    return ROUND_SPAN[Cadence(cadence)] if known else ("this round", "that round")


def why_lines(people) -> list[str]:
    """Why this hour is worth it, both ways: each person's wish beside what another could share.

    Everyone in the group appears (a trio names all three); with nothing said by anyone, the
    organisations themselves are the reason. What each wrote is quoted, every line of it,
    under their name: a paragraph of theirs can't read as the bot's, or as someone else's.
    """
    lines, named = [], set()
    for i, asker in enumerate(people):
        if not asker.talk_about:
            continue
        # The next person round the group who offered something: a trio's wishes go a→b→c→a.
        others = [people[(i + k) % len(people)] for k in range(1, len(people))]
        sharer = next((p for p in others if p.could_share), None)
        line = f"<@{asker.user_id}> would like to talk about:\n{quote_lines(asker.talk_about, WHY_SHOWN)}"
        if sharer is not None:
            line += f"\nand <@{sharer.user_id}> could share:\n{quote_lines(sharer.could_share, WHY_SHOWN)}"
            named.add(sharer.user_id)
        lines.append(line)
        named.add(asker.user_id)
    if not lines:
        orgs = _listed([f"*{clip(p.organisation, ORGANISATION_SHOWN)}*" for p in people])
        return [f"{orgs} do things differently. An hour with someone outside your own organisation is the "
                "quickest way to see your own work afresh, and to help someone else do the same."]
    for person in people:
        if person.user_id in named:
            continue
        if person.could_share:
            lines.append(f"<@{person.user_id}> could share:\n{quote_lines(person.could_share, WHY_SHOWN)}")
        else:
            lines.append(f"<@{person.user_id}> brings how things are done at "
                         f"*{clip(person.organisation, ORGANISATION_SHOWN)}*.")
    return lines


def why_line(people) -> str:
    return "\n".join(why_lines(people))


def _people_block(people) -> dict:
    """Who is who, a line each: what they'd like to talk about and could share is said once, in the why."""
    return section("\n".join(f"<@{person.user_id}> · *{clip(person.organisation, ORGANISATION_SHOWN)}*"
                              + (f" · {clip(person.role, ROLE_SHOWN)}" if person.role else "")
                              for person in people))


def _status_line(intro, zones: Sequence[str] = ()) -> str:
    line = STATUS_LINES.get(intro.status, intro.status)
    if intro.status == GroupStatus.scheduled and intro.meeting_at:
        line += f" for {slack_date(intro.meeting_at, zones)}"
    return line


def _listed(items: list[str]) -> str:
    """"X", "X and Y", "X, Y and Z": as a person would list them."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def _names(people) -> str:
    # One person alone reads as just their name: never "Hello  and <@x>!", whoever has gone.
    return _listed([f"<@{p.user_id}>" for p in people])


def _ways_to_meet(people) -> str:
    """Coffee only where it could happen: a group in one time zone may be near each other; one across
    zones is told about calls alone, rather than offered what it can't have."""
    zones = {p.timezone for p in people}
    if len(zones) == 1 and None not in zones:
        return "A call or, if you're near each other, a coffee: either works."
    return "A phone or video call works well."


def how_it_works(people) -> str:
    either = "either of you" if len(people) == 2 else "any of you"
    return (f"{_ways_to_meet(people)} What you say stays between you. Plans change: the buttons "
            f"below let {either} move the chat or step out of this round, no reason needed.")


def first_move_line(intro) -> str | None:
    if not intro.first_mover:
        return None
    return (f"*Who starts:* <@{intro.first_mover}>, it's your turn to suggest a time here. "
            "Everyone takes turns, so next time it may be someone else.")


STEP_OUT_LABEL = "I can't make this round"


def step_out_button(group_id: int) -> dict:
    """One click to step out of this round's match, no reason asked: wherever plans might change."""
    return button(STEP_OUT_LABEL, ids.MEETING_STEP_OUT, ids.value("group", group_id))


def intro_buttons(intro) -> dict:
    value = ids.value("group", intro.group_id)
    # Each label makes sense read alone, as a screen reader lists them. Nothing here says anything
    # about anyone: everyone in the conversation sees these, so "hasn't replied" is asked in private.
    buttons = [
        button("We've scheduled it", ids.MEETING_SCHEDULED, value, style="primary"),
        button("We've met", ids.MEETING_MET, value),
        button("I need to reschedule", ids.MEETING_RESCHEDULE, value),
        button("Our chat didn't happen", ids.MEETING_MISSED, value),
        step_out_button(intro.group_id),
    ]
    return {"type": "actions", "block_id": "meeting", "elements": buttons}


# Why an intro comes part-way through a round (scheduler.sends.intro.IntroWhy), in one line.
INTRO_WHY = {
    "carrying_on": "You carry on as a pair this round, in a conversation of your own; everything else is as it was.",
}


# A group made part-way through the round, to everyone in it. The intro is shared, so it tells
# nobody's history (whose first group ended, who had been told there was none) to a stranger.
FRESH_GROUP_LINE = ("This match comes part-way through the round, so there's a little less time; "
                    "that's nothing anyone did.")


def intro_message(intro, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    hello = (
        f"Hello {_names(intro.people)}! You're matched for round {intro.round_number} of unmentor: "
        f"one honest hour {_span_words(intro.cadence)[0]}, any time before {slack_date(intro.closes_at, zones)}."
    )
    prompts = "\n".join(f"{i}. {clip(p.text, PROMPT_SHOWN)}  _({clip(p.theme_title, 60)})_"
                        for i, p in enumerate(intro.prompts, 1))
    if intro.why == IntroWhy.fresh_group and not intro.ended:
        hello += " " + FRESH_GROUP_LINE
    elif intro.why in INTRO_WHY and not intro.ended:
        hello += " " + INTRO_WHY[intro.why]
    blocks = [
        {"type": "header", "text": plain(f"Your unmentor match, round {intro.round_number}")},
        section(hello),
        _people_block(intro.people),
        section("*Why this hour is worth it*\n" + "\n".join(why_lines(intro.people))),
    ]
    starts = first_move_line(intro)
    if starts and _time_still_to_find(intro):
        blocks.append(section(starts))
    blocks.extend(suggested_times_blocks(intro, zones=zones))  # bot/blocks/suggestions.py
    if prompts:
        blocks.append(section(f"*A few ways in*\n{prompts}"))
    blocks.extend(_intro_footer(intro, zones=zones))
    who = ", ".join(f"<@{p.user_id}> ({clip(p.organisation, ORGANISATION_SHOWN)})" for p in intro.people)
    # The fallback (notifications, screen readers) says where the match stands, as the blocks do.
    if intro.ended and intro.status == GroupStatus.ended:
        text = f"Your round {intro.round_number} unmentor match has ended: {who}"
    elif intro.ended:
        text = f"Round {intro.round_number} of unmentor has ended: {who}"
    else:
        text = f"You're matched for round {intro.round_number} of unmentor: {who}"
    return with_marker({"text": text, "blocks": blocks}, marker)


def _both_or_all(size: int) -> str:
    """Words for the whole group, from its size: "both" for two, "all" for three."""
    return "both" if size <= 2 else "all"


def _everyone(people) -> str:
    """The right count for a thank-you: "both" for two, "all three" for three."""
    return {1: "", 2: "both", 3: "all three"}.get(len(people), "all").strip() or "for taking part"


def _time_still_to_find(intro) -> bool:
    """Whether "who starts" still helps: not once a time is set, the hour has happened or the match is over."""
    return not intro.ended and intro.status not in (GroupStatus.scheduled, GroupStatus.met)


def _intro_footer(intro, zones: Sequence[str] = ()) -> list[dict]:
    """Where the match stands: how it works and the buttons while it's open, a thank-you once it has ended."""
    if intro.ended and intro.status == GroupStatus.ended:
        return [context(f"This match has moved on. Thank you {_everyone(intro.people)}, and see you next round.")]
    if intro.status == GroupStatus.met and not intro.ended:
        # Nothing left to move or miss: buttons that could only say "already met" are taken away.
        return [context(f"{_status_line(intro, zones=zones)} Thank you {_everyone(intro.people)}. Near the end of "
                        "the round I'll ask, briefly, what you took away.")]
    if intro.ended:
        return [context(f"Round {intro.round_number} has ended. Thank you for taking part. "
                         f"{_status_line(intro, zones=zones)}")]
    return [context(how_it_works(intro.people)), intro_buttons(intro), context(_status_line(intro, zones=zones))]


def intro_safe_message(intro, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The intro Slack can't refuse, for when it refused the full one: who, from where, and the buttons.

    Only names and organisations, each clipped, so no member text can push it past a limit.
    """
    people = "\n".join(f"• <@{p.user_id}> · *{clip(p.organisation, ORGANISATION_SHOWN)}*" for p in intro.people)
    text = (f"You're matched for round {intro.round_number} of unmentor: one honest hour, any time before "
            f"{slack_date(intro.closes_at, zones)}.\n{people}")
    starts = first_move_line(intro)
    extra = [section(starts)] if starts and _time_still_to_find(intro) else []
    # The suggested times carry no member text, so they stay: one click still schedules the chat.
    return with_marker({"text": text, "blocks": [section(text), *extra, *suggested_times_blocks(intro, zones=zones),
                                                  *_intro_footer(intro, zones=zones)]}, marker)


def nudge_message(nudge, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (
        "A gentle nudge :seedling: Have you found an hour yet? Even 30 minutes before "
        f"{slack_date(nudge.closes_at, zones)} is worth it. If this round doesn't suit you after all, the button "
        "below lets you step out, no explanations needed."
    )
    return with_marker(message(text, section(text), actions(step_out_button(nudge.group_id))), marker)


def nudge_settled_message(settled, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The nudge in a trio's old conversation once two of them carry on as a pair: no button, nobody named."""
    text = (f"A gentle nudge about round {settled.round_number} was here. This match has changed since, as the "
            "message above says, so there's nothing more to do in this conversation.")
    return with_marker(message(text, section(text)), marker)


def follow_up_ask_message(ask, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    partners = " and ".join(f"<@{user_id}>" for user_id in ask.partner_ids) or "your partner"
    # "you, <@a> and <@b>" for three: "you and <@a> and <@b>" reads as a list gone wrong.
    together = (f"you, <@{ask.partner_ids[0]}> and <@{ask.partner_ids[1]}>" if len(ask.partner_ids) == 2
                else f"you and {partners}")
    value = ids.value("group", ask.group_id)
    if not ask.met:
        # Nobody said they met: asking what they took away would presume, or sting. A lighter question,
        # and nothing to do if the answer is no.
        text = (f"Round {ask.round_number} is nearly over. Did {together} get to talk? If you did, "
                "I'd love to hear what you took away. If not, that's fine: there's nothing to do, and you'll "
                "be matched again next round.")
        return with_marker(message(text, section(text), actions(
            button("We talked: share what I learned", ids.FOLLOW_UP_OPEN, value),
        )), marker)
    text = (
        f"Round {ask.round_number} is nearly over. What did you take away from your chat with {partners}? "
        "Two minutes, all optional. Your words stay private unless you say organisers may read them, "
        "and even then without your name."
    )
    return with_marker(message(
        text,
        section(text),
        actions(button("Share what I learned", ids.FOLLOW_UP_OPEN, value, style="primary")),
    ), marker)


UNMATCHED_REASONS = {
    UnmatchedReason.odd_number:
        "there was an odd number of people this round, and this network pairs people two by two",
    UnmatchedReason.no_trio_possible:
        "there was an odd number of people this round, and every group of three I could make "
        "would have put two people from the same organisation together or repeated a pair",
    UnmatchedReason.no_partner_possible:
        "everyone you could be paired with is from your organisation or someone you've already met",
    UnmatchedReason.partner_unreachable:
        "your partner can't be reached on Slack any more, and nobody else was free to step in this round",
    UnmatchedReason.intro_failed:
        "something went wrong on my side when I tried to introduce you to the people you were matched with",
    # Matched ahead of the opening, and the other person's plans changed before it: no blame either way.
    UnmatchedReason.partner_withdrew:
        "the person you were going to meet can't make this round after all, and nobody else was free to step in",
    # Joined or back just after this round's pairs were made, ahead of its opening.
    UnmatchedReason.round_already_matched:
        "this round's pairs were made just before you joined or came back, and nobody was still free to meet you",
}


def _unmatched_words(reason: str) -> str:
    known = reason in {r.value for r in UnmatchedReason}
    return UNMATCHED_REASONS[UnmatchedReason(reason)] if known else "the numbers did not work out"


def unmatched_message(unmatched, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (
        f"No match for you in round {unmatched.round_number}, I'm sorry: "
        f"{_unmatched_words(unmatched.reason)}. "
        "That's nothing you did. You'll go first when the next round opens "
        f"{slack_date(unmatched.next_round_at, zones)}."
    )
    return with_marker(message(text, section(text)), marker)


def announcement_message(announcement, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (
        f"Heads-up: the next unmentor round opens {slack_date(announcement.opens_at, zones)}. You'll be matched "
        f"with someone from a different organisation for one honest hour. "
        f"Can't make it {_span_words(announcement.cadence)[1]}? Skip this round with one click, no questions asked."
    )
    return with_marker(message(
        text,
        section(text),
        {"type": "actions", "elements": [button("Skip this round", ids.SKIP_ROUND, f"period:{announcement.period}")]},
        context("Want a longer break? `/unmentor pause` any time."),
    ), marker)


def reminder_message(reminder, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (f"A friendly reminder: your unmentor chat with {mentions(reminder.partner_ids)} is on "
            f"{slack_date(reminder.meeting_at, zones)}. Plans changed? The buttons on your intro make it easy to "
            "say so.")
    return with_marker(message(text, section(text)), marker)


def reschedule_notice_message(notice, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    # Neutral and warm: say what's asked, pass on their words, and leave feelings to the reader.
    # An answer to the reader's own request reads as one, not as a second request to move.
    asked = "suggests another time" if notice.counter else "needs to move your chat"
    lines = [f"<@{notice.asker_id}> {asked}."]
    if notice.suggested_at:
        lines[0] += f" Their suggestion: {slack_date(notice.suggested_at, zones)}."
    if notice.note.strip():
        lines.append("Their note:\n" + quote_lines(notice.note))
    if notice.offer_let_go:
        lines.append(f"Finding a time has been tricky this round. If you'd {_both_or_all(notice.group_size)} "
                     "rather let it go until next round, that's fine too.")
    text = "\n".join(lines)
    value = ids.value("group", notice.group_id)
    if notice.suggested_at:
        buttons = [button("That time works for me", ids.RESCHEDULE_ACCEPT, value, style="primary"),
                   button("Suggest another time", ids.RESCHEDULE_COUNTER, value)]
    else:
        # The reply goes to their shared conversation, not to this DM with the bot.
        buttons = [button("Suggest a new time", ids.RESCHEDULE_COUNTER, value, style="primary"),
                   button("We'll agree a time in our chat", ids.RESCHEDULE_ACCEPT, value)]
    if notice.offer_let_go:
        buttons.append(button(LET_GO_LABEL, ids.RESCHEDULE_LET_GO, value))
    buttons.append(step_out_button(notice.group_id))
    return with_marker(message(text, section(text), actions(*buttons)), marker)


LET_GO_LABEL = "Let's leave it this round"


def reschedule_settled_message(settled, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """A notice no longer live: the buttons go, and it points to the newer one, says who said yes, or says
    that someone stepped out of this round, so there's nothing to answer."""
    if settled.reader_stepped_out:
        # No word of next round: someone who chose "Pause instead" won't be matched then, and their own
        # reply to stepping out has already said what comes next.
        text = (f"<@{settled.asker_id}> asked to move your chat. Since then you've stepped out of this round, so "
                "there's nothing you need to do here.")
        return with_marker(message(text, section(text)), marker)
    if settled.reader_moved_on:
        # They never stepped out themselves: say what changed, as their own note of it does, and blame nobody.
        text = (f"<@{settled.asker_id}> asked to move your chat. Since then the match has changed: the others are "
                "carrying on as a pair this round, so there's nothing you need to do here. You'll be matched again "
                "next round.")
        return with_marker(message(text, section(text)), marker)
    if settled.stepped_out_id is not None:
        who = "then" if settled.stepped_out_id == settled.asker_id else f"and <@{settled.stepped_out_id}>"
        text = (f"<@{settled.asker_id}> asked to move your chat, {who} found they can't make this round after "
                "all, so there's nothing to answer here.")
        if settled.carrying_on_with:
            text += f" You and {mentions(settled.carrying_on_with)} can carry on and find a time together."
        return with_marker(message(text, section(text)), marker)
    if settled.accepted_by is None:
        text = f"Earlier, <@{settled.asker_id}> asked to move your chat. There's a newer message about it below."
        return with_marker(message(text, context(text)), marker)
    text = f"<@{settled.asker_id}> asked to move your chat, and <@{settled.accepted_by}> said yes"
    if settled.meeting_at is not None:
        text += (f": it's now {slack_date(settled.meeting_at, zones)}. If that doesn't suit you, "
                 "\"I need to reschedule\" on your intro can still move it.")
    else:
        text += ", so you'll find a new time together in your shared conversation."
    return with_marker(message(text, section(text)), marker)


def left_for_round_message(left, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    why = "after a few tries at finding a time" if left.after_reschedules else "after it didn't happen"
    text = (f"<@{left.by_id}> has said to leave your unmentor chat for round {left.round_number}, {why}. "
            "That's fine, and nothing anyone did: there's nothing for you to do, and you'll be matched again "
            "next round.")
    return with_marker(message(text, section(text)), marker)


def reschedule_accepted_message(accepted, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    if accepted.meeting_at:
        text = f"<@{accepted.partner_id}> said yes: your chat is now {slack_date(accepted.meeting_at, zones)}."
    else:
        text = f"<@{accepted.partner_id}> has seen your message, and you'll agree a new time in your conversation."
    return with_marker(message(text, section(text)), marker)


def _ways_back(*, keep_label: str) -> dict:
    """One click either way: stay in for the next round, or pause for now."""
    return actions(button(keep_label, ids.KEEP_ME_IN, "keep", style="primary"),
                    button("Pause for now", ids.PAUSE_FOR_NOW, "pause"))


def partner_moved_on_message(moved, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    who = mentions(moved.partner_ids) if moved.partner_ids else "your partner"
    if moved.carried_on:
        # Their own screen shows the other two going on: say exactly that, and what it means for them.
        opening = (f"{who} are carrying on as a pair for round {moved.round_number}, in a conversation of "
                   "their own, so I've taken this match off your plate.")
    else:
        opening = (f"Your unmentor match with {who} for round {moved.round_number} has closed early, as you "
                   "couldn't find each other this time.")
    text = (f"{opening} That happens, and there's nothing for you to do. The next round opens "
            f"{slack_date(moved.next_round_at, zones)} and you'll be matched again then, unless a pause would suit "
            "you better.")
    return with_marker(message(text, section(text), _ways_back(keep_label="Match me next round")), marker)


def group_moved_message(moved, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The old intro of a trio that goes on as a pair: everyone still named, nobody blamed."""
    text = (f"This match has changed: {mentions(moved.staying)} carry on as a pair, with their intro in a new "
            "conversation.")
    if moved.out:
        text += f" {mentions(moved.out)}, you'll be matched again next round."
    text += " That's nothing anyone here did. Thank you all."
    return with_marker(message(
        text,
        {"type": "header", "text": plain(f"Your unmentor match, round {moved.round_number}")},
        section(text),
    ), marker)


def partner_stepped_out_message(stepped, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (f"<@{stepped.partner_id}> can't make round {stepped.round_number} after all, so your match has "
            "ended. That's nothing you did: plans change.")
    if not stepped.can_rematch:
        text += (f" The round is nearly over, so you'll go first when the next round opens "
                 f"{slack_date(stepped.next_round_at, zones)}.")
        return with_marker(message(text, section(text)), marker)
    text += (" Would you like a fresh match this round? Or, if you'd rather wait, you'll go first when the "
             f"next round opens {slack_date(stepped.next_round_at, zones)}.")
    return with_marker(message(text, section(text), _fresh_or_wait(ids.PARTNER_LEFT_REMATCH,
                                                                        ids.PARTNER_LEFT_WAIT,
                                                                        stepped.group_id)), marker)


def _fresh_or_wait(fresh_id: str, wait_id: str, group_id: int, *, fresh: bool = True) -> dict:
    """The one choice, named the same wherever it's offered: a fresh match now, or first place next round."""
    value = ids.value("group", group_id)
    buttons = [button("Find me someone new", fresh_id, value, style="primary")] if fresh else []
    buttons.append(button("Next round is fine", wait_id, value))
    return actions(*buttons)


def waiting_check_message(check, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """A week or more in with no time set, to each person privately: nothing here is seen by the others."""
    who = mentions(check.partner_ids)
    # The days as they are when it goes: "a week" only when it is one.
    since = "a week" if check.days == 7 else f"{check.days} days"
    text = (f"It's been {since} since your unmentor intro to {who}, and no time is set yet. Only you can see "
            "this. If you're waiting to hear back, I can send a friendly nudge for you. If this round doesn't "
            "suit you after all, that's fine too: one click, no reason needed.")
    value = ids.value("group", check.group_id)
    return with_marker(message(text, section(text), actions(
        button("I'm waiting to hear back", ids.PARTNER_NO_REPLY, value),
        button("We've scheduled it", ids.MEETING_SCHEDULED, value),
        step_out_button(check.group_id),
    )), marker)


def waiting_check_settled_message(settled, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The waiting check once a time is agreed, or the match has moved on another way: what it asked no
    longer applies, so its buttons go."""
    if settled.moved_on:
        text = ("Your unmentor match has moved on since I sent this, so there's nothing you need to do here. "
                "Anything new for you comes in its own message.")
        return with_marker(message(text, section(text)), marker)
    text = (f"Your unmentor chat with {mentions(settled.partner_ids)} has a time set now, so there's nothing "
            "you need to do here. Enjoy it!")
    return with_marker(message(text, section(text)), marker)


def wait_over_message(over, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The time given to a quiet partner is up: offer only what can still happen."""
    text = f"I haven't seen an answer from {mentions(over.quiet_ids)} yet, and the few days we said we'd wait are up."
    if over.others_ids:
        text += (f" Shall I let you and {mentions(over.others_ids)} carry on as a pair? I'll tell "
                 f"{mentions(over.quiet_ids)} kindly, and they'll be matched again next round.")
        return with_marker(message(text, section(text), actions(
            button("Carry on as a pair", ids.PARTNER_NO_REPLY, ids.value("group", over.group_id),
                    style="primary"))), marker)
    if over.can_rematch:
        text += (" Would you like a fresh match this round, or to wait and go first when the next round opens "
                 f"{slack_date(over.next_round_at, zones)}?")
    else:
        text += (" The round is nearly over, so a fresh match won't fit now: shall I close this one and put you "
                 f"first when the next round opens {slack_date(over.next_round_at, zones)}?")
    return with_marker(message(text, section(text), _fresh_or_wait(
        ids.NO_REPLY_REMATCH, ids.NO_REPLY_SIT_OUT, over.group_id, fresh=over.can_rematch)), marker)


def quiet_nudge_message(nudge, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (f"{mentions(nudge.waiting_ids)} would love to find a time for your unmentor chat. A quick hello in "
            "your conversation is all it takes. If this round doesn't suit, that's fine too: one click below "
            "says so, no reason needed.")
    value = ids.value("group", nudge.group_id)
    return with_marker(message(text, section(text), actions(
        button("We've scheduled it", ids.MEETING_SCHEDULED, value, style="primary"),
        button("I need to reschedule", ids.MEETING_RESCHEDULE, value),
        step_out_button(nudge.group_id),
    )), marker)


def still_in_message(ask, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    rounds = NUMBER_WORDS.get(QUIET_ROUNDS_BEFORE_PAUSE, str(QUIET_ROUNDS_BEFORE_PAUSE))
    # Say what was seen: people often meet and chat without pressing anything.
    text = (f"I haven't seen any of the buttons used on your last {rounds} unmentor matches. You may well have "
            "met and simply not said, which is completely fine. Would you like to stay in, or pause for now? "
            "If I don't hear by "
            f"{slack_date(ask.pause_at, zones)}, I'll pause your matches so nothing lands on you, and "
            "`/unmentor resume` brings you back any time.")
    return with_marker(message(text, section(text), _ways_back(keep_label="Keep me in")), marker)


def stay_in_touch_message(stay, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    if len(stay.partner_ids) == 2:
        together = f"you, <@{stay.partner_ids[0]}> and <@{stay.partner_ids[1]}> all three"
    else:
        together = f"you and {mentions(stay.partner_ids)} both"
    text = (f"Good news: {together} said you'd like to stay in touch. "
            "Why not put another chat in the diary?")
    return with_marker(message(text, section(text)), marker)


NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def paused_quietly_message(_paused, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = ("I didn't hear back, so I've paused your unmentor matches for now and nothing more will land on you. "
            "Whenever you'd like to come back, one click does it (or type `/unmentor resume`).")
    # The keep-me-in action undoes a pause for silence, so this button needs no listener of its own.
    return with_marker(message(text, section(text), actions(
        button("Resume my matches", ids.KEEP_ME_IN, "keep", style="primary"))), marker)


def welcome_message(welcome, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """What to expect, kept in their DM: both learn, it stays between them, stepping out is fine."""
    hello = (f"Welcome to unmentor! :wave: You're in, as part of *{clip(welcome.organisation, 400)}*. "
             f"The next round opens {slack_date(welcome.next_round_at, zones)}, and a few days before each "
             "round I'll remind you, in case you'd rather skip it.")
    expect = "\n".join([
        "*What to expect*",
        "• When a round opens, I'll introduce you to someone from another organisation (now and then, two "
        f"people) for one honest hour {_span_words(welcome.cadence)[0]}.",
        "• Nobody is the mentor: you each bring a question or two and something you know, and everyone learns.",
        "• What you say stays between you. Organisers see counts, and only the words you choose to share "
        "with them, never with your name.",
        "• Stepping out is always fine: \"I can't make this round\" on any intro, or `/unmentor skip`, "
        "`/unmentor pause` or `/unmentor leave`. No reason needed.",
    ])
    return with_marker(message(f"{hello} Here's what to expect.", section(hello), section(expect)), marker)


def welcome_back_message(back, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (f"Welcome back! Your pause is over, so you're in the next unmentor round, which opens "
            f"{slack_date(back.next_round_at, zones)}. Not ready yet? `/unmentor pause` any time.")
    return with_marker(message(text, section(text)), marker)


def group_ended_message(ended, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    """The old intro, once someone in it has left: only those still here are named."""
    text = "This match has ended because someone in it has left unmentor. That's nothing anyone here did."
    if len(ended.staying) >= 2:
        text += f" {mentions(ended.staying)}, you carry on as a pair: your intro is in a new conversation."
    elif ended.staying:
        text += f" <@{ended.staying[0]}>, I've sent you a note about what happens next."
    return with_marker(message(
        text,
        {"type": "header", "text": plain(f"Your unmentor match, round {ended.round_number}")},
        section(text),
    ), marker)


def partner_left_message(left, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    text = (f"Your partner has left unmentor, so your match for round {left.round_number} has ended. "
            "That's nothing you did: people step away for all sorts of reasons.")
    if not left.can_rematch:
        text += (f" The round is nearly over, so you'll go first when the next round opens "
                 f"{slack_date(left.next_round_at, zones)}. Need a break instead? `/unmentor pause` any time.")
        return with_marker(message(text, section(text)), marker)
    text += (" Would you like a fresh match this round? Or, if you'd rather wait, you'll go first when the "
             f"next round opens {slack_date(left.next_round_at, zones)}.")
    return with_marker(message(text, section(text), _fresh_or_wait(ids.PARTNER_LEFT_REMATCH,
                                                                        ids.PARTNER_LEFT_WAIT, left.group_id)),
                        marker)


# Each message a kind of send plans (scheduler/sends/) and the builder that renders it.
BUILDERS: dict[type[Content], Callable[[Any, str | None], Message]] = {
    Announcement: announcement_message,
    CalendarLinks: calendar_links_message,
    FollowUpAsk: follow_up_ask_message,
    Intro: intro_message,
    LeftForRound: left_for_round_message,
    GroupEnded: group_ended_message,
    GroupMoved: group_moved_message,
    Nudge: nudge_message,
    NudgeSettled: nudge_settled_message,
    PartnerLeft: partner_left_message,
    PartnerMovedOn: partner_moved_on_message,
    PartnerSteppedOut: partner_stepped_out_message,
    PausedQuietly: paused_quietly_message,
    QuietNudge: quiet_nudge_message,
    Reminder: reminder_message,
    RescheduleAccepted: reschedule_accepted_message,
    RescheduleNotice: reschedule_notice_message,
    RescheduleSettled: reschedule_settled_message,
    StayInTouch: stay_in_touch_message,
    StillIn: still_in_message,
    Unmatched: unmatched_message,
    WaitOver: wait_over_message,
    WaitingCheck: waiting_check_message,
    WaitingCheckSettled: waiting_check_settled_message,
    WelcomeBack: welcome_back_message,
    Welcome: welcome_message,
}
# Minimal forms for a message Slack refused as invalid; a message without one has its text and buttons sent.
SAFE_BUILDERS: dict[type[Content], Callable[[Any, str | None], Message]] = {
    # The names, organisations and buttons still go.
    Intro: intro_safe_message,
}


def render(content: Content, marker: str | None, zones: Sequence[str] = ()) -> Message:
    """The Slack message for something the scheduler wants said, by its builder in BUILDERS, its dates'
    fallback text in its readers' `zones`."""
    return BUILDERS[type(content)](content, marker, zones=zones)


# Well inside a section's 3,000 characters, whatever a builder put in its text.
SAFE_TEXT_MAX = 2900


def render_safe(content, marker: str | None, zones: Sequence[str] = ()) -> Message:
    """A form Slack can't refuse as invalid, for a send it refused: the kind's own safe builder if it
    names one, else the message's plain words in one section and its buttons.

    The marker stays on the first block, so a crash after this is still looked up, never resent.
    """
    own = SAFE_BUILDERS.get(type(content))
    if own:
        return own(content, marker, zones=zones)
    full = render(content, None, zones)
    text = fit_mrkdwn(full["text"], SAFE_TEXT_MAX)
    buttons = [block for block in full["blocks"] if block["type"] == "actions"]
    return with_marker({"text": text, "blocks": [section(text), *buttons]}, marker)
