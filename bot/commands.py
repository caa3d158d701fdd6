"""`/unmentor` subcommands: turn the typed text into calls on the membership and organiser functions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.services import Services
from scheduler import membership
from scheduler.membership import InputError, JoinOutcome, SlackProfile
from scheduler.organisers import is_organiser
from scheduler.round_settings import next_round_at
from storage import members as store
from storage.db import session_scope

log = logging.getLogger("unmentor")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class Invocation:
    team_id: str
    user_id: str
    text: str
    trigger_id: str | None = None


@dataclass(frozen=True)
class SlackUser:
    profile: SlackProfile
    is_admin: bool = False


def split(text: str) -> tuple[str, str]:
    """('join', 'Acme Ltd') from 'join Acme Ltd'; ('help', '') from nothing."""
    text = (text or "").strip()
    if not text:
        return "help", ""
    word, _, rest = text.partition(" ")
    return word.lower(), rest.strip()


def slack_user(services: Services, user_id: str) -> SlackUser:
    """What Slack says about a person; an empty profile when Slack can't say."""
    try:
        user = services.client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return SlackUser(SlackProfile())
    profile = user.get("profile") or {}
    return SlackUser(
        SlackProfile(email=profile.get("email"), title=profile.get("title") or "", timezone=user.get("tz")),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
    )


def run(services: Services, call: Invocation) -> blocks.Message | None:
    """The reply to show the person, or None when a modal was opened instead."""
    word, rest = split(call.text)
    handler = HANDLERS.get(word)
    if handler is None:
        return blocks.unknown_command_message(word)
    return handler(services, call, rest)


def _join(services: Services, call: Invocation, organisation: str) -> blocks.Message | None:
    user = slack_user(services, call.user_id)
    try:
        with session_scope(services.engine) as session:
            result = membership.join(session, call.team_id, call.user_id, organisation or None, user.profile)
            next_at = next_round_at(session, call.team_id)
    except InputError as problem:
        return blocks.input_error_message(str(problem))
    if result.outcome is JoinOutcome.needs_details:
        services.client.views_open(trigger_id=call.trigger_id, view=blocks.join_modal(result.prefill))
        return None
    return blocks.joined_message(result.outcome is JoinOutcome.joined, result.member.organisation, next_at)


def _change(action: str, fn: Callable) -> Callable:
    def handler(services: Services, call: Invocation, _rest: str) -> blocks.Message:
        with session_scope(services.engine) as session:
            change = fn(session, call.team_id, call.user_id)
        return blocks.change_message(action, change)

    return handler


def _status(services: Services, call: Invocation, _rest: str) -> blocks.Message:
    with session_scope(services.engine) as session:
        view = membership.status(session, call.team_id, call.user_id, next_round_at(session, call.team_id))
    return blocks.status_message(view)


def _leave(services: Services, call: Invocation, _rest: str) -> blocks.Message:
    with session_scope(services.engine) as session:
        member = store.get_member(session, call.team_id, call.user_id)
    if member is None or member.status == "left":
        return blocks.not_member_message()
    return blocks.leave_confirm_message()


def _help(_services: Services, _call: Invocation, _rest: str) -> blocks.Message:
    return blocks.help_message()


def caller_is_organiser(services: Services, call: Invocation) -> bool:
    with session_scope(services.engine) as session:
        if is_organiser(session, call.team_id, call.user_id, services.settings.organisers):
            return True
    user = slack_user(services, call.user_id)
    with session_scope(services.engine) as session:
        return is_organiser(session, call.team_id, call.user_id, services.settings.organisers, slack_admin=user.is_admin)


def _domain(services: Services, call: Invocation, rest: str) -> blocks.Message:
    """`domain add example.org Example Ltd`, `domain remove example.org`, `domain list`."""
    if not caller_is_organiser(services, call):
        return blocks.organisers_only_message()
    verb, args = split(rest)
    if verb == "list" or not rest:
        with session_scope(services.engine) as session:
            mapping = store.domain_map(session, call.team_id)
        return blocks.domain_map_message(mapping)
    domain, _, organisation = args.partition(" ")
    domain = domain.strip().lower().lstrip("@")
    if not DOMAIN.match(domain):
        return blocks.input_error_message(f"`{blocks.escape(domain[:60]) or '(nothing)'}` isn't an email domain like example.org.")
    with session_scope(services.engine) as session:
        if verb == "add":
            try:
                organisation = membership.clean_organisation(organisation)
            except InputError as problem:
                return blocks.input_error_message(str(problem))
            store.ensure_workspace(session, call.team_id)
            store.set_domain(session, call.team_id, domain, organisation)
            return blocks.domain_saved_message(domain, organisation)
        if verb == "remove":
            removed = store.remove_domain(session, call.team_id, domain)
            return blocks.domain_removed_message(domain, removed)
    return blocks.input_error_message("Use `/unmentor domain add example.org Example Ltd`, `domain remove example.org` or `domain list`.")


HANDLERS: dict[str, Callable[[Services, Invocation, str], blocks.Message | None]] = {
    "join": _join,
    "pause": _change("pause", membership.pause),
    "resume": _change("resume", membership.resume),
    "skip": _change("skip", membership.skip_next),
    "status": _status,
    "leave": _leave,
    "help": _help,
    "domain": _domain,
}
