"""Listeners for organisers' App Home buttons and modals: preview, open a round, schedule, prompts, export.

The buttons call the same functions as the matching `/unmentor` commands.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import callers, commands, home, ids
from bot.blocks import kit as kit_blocks
from bot.blocks import organisers as organiser_blocks
from bot.gateway import SlackGateway
from bot.handling import Listeners, reader_zones, tell_clicker
from bot.payload import Payload
from bot.services import Services
from scheduler import prompts as prompt_library
from scheduler import rounds, slack_trouble
from scheduler.inputs import InputError
from scheduler.schedule import ScheduleError
from scheduler.workspace_schedule import change_schedule, next_round_at, proposed_schedule
from storage.db import read_scope, session_scope

log = logging.getLogger("unmentor")
LISTENERS = Listeners()


def register(app: App, services: Services) -> None:
    LISTENERS.register(app, services)


def _zones(services: Services, p: Payload) -> tuple[str, ...]:
    return reader_zones(services, p.team_id, p.user_id)


def _reply(services: Services, p: Payload, respond, message: kit_blocks.Message) -> None:
    """Where the click came from a message, answer there; from App Home, by DM."""
    tell_clicker(p, respond, message, client=services.client)


# Anyone else who clicks an organiser button is told politely, and nothing happens.
_organisers_only = callers.organisers_only(refuse=_reply)


# A modal is checked after its ack (the check may ask Slack): anyone else is told by DM and nothing is saved.
_organisers_only_saving = callers.organisers_only(
    refuse=lambda services, p, _value, refusal: tell_clicker(p, None, refusal, client=services.client))


@LISTENERS.click(ids.ORG_PREVIEW)
@_organisers_only
def preview(services: Services, p: Payload, respond) -> None:
    _reply(services, p, respond, commands.preview_reply(services, p.team_id))


@LISTENERS.click(ids.ORG_OPEN_ROUND)
@_organisers_only
def open_round(services: Services, p: Payload, respond) -> None:
    outcome = rounds.open_round(services.engine, p.team_id, manual=True, look_up=SlackGateway(services.client).people)
    _reply(services, p, respond, organiser_blocks.round_opened_message(outcome, zones=_zones(services, p)))
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.ORG_REMOVE, ids.ORG_REMOVE_NO_REJOIN)
@_organisers_only
def remove_confirmed(services: Services, p: Payload, respond) -> None:
    if p.removing is None:
        return  # an old or forged value: nothing to act on
    user_id, tell = p.removing
    _reply(services, p, respond, commands.remove_member(services, p.team_id, p.user_id, user_id, tell=tell,
                                                        may_rejoin=p.action_id == ids.ORG_REMOVE))


@LISTENERS.click(ids.ORG_REMOVE_CANCEL)
@_organisers_only
def remove_cancelled(services: Services, p: Payload, respond) -> None:
    if p.removing is not None:
        _reply(services, p, respond, organiser_blocks.remove_cancelled_message(p.removing[0]))


@LISTENERS.click(ids.ORG_SCHEDULE, opens_form=True)
@_organisers_only
def schedule(services: Services, p: Payload, respond) -> None:
    commands.open_schedule_modal(services, p.team_id, p.trigger_id)


@LISTENERS.click(ids.ORG_PROMPTS, opens_form=True)
@_organisers_only
def prompts(services: Services, p: Payload, respond) -> None:
    commands.open_prompts_modal(services, p.team_id, p.trigger_id)


@LISTENERS.click(ids.ORG_EXPORT)
@_organisers_only
def export(services: Services, p: Payload, respond) -> None:
    commands.send_export(services, p.team_id, p.user_id)


def _check_schedule(services: Services, p: Payload) -> dict[str, Any]:
    # Only quick checks happen before the ack; whether the person may change it (which can
    # mean asking Slack) and the save come after, with the answer by DM.
    picked = organiser_blocks.read_schedule_modal(p.values)
    changes = dict(cadence=picked["cadence"], weekday=picked["weekday"], at=picked["time"],
                   timezone=picked["timezone"], country=picked["country"])
    try:
        with read_scope(services.engine) as session:
            proposed_schedule(session, p.team_id, **changes)
    except ScheduleError as problem:
        raise InputError(str(problem), problem.field) from None
    return changes


@LISTENERS.modal(ids.SCHEDULE_VIEW, check=_check_schedule, field="cadence")
@_organisers_only_saving
def schedule_submitted(services: Services, p: Payload, changes: dict[str, Any]) -> None:
    with session_scope(services.engine) as session:
        # Checked again as it's saved: a change made meanwhile elsewhere could clash with it
        # (after_ack then tells the organiser it didn't work).
        change_schedule(session, p.team_id, **changes)
        next_at = next_round_at(session, p.team_id)
    saved = organiser_blocks.schedule_saved_message(next_at, zones=_zones(services, p))
    services.client.chat_postMessage(channel=p.user_id, **saved)
    home.refresh(services, p.team_id, p.user_id)


def _check_prompts(services: Services, p: Payload):
    doc = prompt_library.parse_pasted(organiser_blocks.read_prompts_modal(p.values))
    return doc, prompt_library.parse_library(doc)


@LISTENERS.modal(ids.PROMPTS_VIEW, check=_check_prompts, field="library")
@_organisers_only_saving
def prompts_submitted(services: Services, p: Payload, parsed) -> None:
    doc, library = parsed
    with session_scope(services.engine) as session:
        prompt_library.set_library(session, p.team_id, doc)
    services.client.chat_postMessage(
        channel=p.user_id, **organiser_blocks.prompts_saved_message(len(library.prompts), len(library.themes())))


@LISTENERS.event("app_uninstalled")
def app_uninstalled(services: Services, p: Payload, event: dict) -> None:
    # Nothing can reach Slack now: every process stops sending at once, failing nothing, until a
    # reinstall's token works (tried every few minutes, and at the next start).
    slack_trouble.met(services.engine, p.team_id, "app_uninstalled", slack_trouble.Kind.token)


@LISTENERS.event("tokens_revoked")
def tokens_revoked(services: Services, p: Payload, event: dict) -> None:
    # Slack lists the revoked tokens by kind; only the bot's own stops the bot.
    if (event.get("tokens") or {}).get("bot"):
        slack_trouble.met(services.engine, p.team_id, "tokens_revoked", slack_trouble.Kind.token)
