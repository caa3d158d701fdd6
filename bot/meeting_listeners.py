"""Listeners for the intro's buttons, the replies they lead to, and the meeting and follow-up modals."""

from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import blocks, handling, ids
from bot.gateway import SlackGateway
from bot.services import Services
from scheduler import delivery, meeting_times, meetings
from scheduler.meetings import Outcome, Result
from storage.db import read_scope, session_scope

log = logging.getLogger("unmentor")


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or body.get("team_id") or body["user"].get("team_id")


def _group_from_click(body: dict) -> int | None:
    return ids.parse_value((body.get("actions") or [{}])[0].get("value"), "group")


def _group_from_view(view: dict) -> int | None:
    return ids.parse_value(view.get("private_metadata"), "group")


def _send(services: Services, team_id: str, result: Result) -> None:
    """Deliver what the click set off (intro edits, partner notices) now, not at the clock's next pass."""
    if result.send_now:
        delivery.deliver(services.engine, team_id, SlackGateway(services.client), pace=0, keys=result.send_now)


def _common_reply(result: Result) -> blocks.Message | None:
    if result.outcome is Outcome.round_ended:
        return blocks.round_ended_reply(result.round_number)
    if result.outcome is Outcome.match_ended:
        return blocks.match_ended_reply()
    if result.outcome is Outcome.not_yours:
        return blocks.not_yours_reply()
    return None


def _tell(services: Services, body: dict, respond, reply: blocks.Message, *, replace: bool = False) -> None:
    """An answer only the clicker sees."""
    if body.get("response_url"):
        if replace:
            respond(replace_original=True, **reply)
        else:
            respond(response_type="ephemeral", replace_original=False, **reply)


def _tell_in_group(services: Services, user_id: str, channel: str | None, reply: blocks.Message) -> None:
    """After a modal (which has no response URL): an ephemeral note in the pair's conversation, else a DM."""
    try:
        if channel:
            services.client.chat_postEphemeral(channel=channel, user=user_id, **reply)
            return
    except SlackApiError as error:
        log.warning("chat.postEphemeral failed: %s", error.response.get("error"))
    services.client.chat_postMessage(channel=user_id, **reply)


def _check_open(services: Services, body: dict) -> Result:
    with session_scope(services.engine) as session:
        return meetings.check_open(session, _team(body), body["user"]["id"], _group_from_click(body))


