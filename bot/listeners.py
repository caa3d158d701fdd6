"""Bolt listeners: acknowledge first, then hand plain values to the functions that do the work."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import blocks, commands, control_listeners, handling, home, ids, meeting_listeners, organiser_listeners
from bot.services import Services
from scheduler import membership
from scheduler.membership import SlackProfile
from scheduler.round_settings import next_round_at
from storage.db import session_scope

log = logging.getLogger("unmentor")


def register(app: App, services: Services) -> None:
    @app.command("/unmentor")
    def on_unmentor(ack, command, respond):
        ack()
        call = commands.Invocation(
            team_id=command["team_id"],
            user_id=command["user_id"],
            text=command.get("text") or "",
            trigger_id=command.get("trigger_id"),
        )
        try:
            reply = commands.run(services, call)
        except Exception:
            log.exception("/unmentor %s failed", commands.split(call.text)[0])
            reply = blocks.something_went_wrong_message()
        if reply is not None:
            respond(response_type="ephemeral", **reply)

    @app.view(ids.JOIN_VIEW)
    def on_join_submitted(ack, body, view, client):
        team_id, user_id = _team(body), body["user"]["id"]
        form = blocks.read_join_modal(view["state"]["values"])
        if not handling.ack_modal(ack, lambda: membership.check_profile(form), "organisation"):
            return

        def work():
            profile = commands.slack_user(services, user_id).profile
            with session_scope(services.engine) as session:
                result = membership.save_profile(session, team_id, user_id, form, profile)
                next_at = next_round_at(session, team_id)
            reply = blocks.joined_message(
                result.outcome is membership.JoinOutcome.joined, result.member.organisation, next_at
            )
            client.chat_postMessage(channel=user_id, **reply)
            home.refresh(services, team_id, user_id)

        handling.after_ack(services, body, None, body.get("type", "click"), work)

    @app.action(ids.LEAVE_CONFIRM)
    def on_leave_confirmed(ack, body, respond):
        ack()

        def work():
            with session_scope(services.engine) as session:
                change = membership.leave(session, _team(body), body["user"]["id"])
            reply = blocks.left_message() if change is membership.Change.done else blocks.not_member_message()
            _reply(body, respond, reply)
            home.refresh(services, _team(body), body["user"]["id"])

        handling.after_ack(services, body, respond, body.get("type", "click"), work)

    @app.action(ids.LEAVE_CANCEL)
    def on_leave_cancelled(ack, body, respond):
        ack()
        _reply(body, respond, blocks.stayed_message())

    for action_id, fn in (
        (ids.PAUSE, membership.pause),
        (ids.RESUME, membership.resume),
        (ids.SKIP, membership.skip_next),
    ):
        _register_home_change(app, services, action_id, fn)

    @app.action(ids.LEAVE)
    def on_home_leave(ack, body):
        # The Home button carries Slack's own confirm dialog, so this click is the confirmation.
        ack()

        def work():
            with session_scope(services.engine) as session:
                membership.leave(session, _team(body), body["user"]["id"])
            home.refresh(services, _team(body), body["user"]["id"])

        handling.after_ack(services, body, None, body.get("type", "click"), work)

    @app.action(ids.EDIT_PROFILE)
    def on_edit_profile(ack, body, client):
        ack()
        team_id, user_id = _team(body), body["user"]["id"]

        def work():
            with session_scope(services.engine) as session:
                result = membership.join(session, team_id, user_id, None, SlackProfile())
            client.views_open(trigger_id=body["trigger_id"], view=blocks.join_modal(result.prefill))

        handling.after_ack(services, body, None, body.get("type", "click"), work)

    @app.action(ids.SKIP_ROUND)
    def on_skip_round(ack, body, respond):
        ack()
        team_id, user_id = _team(body), body["user"]["id"]
        period = ids.parse_period((body.get("actions") or [{}])[0].get("value"))

        def work():
            with session_scope(services.engine) as session:
                change, started = membership.skip_round(session, team_id, user_id, period)
            _reply(body, respond, blocks.skip_round_reply(change, started))
            home.refresh(services, team_id, user_id)

        handling.after_ack(services, body, respond, body.get("type", "click"), work)

    meeting_listeners.register(app, services)
    control_listeners.register(app, services)
    organiser_listeners.register(app, services)

    @app.event("app_home_opened")
    def on_home_opened(event, body):
        # Bolt has already answered Slack; only now touch the database, so a busy one can't
        # make Slack wait. Slack retries an event it thinks failed: the first one did the work.
        if event.get("tab", "home") != "home" or not commands.first_delivery(services, body):
            return
        home.refresh(services, _team(body), event["user"])


def _register_home_change(app: App, services: Services, action_id: str, fn) -> None:
    @app.action(action_id)
    def on_change(ack, body):
        ack()

        def work():
            with session_scope(services.engine) as session:
                fn(session, _team(body), body["user"]["id"])
            home.refresh(services, _team(body), body["user"]["id"])

        handling.after_ack(services, body, None, body.get("type", "click"), work)


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or body.get("team_id") or body["user"].get("team_id")


def _reply(body: dict, respond, reply: blocks.Message) -> None:
    """Replace the ephemeral message the click came from, when there is one to replace."""
    if body.get("response_url"):
        respond(replace_original=True, **reply)
