"""`/unmentor` subcommands: turn the typed text into calls on the membership and organiser functions."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Callable
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

from bot import callers, handling
from bot.blocks import kit as kit_blocks
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from bot.payload import Payload
from bot.sent_now import after_leaving, deliver_now
from bot.services import Services
from scheduler import avoid, membership, organisers, rounds, stats
from scheduler import prompts as prompt_library
from scheduler.departures import Departure
from scheduler.inputs import InputError
from scheduler.membership import JoinOutcome
from scheduler.workspace_schedule import load_schedule, next_round_at
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import MemberStatus, RoundState

log = logging.getLogger("unmentor")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")


def unescape(text: str) -> str:
    """Slack escapes &, < and > in slash command text (should_escape); undo that for what people typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned_user(text: str) -> str | None:
    """The user ID in '<@U123|alex>', as Slack sends a mention in a slash command."""
    match = MENTION.match(text.strip())
    return match.group(1) if match else None


def split(text: str) -> tuple[str, str]:
    """('join', 'Acme Ltd') from 'join Acme Ltd'; ('help', '') from nothing."""
    text = (text or "").strip()
    if not text:
        return "help", ""
    word, _, rest = text.partition(" ")
    return word.lower(), rest.strip()


def run(services: Services, call: Payload) -> kit_blocks.Message | None:
    """The reply to show the person, or None when a modal was opened instead."""
    word, rest = split(call.text)
    handler = HANDLERS.get(word)
    if handler is None:
        return member_blocks.unknown_command_message(word)
    return handler(services, call, rest)


def _join(services: Services, call: Payload, organisation: str) -> kit_blocks.Message | None:
    organisation = unescape(organisation)
    # Without an organisation a form may open, and its trigger lives three seconds: a busy Slack
    # is asked again after the form is open, not waited for before.
    zones = handling.reader_zones(services, call.team_id, call.user_id)  # as they were before joining
    user = callers.slack_user(services, call.user_id, patient=bool(organisation))
    try:
        with session_scope(services.engine) as session:
            result = membership.join(session, call.team_id, call.user_id, organisation or None, user.profile)
            welcome = membership.welcome(session, call.team_id, result)
    except InputError as problem:
        return member_blocks.input_error_message(str(problem))
    if result.outcome is JoinOutcome.needs_details:
        handling.open_form(services, call.trigger_id, member_blocks.join_modal(result.prefill))
        if not user.known:
            # The form asks for the organisation; the email domain that keeps colleagues apart is
            # looked up now, so the form's answers are saved with it.
            callers.slack_user(services, call.user_id)
        return None
    deliver_now(services, call.team_id, welcome)
    with session_scope(services.engine) as session:
        next_at = next_round_at(session, call.team_id)  # after the form: working it out can take a while
    return member_blocks.joined_message(result.outcome is JoinOutcome.joined, result.member.organisation, next_at,
                                        zones=zones)


