"""What organisers see: organiser and domain replies, round stats, preview, export, the schedule and
prompt modals, and the organiser part of App Home."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import ids
from bot.blocks.kit import (
    MESSAGE_TEXT_MAX,
    PLAIN_TEXT_INPUT_MAX,
    SECTION_TEXT_MAX,
    Message,
    actions,
    button,
    clip,
    context,
    escape,
    lines_within,
    message,
    mrkdwn,
    plain,
    quote_lines,
    section,
    select,
    slack_date,
    state_value,
    text_input,
)
from scheduler.rounds import OpenReason
from scheduler.slack_trouble import Kind, Trouble
from scheduler.stats import MIN_VOICES, NAMED_FROM
from storage.models import RoundState

# What the schedule modal accepts: IANA zone names are well under this, country codes are two letters.
TIMEZONE_MAX = 64
COUNTRY_MAX = 8


def organisers_list_message(configured, listed) -> Message:
    everyone = list(dict.fromkeys([*configured, *listed]))
    names = ", ".join(f"<@{user_id}>" for user_id in everyone) or "nobody named yet"
    return message(f"Organisers: {names}, and the workspace's admins and owners. "
                    "`/unmentor organisers add @someone` to add one.")


def organiser_change_message(verb: str, user_id: str, change) -> Message:
    from scheduler.organisers import OrganiserChange

    if change is OrganiserChange.slack_admin:
        return message(f"<@{user_id}> is a Slack admin or owner of this workspace, and they're always organisers. "
                        "Nothing was changed.")
    if change is OrganiserChange.from_settings:
        return message(f"<@{user_id}> is an organiser through the UNMENTOR_ORGANISERS setting, so only a change "
                        "to that setting removes them. Nothing was changed.")
    if verb == "add":
        return message(f"<@{user_id}> is now an organiser." if change is OrganiserChange.done
                        else f"<@{user_id}> is already an organiser.")
    return message(f"<@{user_id}> is no longer an organiser." if change is OrganiserChange.done
                    else f"<@{user_id}> wasn't an organiser, so nothing changed.")


def remove_confirm_message(user_id: str, organisation: str, *, tell: bool) -> Message:
    """Before anything is deleted: who, what goes, and whether they may rejoin. Only the organiser sees it."""
    value = ids.remove_value(user_id, tell)
    told = ("They'll get a short, kind note saying so, and naming you as the one to ask." if tell else
            "They won't be told (a quiet removal).")
    text = (f"Remove <@{user_id}> (*{clip(organisation, 200)}*) from unmentor? This deletes their details, their "
            "follow-up answers and their \"don't pair me with\" list; only anonymous counts stay. Anyone matched "
            f"with them this round is looked after. {told} May they rejoin later?")
    return message(text, section(text), actions(
        button("Remove: they may rejoin", ids.ORG_REMOVE, value, style="danger"),
        button("Remove: only if I allow it", ids.ORG_REMOVE_NO_REJOIN, value, style="danger"),
        button("Cancel", ids.ORG_REMOVE_CANCEL, value),
    ))


def remove_cancelled_message(user_id: str) -> Message:
    return message(f"Cancelled: nothing changed, and <@{user_id}> is still in unmentor.")


def member_removed_message(user_id: str, removed: bool, told: bool = False, may_rejoin: bool = True) -> Message:
    if removed:
        after = (" They've had a short, kind note saying what was deleted and whom to ask." if told else
                 " They weren't told (a quiet removal).")
        rejoin = (" They may join again whenever they like." if may_rejoin else
                  f" They can't join again unless an organiser types `/unmentor allow <@{user_id}>`.")
        return message(f"Removed <@{user_id}> from unmentor and deleted their details and answers.{after}{rejoin}")
    return message(f"<@{user_id}> isn't signed up, so nothing changed.")


def rejoin_allowed_message(user_id: str, allowed: bool) -> Message:
    if allowed:
        return message(f"Done: <@{user_id}> may join unmentor again whenever they like.")
    return message(f"<@{user_id}> was never kept from joining, so nothing changed.")


def domain_map_message(mapping: dict[str, str]) -> Message:
    if not mapping:
        return message(
            "No email domains are mapped yet. `/unmentor domain add example.org Example Ltd` lets people "
            "from example.org join in one step."
        )
    lines = "\n".join(f"• {escape(domain)} → {escape(org)}" for domain, org in mapping.items())
    return message("Email domains and their organisations:\n" + lines)


def domain_saved_message(domain: str, organisation: str) -> Message:
    return message(
        f"Saved: people with an @{escape(domain)} address join as *{escape(organisation)}* without being asked."
    )


def domain_removed_message(domain: str, removed: bool) -> Message:
    if removed:
        return message(f"Removed {escape(domain)}. People from there will be asked for their organisation.")
    return message(f"{escape(domain)} wasn't mapped, so nothing changed.")


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def stats_blocks(stats, learnings, sparkline: str) -> list[dict]:
    # `sparkline` (one character a round) is what the command line prints; in Slack the chart is bars.
    """The latest round in counts and shares, the meeting-rate trend, and consented learnings (no names)."""
    if not stats:
        return [section("No rounds yet. Preview the first one, or open it now, from App Home or with "
                         "`/unmentor preview` and `/unmentor open`.")]
    last = stats[-1]
    fields = [
        f"*Members*\n{last.members_active} active · {last.members_paused} paused · {last.members_skipping} skipping",
        # The first round has no last round to count from: its newcomers are everyone who joined.
        (f"*First round*\n{last.members_new} joined · {last.members_left} left" if len(stats) == 1
         else f"*Since last round*\n{last.members_new} new · {last.members_left} left"),
        # Slack takes ten fields at most: cross-organisation shares the groups' field.
        f"*Groups*\n{last.groups} made ({_pct(last.cross_organisation_rate)} across organisations) · "
        f"{last.unmatched} unmatched · {last.organisations} organisations",
        f"*Met*\n{last.met} ({_pct(last.met_rate)})",
        _didnt_meet_field(last),
        _not_told_field(last),
        f"*Scheduled*\n{last.scheduled} ({_pct(last.scheduled_rate)}): {last.scheduled_by_suggestion} from a "
        f"suggested time · {last.scheduled_by_form} with a date given when marking it scheduled · "
        f"{last.not_scheduled} not at all",
        f"*Rescheduled*\n{last.rescheduled} ({_pct(last.rescheduled_rate)})",
        f"*Follow-ups answered*\n{_pct(last.follow_up_rate)}",
        f"*Would stay in touch*\n{_pct(last.stay_in_touch_rate)}" + (
            "" if last.stay_in_touch_rate is not None
            else f" (shown from {MIN_VOICES} answers, so nobody's is singled out)"),
    ]
    blocks = [
        section(f"*Round {last.number}* ({escape(last.period)}, {last.state.replace('_', ' ')})"),
        {"type": "section", "fields": [mrkdwn(f) for f in fields]},
        _trend_line(stats),
    ]
    if len(stats) > 1:
        blocks.append(trend_table(stats))
    if any(st.state == RoundState.closed.value for st in stats) or len(stats) > 1:
        blocks.append(trend_in_words(stats))
    if learnings:
        heading = "*What people learned* (shared with their consent, without names)"
        # One entry each, whatever it holds: its words quoted line by line under the bot's own
        # bullet, so a learning's new lines can't start bullets (or accusations) of their own.
        quotes = [
            (f"• _Round {item.round_number}_, someone " if item.round_number is not None else "• Someone ")
            + (f"learned:\n{quote_lines(item.learned, 300)}" if item.learned else "")
            + ("\nand " if item.learned and item.shared else "")
            + (f"shared:\n{quote_lines(item.shared, 150)}" if item.shared else "")
            for item in learnings[:5]
        ]
        blocks.append(section(heading + "\n" + lines_within(quotes, SECTION_TEXT_MAX - 10 - len(heading))))
        if any(item.round_number is None for item in learnings[:5]):
            blocks.append(context(f"Quotes without a round come from rounds with fewer than {NAMED_FROM} answers "
                                   "to share. They're shown together, so nobody's words can be traced through "
                                   "who was paired that round."))
    else:
        blocks.append(context(_why_no_learnings(stats)))
    return blocks


def _didnt_meet_field(last) -> str:
    said = f"*Said they didn't meet*\n{last.didnt_meet} ({_pct(last.didnt_meet_rate)})"
    if last.heard_nothing_back:
        said += f", {last.heard_nothing_back} of them after hearing nothing back"
    return said


def _not_told_field(last) -> str:
    # What wasn't seen, apart from what was: a group that pressed no button may well have met.
    # "No word", not "Not told", which read as the bot not telling them something.
    if last.state != RoundState.closed.value:
        return f"*No word yet*\n{last.not_told} ({_pct(last.not_told_rate)}) haven't said how it went"
    return (f"*No word*\n{last.not_told} ({_pct(last.not_told_rate)}) never said how it went, so we don't know "
            "whether they met")


def _why_no_learnings(stats) -> str:
    if not any(s.state == RoundState.closed.value for s in stats):
        return ("What people learned shows here once a round has closed, from answers people said "
                "organisers may read.")
    return (f"Nothing to show yet from what people learned. It comes from closed rounds with at least "
            f"{MIN_VOICES} answers people let organisers read. Answers from a round with fewer than {NAMED_FROM} "
            f"are held back until there are {NAMED_FROM} from such rounds. Then they're shown together, without a "
            "round number, so no quote points to who wrote it.")


def _trend_line(stats) -> dict:
    closed = [s for s in stats if s.state == RoundState.closed.value]
    if not closed:
        return context("The meeting-rate chart starts once a round has closed.")
    # A bar per round, a line each, in a code block: readable at a glance, where one block character
    # a round in a context line was one or two tiny marks.
    plural = "s" if len(closed) != 1 else ""
    shown = closed[-CHART_ROUNDS:]
    bars = "\n".join(f"Round {s.number:<4}{_bar(s.met_rate)}  {_pct(s.met_rate):>4} met" for s in shown)
    earlier = f" (the last {len(shown)})" if len(shown) < len(closed) else ""
    return section(f"*Meeting rate over {len(closed)} closed round{plural}*{earlier}\n```{bars}```")


CHART_ROUNDS = 8  # bars shown; the table and the sentences below carry the rest
CHART_WIDTH = 20  # characters for 100%


def _bar(rate: float) -> str:
    filled = round(min(max(rate, 0.0), 1.0) * CHART_WIDTH)
    return "█" * filled + "░" * (CHART_WIDTH - filled)


def trend_table(stats, last: int = 6) -> dict:
    """The last few rounds side by side, so organisers see every round, not only the latest."""
    heads = ("Round".ljust(6), "Groups".rjust(7), "Met".rjust(6), "Didn't meet".rjust(13), "No word".rjust(10),
             "Answered".rjust(10))
    rows = ["".join(heads)]
    for s in stats[-last:]:
        rows.append(f"{s.number:<6}{s.groups:>7}{_pct(s.met_rate):>6}{_pct(s.didnt_meet_rate):>13}"
                    f"{_pct(s.not_told_rate):>10}{_pct(s.follow_up_rate):>10}")
    return section("*Round by round*\n```" + "\n".join(rows) + "```")


def trend_in_words(stats, last: int = 6) -> dict:
    """The chart and the table as plain sentences: a screen reader reads ▁▃█ and columns as noise."""
    lines = []
    for st in stats[-last:]:
        running = "" if st.state == RoundState.closed.value else " (still running)"
        unsaid = "haven't said yet" if running else "never said"
        lines.append(f"• Round {st.number}{running}: {st.groups} group{'s' if st.groups != 1 else ''}. "
                     f"{_pct(st.met_rate)} said they met, {_pct(st.didnt_meet_rate)} said they didn't, and "
                     f"{_pct(st.not_told_rate)} {unsaid}; {_pct(st.follow_up_rate)} answered the follow-up.")
    return section("*The same, in words*\n" + "\n".join(lines))


def stats_message(stats, learnings, sparkline: str) -> Message:
    text = (f"Round {stats[-1].number}: {stats[-1].groups} groups, {_pct(stats[-1].met_rate)} met"
            if stats else "No rounds yet.")
    return {"text": text, "blocks": stats_blocks(stats, learnings, sparkline)}


def export_messages(csv_text: str, limit: int = MESSAGE_TEXT_MAX - 2000) -> list[Message]:
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
    return message(f"There's no round {number} yet. `/unmentor stats` shows the latest.")


def export_sent_reply() -> Message:
    return message("I've sent you the round stats as CSV in a DM.")


def preview_message(plan, shown: int = 25) -> Message:
    lines = [
        " + ".join(f"<@{m.slack_user_id}> ({escape(m.organisation)})" for m in group)
        for group in plan.groups[:shown]
    ]
    head = (f"If the next round opened now: *{len(plan.groups)} groups*, {len(plan.unmatched)} unmatched, "
            f"{plan.organisations} organisations. Nothing has been stored or sent.")
    body = lines_within(lines, SECTION_TEXT_MAX - 100) or "Nobody to match yet."  # room for "…and N more."
    hidden = len(plan.groups) - len(body.splitlines()) if lines else 0
    if hidden > 0:
        body += f"\n…and {hidden} more."
    blocks = [section(head), section(body)]
    if plan.unmatched:
        blocks.append(context("Unmatched: " + ", ".join(f"<@{m.slack_user_id}>" for m in plan.unmatched[:20])))
    return {"text": head, "blocks": blocks}


def open_round_confirm_message() -> Message:
    text = "Open the next round now? Everyone active is matched and their intros go out straight away."
    open_it = button("Open it now", ids.ORG_OPEN_ROUND, "open", style="primary")
    return message(text, section(text), actions(open_it))


# What an organiser's "open now" came to, by OpenOutcome.reason (the CLI's `round open` says the same in its words).
OPENED_BY_HAND = {
    OpenReason.opened: lambda o, zones: (
        f"Round {o.round.number} is open: {len(o.plan.groups)} groups, "
        f"{len(o.plan.unmatched)} unmatched. The intros are on their way."),
    OpenReason.brought_forward: lambda o, zones: (
        f"Round {o.round.number} was matched and waiting for its opening time. "
        "It's open now, and the intros are on their way."),
    OpenReason.delivering: lambda o, zones: (
        f"Round {o.round.number} is still running and {o.waiting} of its messages "
        "are still on their way; they'll go out shortly. No new round was opened."),
    OpenReason.round_running: lambda o, zones: (
        f"Round {o.round.number} is still running, so a new one can't open yet. "
        f"It closes {slack_date(o.round.closes_at, zones)}. Nothing was changed."),
}
# Any other reason: another process opened one first.
NOT_OPENED = "No round was opened: another one opened a moment ago. Nothing was changed."


def round_opened_message(outcome, zones: Sequence[str] = ()) -> Message:
    said = OPENED_BY_HAND.get(outcome.reason)
    return message(said(outcome, zones) if said else NOT_OPENED)


def schedule_modal(schedule) -> dict:
    from scheduler.schedule import WEEKDAYS, Cadence

    return {
        "type": "modal",
        "callback_id": ids.SCHEDULE_VIEW,
        "title": plain("Round schedule"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            select("cadence", "How often", [("Monthly", Cadence.monthly.value),
                                             ("Fortnightly", Cadence.fortnightly.value),
                                             ("Weekly", Cadence.weekly.value)], schedule.cadence),
            select("weekday", "Rounds open on", [(d.title(), str(i)) for i, d in enumerate(WEEKDAYS)],
                    str(schedule.weekday)),
            {"type": "input", "block_id": "time", "label": plain("At (workspace time)"),
             "element": {"type": "timepicker", "action_id": "value",
                         "initial_time": f"{schedule.hour:02d}:{schedule.minute:02d}"}},
            text_input("timezone", "Workspace time zone", schedule.timezone, TIMEZONE_MAX, multiline=False,
                        optional=False,
                        hint="e.g. Europe/London"),
            text_input("country", "Public holidays of", schedule.country or "", COUNTRY_MAX, multiline=False,
                        optional=True, hint="A country code such as GB; leave empty for none"),
            context("Changing how often resets the nudge, follow-up and close days to suit."),
        ],
    }


def read_schedule_modal(state_values: dict) -> dict:
    def selected(block_id: str) -> str | None:
        return (state_value(state_values, block_id).get("selected_option") or {}).get("value")

    return {
        "cadence": selected("cadence"),
        "weekday": int(selected("weekday") or 0),
        "time": state_value(state_values, "time").get("selected_time") or "10:00",
        "timezone": (state_value(state_values, "timezone").get("value") or "").strip(),
        "country": (state_value(state_values, "country").get("value") or "").strip().upper() or None,
    }


def prompts_modal(current_name: str, count: int) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.PROMPTS_VIEW,
        "title": plain("Prompt library"),
        "submit": plain("Use these"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"In use: *{escape(current_name)}* ({count} prompts). Paste your own, one per line as "
                     "`theme | prompt`, or a whole JSON library. Bigger libraries: `unmentor prompts load FILE`."),
            text_input("library", "Prompts", "", PLAIN_TEXT_INPUT_MAX, multiline=True, optional=False,
                        placeholder="wants | What would make this hour worth it for you?"),
        ],
    }


def read_prompts_modal(state_values: dict) -> str:
    return state_value(state_values, "library").get("value") or ""


def schedule_saved_message(next_at: datetime, zones: Sequence[str] = ()) -> Message:
    return message(f"Schedule saved. The next round opens {slack_date(next_at, zones)}.")


def prompts_saved_message(count: int, themes: int) -> Message:
    return message(f"Prompt library saved: {count} prompts in {themes} themes. New intros will use it.")


def slack_trouble_blocks(trouble: Trouble | None, zones: Sequence[str] = ()) -> list[dict]:
    """What organisers need to know while Slack refuses the bot's token or isn't answering it."""
    if trouble is None:
        return []
    since = slack_date(trouble.since, zones)
    if trouble.kind is Kind.token:
        fix = ("add the scopes in the app's manifest (app_manifest.yml) and reinstall it"
               if trouble.code == "missing_scope" else "reinstall the app, or put its new token in SLACK_BOT_TOKEN")
        return [section(
            f":warning: *Slack is refusing the bot's token* (`{trouble.code}`) since {since}. Nothing is being "
            "sent to anyone, and nothing is lost: no pair has been ended and nobody has been told anything. "
            f"To mend it, {fix}; everything waiting then goes within a few minutes, or at once with "
            "`unmentor round deliver`.")]
    return [section(
        f":warning: *Slack isn't answering the bot properly* (`{trouble.code}`) since {since}. Messages wait, "
        "nothing is lost, and everything waiting goes as soon as Slack answers again.")]


def failed_intros_blocks(failed) -> list[dict]:
    """Intros Slack wouldn't take in the running round (scheduler.rematch.FailedIntros), as counts."""
    if failed is None:
        return []
    one = failed.intros == 1
    text = (f"*Round {failed.round_number}: Slack wouldn't take {'an intro' if one else f'{failed.intros} intros'}*, "
            f"so {'that match' if one else 'those matches'} couldn't start.")
    people = f"{failed.people} {'person' if failed.people == 1 else 'people'} in {'it' if one else 'them'}"
    if failed.people and failed.rematched == failed.people:
        text += f" The {people} {'has' if failed.people == 1 else 'have'} a fresh match."
    elif failed.people and failed.rematched:
        text += (f" {failed.rematched} of the {people} {'has' if failed.rematched == 1 else 'have'} a fresh match; "
                 "the rest were told kindly what happened, and go first next round.")
    elif failed.people:
        text += (f" Nobody else was free, so the {people} {'was' if failed.people == 1 else 'were'} told kindly "
                 f"what happened, and {'goes' if failed.people == 1 else 'go'} first next round.")
    text += " Anyone Slack says can't be reached is paused until they resume."
    return [section(text)]


def organiser_home_blocks(stats, learnings, sparkline: str, trouble: Trouble | None = None,
                          failed=None, zones: Sequence[str] = ()) -> list[dict]:
    return [
        {"type": "divider"},
        {"type": "header", "text": plain("For organisers")},
        *slack_trouble_blocks(trouble, zones=zones),
        *failed_intros_blocks(failed),
        *stats_blocks(stats, learnings, sparkline),
        actions(
            button("Preview next round", ids.ORG_PREVIEW, "preview"),
            {**button("Open a round now", ids.ORG_OPEN_ROUND, "open", style="primary"), "confirm": {
                "title": plain("Open a round now?"),
                "text": plain("Everyone active is matched and their intros go out straight away."),
                "confirm": plain("Open it"), "deny": plain("Not yet"),
            }},
            button("Schedule", ids.ORG_SCHEDULE, "schedule"),
            button("Prompt library", ids.ORG_PROMPTS, "prompts"),
            button("Export CSV", ids.ORG_EXPORT, "export"),
        ),
        context("Organisers see counts and trends. People's words appear only where they said organisers "
                 "may read them, and never with their names."),
    ]
