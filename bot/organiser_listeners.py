"""Listeners for organisers' App Home buttons and modals: preview, open a round, schedule, prompts, export."""

from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import App

from bot import blocks, commands, handling, home, ids
from bot.services import Services
from scheduler import prompts as prompt_library
from scheduler import rounds
from scheduler.membership import InputError
from scheduler.round_settings import change_schedule, next_round_at, proposed_schedule
from scheduler.schedule import ScheduleError
from storage.db import read_scope, session_scope

log = logging.getLogger("unmentor")


def _who(body: dict) -> commands.Invocation:
    team_id = (body.get("team") or {}).get("id") or body.get("team_id") or body["user"].get("team_id")
    return commands.Invocation(team_id=team_id, user_id=body["user"]["id"], text="",
                               trigger_id=body.get("trigger_id"))


def _reply(services: Services, body: dict, respond, message: blocks.Message) -> None:
    """Where the click came from a message, answer there; from App Home, by DM."""
    if body.get("response_url"):
        respond(replace_original=True, **message)
    else:
        services.client.chat_postMessage(channel=body["user"]["id"], **message)


def _still_organiser(services: Services, who: commands.Invocation, client) -> bool:
    """Checked after a modal's ack (it may ask Slack); anyone else is told by DM and nothing is saved."""
    if commands.caller_is_organiser(services, who):
        return True
    client.chat_postMessage(channel=who.user_id, **blocks.organisers_only_message())
    return False


def register(app: App, services: Services) -> None:
    def organiser_click(action_id: str, work: Callable[[commands.Invocation, dict, object], None]) -> None:
        @app.action(action_id)
        def listener(ack, body, respond):
            ack()
            who = _who(body)

            def guarded():
                if not commands.caller_is_organiser(services, who):
                    _reply(services, body, respond, blocks.organisers_only_message())
                    return
                work(who, body, respond)

            handling.after_ack(services, body, respond, action_id, guarded)

    def preview(who, body, respond):
        _reply(services, body, respond, commands.preview_reply(services, who.team_id))

    def open_round(who, body, respond):
        outcome = rounds.open_round(services.engine, who.team_id, manual=True)
        _reply(services, body, respond, blocks.round_opened_message(outcome))
        home.refresh(services, who.team_id, who.user_id)

    def schedule(who, body, respond):
        commands.HANDLERS["schedule"](services, who, "")

    def prompts(who, body, respond):
        commands.HANDLERS["prompts"](services, who, "")

    def export(who, body, respond):
        commands.send_export(services, who.team_id, who.user_id)

    organiser_click(ids.ORG_PREVIEW, preview)
    organiser_click(ids.ORG_OPEN_ROUND, open_round)
    organiser_click(ids.ORG_SCHEDULE, schedule)
    organiser_click(ids.ORG_PROMPTS, prompts)
    organiser_click(ids.ORG_EXPORT, export)

    @app.view(ids.SCHEDULE_VIEW)
    def on_schedule(ack, body, view, client):
        # Only quick checks happen before the ack; whether the person may change it (which can
        # mean asking Slack) and the save come after, with the answer by DM.
        who = _who(body)
        picked = blocks.read_schedule_modal(view["state"]["values"])
        changes = dict(cadence=picked["cadence"], weekday=picked["weekday"], at=picked["time"],
                       timezone=picked["timezone"], country=picked["country"])

        def check():
            try:
                with read_scope(services.engine) as session:
                    proposed_schedule(session, who.team_id, **changes)
            except ScheduleError as problem:
                raise InputError(str(problem), problem.field) from None

        if not handling.ack_modal(ack, check, "cadence"):
            return

        def work():
            if not _still_organiser(services, who, client):
                return
            with session_scope(services.engine) as session:
                # Checked again as it's saved: a change made meanwhile elsewhere could clash with it
                # (after_ack then tells the organiser it didn't work).
                change_schedule(session, who.team_id, **changes)
                next_at = next_round_at(session, who.team_id)
            client.chat_postMessage(channel=who.user_id, **blocks.schedule_saved_message(next_at))
            home.refresh(services, who.team_id, who.user_id)

        handling.after_ack(services, body, None, "schedule", work)

    @app.view(ids.PROMPTS_VIEW)
    def on_prompts(ack, body, view, client):
        who = _who(body)
        parsed = {}

        def check():
            doc = prompt_library.parse_pasted(blocks.read_prompts_modal(view["state"]["values"]))
            parsed["library"] = prompt_library.parse_library(doc)
            parsed["doc"] = doc

        if not handling.ack_modal(ack, check, "library"):
            return

        def work():
            if not _still_organiser(services, who, client):
                return
            with session_scope(services.engine) as session:
                prompt_library.set_library(session, who.team_id, parsed["doc"])
            library = parsed["library"]
            client.chat_postMessage(channel=who.user_id,
                                    **blocks.prompts_saved_message(len(library.prompts), len(library.themes())))

        handling.after_ack(services, body, None, "prompts", work)