def _change(action: str, fn: Callable) -> Callable:
    def handler(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
        with session_scope(services.engine) as session:
            change = fn(session, call.team_id, call.user_id)
        return member_blocks.change_message(action, change)

    return handler


def _pause(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`pause` for as long as you like; `pause until 2027-03-01` until that morning."""
    if not rest:
        with session_scope(services.engine) as session:
            change = membership.pause(session, call.team_id, call.user_id)
            member = member_store.get_member(session, call.team_id, call.user_id)
            partners = membership.partners_this_round(session, member) if change is membership.Change.done else ()
        # Pausing stops future matches; this round's match stays theirs until they step out of it.
        if partners:
            return member_blocks.paused_while_matched_message(partners)
        return member_blocks.change_message("pause", change)
    word, day_text = split(rest)
    day = parse_day(day_text) if word == "until" else None
    if day is None:
        return member_blocks.pause_until_usage_message()
    return pause_until(services, call.team_id, call.user_id, day)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if DAY.match(text.strip()) else None
    except ValueError:
        return None  # 2027-02-30 and the like


def pause_until(services: Services, team_id: str, user_id: str, day: date) -> kit_blocks.Message:
    try:
        with session_scope(services.engine) as session:
            change, until = membership.pause_until(
                session, team_id, user_id, day, load_schedule(session, team_id).timezone
            )
    except InputError as problem:
        return member_blocks.input_error_message(str(problem))
    if change is membership.Change.not_member:
        return member_blocks.not_member_message()
    return member_blocks.paused_until_message(until, zones=handling.reader_zones(services, team_id, user_id))


def _avoid(services: Services, call: Payload, rest: str, verb: str = "avoid") -> kit_blocks.Message:
    """`avoid @someone`, `unavoid @someone`; `avoid` alone shows the list. Every answer is ephemeral."""
    if not rest and verb == "avoid":
        with session_scope(services.engine) as session:
            if member_store.get_member(session, call.team_id, call.user_id) is None:
                return member_blocks.not_member_message()
            return member_blocks.avoid_list_message(avoid.listed(session, call.team_id, call.user_id))
    user_id = mentioned_user(rest)
    if user_id is None:
        return member_blocks.avoid_usage_message()
    with session_scope(services.engine) as session:
        change = (avoid.avoid if verb == "avoid" else avoid.unavoid)(session, call.team_id, call.user_id, user_id)
    return member_blocks.avoid_change_message(verb, user_id, change)


def _unavoid(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    return _avoid(services, call, rest, "unavoid")


def _status(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    with session_scope(services.engine) as session:
        view = membership.status(session, call.team_id, call.user_id, next_round_at(session, call.team_id))
    return member_blocks.status_message(view, zones=handling.reader_zones(services, call.team_id, call.user_id))


def _leave(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    with session_scope(services.engine) as session:
        member = member_store.get_member(session, call.team_id, call.user_id)
        if member is None or member.status == MemberStatus.left.value:
            return member_blocks.not_member_message()
        partners = membership.partners_this_round(session, member)
    return member_blocks.leave_confirm_message(partners)


def _help(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    return member_blocks.help_message(organiser=callers.is_organiser(services, call.team_id, call.user_id))


# Organiser commands answer everyone else with a polite refusal, and reveal nothing.
organisers_only = callers.organisers_only(refuse=lambda services, call, rest, refusal: refusal)


@organisers_only
def _domain(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`domain add example.org Example Ltd`, `domain remove example.org`, `domain list`."""
    verb, args = split(rest)
    if verb == "list" or not rest:
        with session_scope(services.engine) as session:
            mapping = member_store.domain_map(session, call.team_id)
        return organiser_blocks.domain_map_message(mapping)
    domain, _, organisation = args.partition(" ")
    domain = domain.strip().lower().lstrip("@")
    if not DOMAIN.match(domain):
        return member_blocks.input_error_message(
            f"`{kit_blocks.escape(domain[:60]) or '(nothing)'}` isn't an email domain like example.org."
        )
    with session_scope(services.engine) as session:
        if verb == "add":
            try:
                organisation = membership.clean_organisation(unescape(organisation))
            except InputError as problem:
                return member_blocks.input_error_message(str(problem))
            member_store.ensure_workspace(session, call.team_id)
            member_store.set_domain(session, call.team_id, domain, organisation)
            return organiser_blocks.domain_saved_message(domain, organisation)
        if verb == "remove":
            removed = member_store.remove_domain(session, call.team_id, domain)
            return organiser_blocks.domain_removed_message(domain, removed)
    return member_blocks.input_error_message(
        "Use `/unmentor domain add example.org Example Ltd`, `domain remove example.org` or `domain list`."
    )


@organisers_only
def _organisers(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`organisers`, `organisers add @someone`, `organisers remove @someone`."""
    verb, args = split(rest)
    if verb in ("list", "help") or not rest:
        with session_scope(services.engine) as session:
            listed = organisers.listed(session, call.team_id)
        return organiser_blocks.organisers_list_message(services.settings.organisers, listed)
    user_id = mentioned_user(args)
    if verb not in ("add", "remove") or user_id is None:
        return member_blocks.input_error_message(
            "Use `/unmentor organisers add @someone` or `/unmentor organisers remove @someone`.")
    own = services.own.get() if services.own is not None else None
    if verb == "add" and own is not None and user_id == own.bot_user_id:
        return member_blocks.input_error_message(
            "That's unmentor itself: organisers are people. Mention the person you'd like to add.")
    with session_scope(services.engine) as session:
        if verb == "add":
            change = organisers.add(session, call.team_id, user_id, call.user_id)
        else:
            change = organisers.remove(session, call.team_id, user_id, services.settings.organisers)
    if (
        verb == "remove"
        and change is organisers.OrganiserChange.already
        and callers.slack_user(services, user_id).is_admin
    ):
        change = organisers.OrganiserChange.slack_admin
    return organiser_blocks.organiser_change_message(verb, user_id, change)


@organisers_only
def _remove_member(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`remove @someone`: an organiser takes someone out of the network, deleting their data.

    Nothing is deleted yet: the organiser is shown who, and what will go, and chooses whether
    they may rejoin (or cancels), so a mistyped mention never erases the wrong person. The
    person removed is told kindly, unless the organiser asks for `remove @someone quietly`.
    """
    mention, _, option = rest.strip().partition(" ")
    user_id = mentioned_user(mention)
    if user_id is None or option.strip().lower() not in ("", "quietly"):
        return member_blocks.input_error_message(
            "Use `/unmentor remove @someone`, or `/unmentor remove @someone quietly` to remove them without a message.")
    with session_scope(services.engine) as session:
        member = member_store.get_member(session, call.team_id, user_id)
        organisation = member.organisation if member is not None and member.slack_user_id else None
    if organisation is None:
        return organiser_blocks.member_removed_message(user_id, False)
    return organiser_blocks.remove_confirm_message(user_id, organisation, tell=not option.strip())


def remove_member(services: Services, team_id: str, by: str, user_id: str, *, tell: bool,
                  may_rejoin: bool) -> kit_blocks.Message:
    """The confirmed removal: their data goes, their partners are looked after, and they're told (unless quietly)."""
    departure = Departure()
    with session_scope(services.engine) as session:
        change = membership.leave(session, team_id, user_id, departure)
        if change is membership.Change.done and not may_rejoin:
            member_store.keep_from_rejoining(session, team_id, user_id, by)
    after_leaving(services, team_id, departure)
    removed = change is membership.Change.done
    told = False
    if removed and tell:
        try:
            services.client.chat_postMessage(channel=user_id, **member_blocks.removed_notice_message(by, may_rejoin))
            told = True
        except (SlackApiError, URLError, OSError) as error:
            # Their data is gone either way; the organiser hears the note didn't reach them.
            log.warning(
                "couldn't tell someone they were removed: %s", error.__class__.__name__
            )  # they asked to be forgotten
    return organiser_blocks.member_removed_message(user_id, removed, told, may_rejoin)


@organisers_only
def _allow_rejoin(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`allow @someone`: someone removed and kept from rejoining may join again."""
    user_id = mentioned_user(rest.strip())
    if user_id is None:
        return member_blocks.input_error_message("Use `/unmentor allow @someone`.")
    with session_scope(services.engine) as session:
        allowed = member_store.allow_rejoining(session, call.team_id, user_id)
    return organiser_blocks.rejoin_allowed_message(user_id, allowed)


@organisers_only
def _stats(services: Services, call: Payload, rest: str) -> kit_blocks.Message:
    """`stats` for the latest round and the trend; `stats 3` for round 3."""
    number = int(rest) if rest.strip().isdigit() else None
    if rest.strip() and number is None:
        return member_blocks.input_error_message("Use `/unmentor stats` or `/unmentor stats 3` for round 3.")
    with session_scope(services.engine) as session:
        trend = stats.round_stats(session, call.team_id)
        learnings = stats.consented_learnings(session, call.team_id, number, limit=5)
    if number is not None:
        upto = [s for s in trend if s.number <= number]
        if not upto or upto[-1].number != number:
            return organiser_blocks.no_such_round_message(number)
        trend = upto
    return organiser_blocks.stats_message(trend, learnings, stats.meeting_rate_sparkline(trend))


def send_export(services: Services, team_id: str, user_id: str) -> None:
    """DM the organiser the round stats as CSV (counts and shares only)."""
    with session_scope(services.engine) as session:
        csv_text = stats.to_csv(stats.round_stats(session, team_id))
    for message in organiser_blocks.export_messages(csv_text):
        services.client.chat_postMessage(channel=user_id, **message)


@organisers_only
def _export(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    send_export(services, call.team_id, call.user_id)
    return organiser_blocks.export_sent_reply()


def preview_reply(services: Services, team_id: str) -> kit_blocks.Message:
    return organiser_blocks.preview_message(rounds.preview(services.engine, team_id).plan)


@organisers_only
def _preview(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    return preview_reply(services, call.team_id)


@organisers_only
def _open(services: Services, call: Payload, _rest: str) -> kit_blocks.Message:
    # Say first that a round is running, rather than ask "open one now?" and then say nothing changed.
    # A round matched ahead of its opening may still be brought forward, so that one is asked.
    with session_scope(services.engine) as session:
        running = round_store.running_round(session, call.team_id)
    if running is not None and running.state != RoundState.matched.value:
        running_outcome = rounds.OpenOutcome(running, None, rounds.OpenReason.round_running)
        return organiser_blocks.round_opened_message(running_outcome, zones=handling.reader_zones(
            services, call.team_id, call.user_id))
    return organiser_blocks.open_round_confirm_message()


def open_schedule_modal(services: Services, team_id: str, trigger_id: str | None) -> None:
    with session_scope(services.engine) as session:
        current = load_schedule(session, team_id)
    handling.open_form(services, trigger_id, organiser_blocks.schedule_modal(current))


@organisers_only
def _schedule(services: Services, call: Payload, _rest: str) -> None:
    open_schedule_modal(services, call.team_id, call.trigger_id)


def open_prompts_modal(services: Services, team_id: str, trigger_id: str | None) -> None:
    with session_scope(services.engine) as session:
        library = prompt_library.library_for(session, team_id)
    handling.open_form(services, trigger_id, organiser_blocks.prompts_modal(library.name, len(library.prompts)))


@organisers_only
def _prompts(services: Services, call: Payload, _rest: str) -> None:
    open_prompts_modal(services, call.team_id, call.trigger_id)


# Commands after which the person's App Home reads differently (their status, their list). It is
# redrawn after them, as after a click there: a Home left open must not offer "Join" to someone who
# has just joined, or "Pause" to someone who has just paused.
# The words whose reply may be a form (join without an organisation, the organisers' settings).
OPENS_FORM = frozenset({"join", "schedule", "prompts"})


def opens_form(p: Payload) -> bool:
    return split(p.text)[0] in OPENS_FORM


REDRAWS_HOME = frozenset({"join", "pause", "resume", "skip", "avoid", "unavoid"})

HANDLERS: dict[str, Callable[[Services, Payload, str], kit_blocks.Message | None]] = {
    "join": _join,
    "pause": _pause,
    "resume": _change("resume", membership.resume),
    "skip": _change("skip", membership.skip_next),
    "status": _status,
    "leave": _leave,
    "avoid": _avoid,
    "unavoid": _unavoid,
    "help": _help,
    "domain": _domain,
    "organisers": _organisers,
    "remove": _remove_member,
    "allow": _allow_rejoin,
    "stats": _stats,
    "export": _export,
    "preview": _preview,
    "open": _open,
    "schedule": _schedule,
    "prompts": _prompts,
}