def register(app: App, services: Services) -> None:
    def on_click(action_id: str, work: Callable[[dict, object], None]) -> None:
        @app.action(action_id)
        def listener(ack, body, respond):
            ack()
            handling.after_ack(services, body, respond, action_id, lambda: work(body, respond))

    def open_modal(build: Callable[[int, dict], dict]) -> Callable[[dict, object], None]:
        def work(body, respond):
            check = _check_open(services, body)
            if check.outcome is not Outcome.done:
                _tell(services, body, respond, _common_reply(check))
                return
            services.client.views_open(trigger_id=body["trigger_id"], view=build(check.group_id, body))
        return work

    on_click(ids.MEETING_SCHEDULED, open_modal(lambda group_id, body: blocks.scheduled_modal(group_id)))
    on_click(ids.MEETING_RESCHEDULE, open_modal(lambda group_id, body: blocks.reschedule_modal(group_id)))
    on_click(ids.RESCHEDULE_COUNTER, open_modal(lambda group_id, body: blocks.reschedule_modal(group_id)))

    def met(body, respond):
        team_id = _team(body)
        with session_scope(services.engine) as session:
            result = meetings.mark_met(session, team_id, body["user"]["id"], _group_from_click(body))
        _send(services, team_id, result)
        _tell(services, body, respond, _common_reply(result) or blocks.met_reply(result.outcome is Outcome.already))

    def missed(body, respond):
        team_id = _team(body)
        with session_scope(services.engine) as session:
            result = meetings.mark_missed(session, team_id, body["user"]["id"], _group_from_click(body))
        _send(services, team_id, result)
        reply = _common_reply(result) or (
            blocks.met_cannot_miss_reply() if result.outcome is Outcome.already_met
            else blocks.missed_reply(result.group_id, result.outcome is Outcome.already))
        _tell(services, body, respond, reply)

    def try_again(body, respond):
        team_id = _team(body)
        with session_scope(services.engine) as session:
            result = meetings.try_again(session, team_id, body["user"]["id"], _group_from_click(body))
        _send(services, team_id, result)
        _tell(services, body, respond,
              _common_reply(result) or blocks.try_again_reply(result.outcome is Outcome.already), replace=True)

    def leave_it(body, respond):
        team_id = _team(body)
        with session_scope(services.engine) as session:
            result = meetings.leave_it_there(session, team_id, body["user"]["id"], _group_from_click(body))
        _tell(services, body, respond, _common_reply(result) or blocks.leave_it_reply(), replace=True)

    def no_reply(body, respond):
        with session_scope(services.engine) as session:
            check = meetings.check_silence_report(session, _team(body), body["user"]["id"], _group_from_click(body))
        if check.outcome is Outcome.done:
            reply = blocks.no_reply_choice(check.group_id)
        else:
            reply = _common_reply(check) or blocks.still_in_touch_reply()
        _tell(services, body, respond, reply)

    def partner_silent(rematch_now: bool):
        def work(body, respond):
            team_id = _team(body)
            with session_scope(services.engine) as session:
                result = meetings.partner_silent(session, team_id, body["user"]["id"], _group_from_click(body),
                                                 rematch_now=rematch_now)
            _send(services, team_id, result)
            if result.outcome in (Outcome.in_touch, Outcome.too_soon):
                reply = blocks.still_in_touch_reply()
            elif result.too_late_to_rematch:
                reply = blocks.too_late_to_rematch_reply()
            elif rematch_now:
                reply = _common_reply(result) or blocks.rematched_reply(result.new_group_id is not None)
            else:
                reply = _common_reply(result) or blocks.sat_out_reply()
            _tell(services, body, respond, reply, replace=True)
        return work

    def accept(body, respond):
        team_id = _team(body)
        with session_scope(services.engine) as session:
            result = meetings.accept_reschedule(session, team_id, body["user"]["id"], _group_from_click(body))
        _send(services, team_id, result)
        if result.outcome is Outcome.own_suggestion:
            reply = blocks.cannot_accept_own_reply()
        else:
            reply = _common_reply(result) or blocks.reschedule_accepted_reply(
                result.meeting_at, result.outcome is Outcome.already)
        _tell(services, body, respond, reply, replace=True)

    def open_follow_up(body, respond):
        team_id, user_id, group_id = _team(body), body["user"]["id"], _group_from_click(body)
        with session_scope(services.engine) as session:
            check, prefill = meetings.follow_up_prefill(session, team_id, user_id, group_id)
        if check.outcome is not Outcome.done:
            _tell(services, body, respond, blocks.not_yours_reply())
            return
        services.client.views_open(trigger_id=body["trigger_id"], view=blocks.follow_up_modal(group_id, prefill))

    on_click(ids.MEETING_MET, met)
    on_click(ids.MEETING_MISSED, missed)
    on_click(ids.MISSED_TRY_AGAIN, try_again)
    on_click(ids.MISSED_LEAVE_IT, leave_it)
    on_click(ids.PARTNER_NO_REPLY, no_reply)
    on_click(ids.NO_REPLY_REMATCH, partner_silent(True))
    on_click(ids.NO_REPLY_SIT_OUT, partner_silent(False))
    on_click(ids.RESCHEDULE_ACCEPT, accept)
    on_click(ids.FOLLOW_UP_OPEN, open_follow_up)

    @app.view(ids.SCHEDULED_VIEW)
    def on_scheduled(ack, body, view):
        team_id, user_id, group_id = _team(body), body["user"]["id"], _group_from_view(view)
        day, at = blocks.read_date_and_time(view["state"]["values"])
        picked = {}

        def check():
            with read_scope(services.engine) as session:
                picked["at"] = meeting_times.picked_time(session, team_id, user_id, day, at)

        if not handling.ack_modal(ack, check, "date"):
            return
        meeting_at = picked["at"]

        def work():
            with session_scope(services.engine) as session:
                result = meetings.mark_scheduled(session, team_id, user_id, group_id, meeting_at)
            _send(services, team_id, result)
            reply = _common_reply(result) or blocks.scheduled_reply(
                result.partner_ids, meeting_at, result.outcome is Outcome.already)
            _tell_in_group(services, user_id, result.channel_id, reply)

        handling.after_ack(services, body, None, "scheduling", work)

    @app.view(ids.RESCHEDULE_VIEW)
    def on_reschedule(ack, body, view):
        team_id, user_id, group_id = _team(body), body["user"]["id"], _group_from_view(view)
        values = view["state"]["values"]
        day, at = blocks.read_date_and_time(values)
        note = blocks.read_note(values)
        picked = {}

        def check():
            with read_scope(services.engine) as session:
                picked["at"] = meeting_times.picked_time(session, team_id, user_id, day, at)
            meetings.check_reschedule(picked["at"], note)

        if not handling.ack_modal(ack, check, "note"):
            return
        suggested_at = picked["at"]

        def work():
            with session_scope(services.engine) as session:
                result = meetings.ask_reschedule(session, team_id, user_id, group_id, suggested_at, note)
            _send(services, team_id, result)
            if result.outcome is Outcome.already_met:
                reply = blocks.met_cannot_move_reply()
            else:
                reply = _common_reply(result) or blocks.reschedule_reply(result.partner_ids)
            _tell_in_group(services, user_id, result.channel_id, reply)

        handling.after_ack(services, body, None, "rescheduling", work)

    @app.view(ids.FOLLOW_UP_VIEW)
    def on_follow_up(ack, body, view, client):
        team_id, user_id, group_id = _team(body), body["user"]["id"], _group_from_view(view)
        form = blocks.read_follow_up_modal(view["state"]["values"])
        if not handling.ack_modal(ack, lambda: meetings.check_follow_up(form), "learned"):
            return

        def work():
            with session_scope(services.engine) as session:
                result = meetings.save_follow_up(session, team_id, user_id, group_id, form)
            _send(services, team_id, result)
            client.chat_postMessage(channel=user_id, **(_common_reply(result) or blocks.follow_up_thanks()))

        handling.after_ack(services, body, None, "follow-up", work)
