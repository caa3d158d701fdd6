"""Listeners for the intro's buttons, the replies they lead to, and the meeting and follow-up modals."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.blocks import kit as kit_blocks
from bot.blocks import meetings as meeting_blocks
from bot.handling import Listeners, open_form, reader_zones, tell_clicker
from bot.payload import Payload
from bot.sent_now import deliver_now
from bot.services import Services
from scheduler import departures, meeting_times, meetings
from scheduler.group_state import group_size
from scheduler.meetings import FollowUpForm, Outcome, Result
from storage.db import read_scope, session_scope

log = logging.getLogger("unmentor")
LISTENERS = Listeners()


def register(app: App, services: Services) -> None:
    LISTENERS.register(app, services)


def _clicker_zones(services: Services, p: Payload) -> tuple[str, ...]:
    return reader_zones(services, p.team_id, p.user_id)


def _common_reply(result: Result) -> kit_blocks.Message | None:
    if result.outcome is Outcome.round_ended:
        return meeting_blocks.round_ended_reply(result.round_number)
    if result.outcome is Outcome.group_ended:
        return meeting_blocks.group_ended_reply()
    if result.outcome is Outcome.not_yours:
        return meeting_blocks.not_yours_reply()
    if result.outcome is Outcome.stepped_out:
        return meeting_blocks.out_of_group_reply()
    return None


def _tell_in_group(services: Services, user_id: str, channel: str | None, reply: kit_blocks.Message) -> None:
    """After a modal (which has no response URL): an ephemeral note in the pair's conversation, else a DM."""
    try:
        if channel:
            services.client.chat_postEphemeral(channel=channel, user=user_id, **reply)
            return
    except SlackApiError as error:
        log.warning("chat.postEphemeral failed: %s", error.response.get("error"))
    services.client.chat_postMessage(channel=user_id, **reply)


def _open_modal(services: Services, p: Payload, respond, build) -> None:
    """Open a meeting modal, if the button's match is the clicker's and still running."""
    with session_scope(services.engine) as session:
        check = meetings.check_open(session, p.team_id, p.user_id, p.group_id)
    if check.outcome is not Outcome.done:
        tell_clicker(p, respond, _common_reply(check), replace=False)
        return
    open_form(services, p.trigger_id, build(check.group_id))


@LISTENERS.click(ids.MEETING_SCHEDULED, opens_form=True)
def scheduled_clicked(services: Services, p: Payload, respond) -> None:
    _open_modal(services, p, respond, meeting_blocks.scheduled_modal)


@LISTENERS.click(ids.MEETING_RESCHEDULE, ids.NONE_OF_THESE, opens_form=True)
def reschedule_clicked(services: Services, p: Payload, respond) -> None:
    _open_modal(services, p, respond, meeting_blocks.reschedule_modal)


@LISTENERS.click(ids.RESCHEDULE_COUNTER, opens_form=True)
def counter_clicked(services: Services, p: Payload, respond) -> None:
    """"Suggest another time" on a reschedule notice: the form, unless the request no longer stands."""
    with session_scope(services.engine) as session:
        check = meetings.check_counter(session, p.team_id, p.user_id, p.group_id)
    if check.outcome is Outcome.request_withdrawn:
        tell_clicker(p, respond, meeting_blocks.request_withdrawn_reply(check.out_ids, check.partner_ids))
    elif check.outcome is not Outcome.done:
        tell_clicker(p, respond, _common_reply(check), replace=False)
    else:
        open_form(services, p.trigger_id, meeting_blocks.reschedule_modal(check.group_id))


@LISTENERS.click(*ids.suggested_time_ids())
def time_works(services: Services, p: Payload, respond) -> None:
    index = ids.parse_suggested_time(p.action_id)
    with session_scope(services.engine) as session:
        result = meetings.choose_time(session, p.team_id, p.user_id, p.group_id, -1 if index is None else index)
    deliver_now(services, p.team_id, result.send_now)
    reply = _common_reply(result) or meeting_blocks.time_chosen_reply(result, zones=_clicker_zones(services, p))
    tell_clicker(p, respond, reply, replace=False)


@LISTENERS.click(*ids.calendar_link_ids())
def calendar_link_opened(services: Services, p: Payload, respond) -> None:
    """The link itself opens in the member's browser; there is nothing for the bot to do."""


@LISTENERS.click(ids.MEETING_MET)
def met(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.mark_met(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    reply = _common_reply(result) or meeting_blocks.met_reply(result.outcome is Outcome.already,
                                                              follow_up_gone=result.too_late_to_rematch)
    tell_clicker(p, respond, reply, replace=False)


@LISTENERS.click(ids.MEETING_MISSED)
def missed(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.mark_missed(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    reply = _common_reply(result) or (
        meeting_blocks.met_cannot_miss_reply() if result.outcome is Outcome.already_met
        else meeting_blocks.missed_reply(result.group_id, result.outcome is Outcome.already))
    tell_clicker(p, respond, reply, replace=False)


@LISTENERS.click(ids.MEETING_STEP_OUT)
def step_out(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.step_out(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.already_met:
        reply = meeting_blocks.met_cannot_miss_reply()
    else:
        reply = _common_reply(result) or meeting_blocks.stepped_out_reply(result.partner_ids, result.carried_on)
    tell_clicker(p, respond, reply, replace=False)


@LISTENERS.click(ids.MISSED_TRY_AGAIN)
def try_again(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.try_again(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    tell_clicker(p, respond, _common_reply(result) or meeting_blocks.try_again_reply(result.outcome is Outcome.already))


@LISTENERS.click(ids.MISSED_LEAVE_IT)
def leave_it(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.leave_it_there(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    tell_clicker(p, respond, _common_reply(result) or meeting_blocks.leave_it_reply(
        result.partner_ids if result.outcome is Outcome.done else ()))


@LISTENERS.click(ids.RESCHEDULE_LET_GO)
def let_go(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.let_go(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.already_met:
        reply = meeting_blocks.met_cannot_miss_reply()
    elif result.outcome is Outcome.request_withdrawn:
        reply = meeting_blocks.request_withdrawn_reply(result.out_ids, result.partner_ids)
    elif result.outcome is Outcome.already:
        reply = meeting_blocks.partner_left_already_reply()
    else:
        reply = _common_reply(result) or meeting_blocks.let_go_reply(result.partner_ids)
    tell_clicker(p, respond, reply)


@LISTENERS.click(ids.PARTNER_NO_REPLY)
def no_reply(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        check = meetings.report_silence(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, check.send_now)
    if check.outcome is Outcome.nudged:
        reply = meeting_blocks.quiet_partner_nudged_reply(check.partner_ids, check.wait_until,
                                                          fresh=bool(check.send_now), quiet_ids=check.quiet_ids,
                                                          zones=_clicker_zones(services, p))
    elif check.carried_on:
        reply = meeting_blocks.carry_on_as_pair_reply(check.partner_ids, check.out_ids)
    elif check.outcome is Outcome.done:
        reply = meeting_blocks.no_reply_choice(check.group_id, can_rematch=not check.too_late_to_rematch)
    else:
        reply = _common_reply(check) or (meeting_blocks.too_soon_reply() if check.outcome is Outcome.too_soon
                                         else meeting_blocks.still_in_touch_reply())
    tell_clicker(p, respond, reply, replace=False)


def _partner_silent(services: Services, p: Payload, respond, *, rematch_now: bool) -> None:
    with session_scope(services.engine) as session:
        result = meetings.partner_silent(session, p.team_id, p.user_id, p.group_id, rematch_now=rematch_now)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.too_soon:
        reply = meeting_blocks.too_soon_reply()
    elif result.outcome is Outcome.in_touch:
        reply = meeting_blocks.still_in_touch_reply()
    else:
        reply = _fresh_group_or_next_round_reply(result, rematch_now)
    tell_clicker(p, respond, reply)


def _fresh_group_or_next_round_reply(result, rematch_now: bool):
    """The answer to "find me someone new" or "next round is fine", whichever way the match ended."""
    if result.too_late_to_rematch:
        return meeting_blocks.too_late_to_rematch_reply()
    if rematch_now:
        return _common_reply(result) or meeting_blocks.rematched_reply(result.new_group_id is not None)
    return _common_reply(result) or meeting_blocks.sat_out_reply()


@LISTENERS.click(ids.NO_REPLY_REMATCH)
def find_someone_else(services: Services, p: Payload, respond) -> None:
    _partner_silent(services, p, respond, rematch_now=True)


@LISTENERS.click(ids.NO_REPLY_SIT_OUT)
def sit_this_one_out(services: Services, p: Payload, respond) -> None:
    _partner_silent(services, p, respond, rematch_now=False)


def _after_partner_left(services: Services, p: Payload, respond, *, rematch_now: bool) -> None:
    with session_scope(services.engine) as session:
        result = departures.after_partner_left(session, p.team_id, p.user_id, p.group_id, rematch_now=rematch_now)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.already:
        reply = meeting_blocks.partner_left_already_reply()
    else:
        reply = _fresh_group_or_next_round_reply(result, rematch_now)
    tell_clicker(p, respond, reply)


@LISTENERS.click(ids.PARTNER_LEFT_REMATCH)
def partner_left_rematch(services: Services, p: Payload, respond) -> None:
    _after_partner_left(services, p, respond, rematch_now=True)


@LISTENERS.click(ids.PARTNER_LEFT_WAIT)
def partner_left_wait(services: Services, p: Payload, respond) -> None:
    _after_partner_left(services, p, respond, rematch_now=False)


@LISTENERS.click(ids.RESCHEDULE_ACCEPT)
def accept_reschedule(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = meetings.accept_reschedule(session, p.team_id, p.user_id, p.group_id)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.own_suggestion:
        reply = meeting_blocks.cannot_accept_own_reply(result.partner_ids)
    elif result.outcome is Outcome.request_withdrawn:
        reply = meeting_blocks.request_withdrawn_reply(result.out_ids, result.partner_ids)
    else:
        reply = _common_reply(result) or meeting_blocks.reschedule_accepted_reply(
            result.meeting_at, result.outcome is Outcome.already, result.told, group_size(result.partner_ids),
            zones=_clicker_zones(services, p))
    tell_clicker(p, respond, reply)


@LISTENERS.click(ids.FOLLOW_UP_OPEN, opens_form=True)
def open_follow_up(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        check, prefill = meetings.follow_up_prefill(session, p.team_id, p.user_id, p.group_id)
    if check.outcome is not Outcome.done:
        tell_clicker(p, respond, meeting_blocks.not_yours_reply(), replace=False)
        return
    open_form(services, p.trigger_id, meeting_blocks.follow_up_modal(p.group_id, prefill))


def _picked_time(services: Services, p: Payload) -> datetime | None:
    """The day and time picked in a meeting modal, in the picker's time zone (InputError if passed)."""
    day, at = meeting_blocks.read_date_and_time(p.values)
    with read_scope(services.engine) as session:
        return meeting_times.picked_time(session, p.team_id, p.user_id, day, at)


@LISTENERS.modal(ids.SCHEDULED_VIEW, check=_picked_time, field="date")
def scheduled_submitted(services: Services, p: Payload, meeting_at: datetime | None) -> None:
    with session_scope(services.engine) as session:
        result = meetings.mark_scheduled(session, p.team_id, p.user_id, p.group_id, meeting_at)
    deliver_now(services, p.team_id, result.send_now)
    reply = _common_reply(result) or meeting_blocks.scheduled_reply(
        result.partner_ids, meeting_at, result.outcome is Outcome.already, zones=_clicker_zones(services, p))
    _tell_in_group(services, p.user_id, result.channel_id, reply)


def _check_reschedule(services: Services, p: Payload) -> tuple[datetime | None, str]:
    suggested_at, note = _picked_time(services, p), meeting_blocks.read_note(p.values)
    meetings.check_reschedule(suggested_at, note)
    return suggested_at, note


@LISTENERS.modal(ids.RESCHEDULE_VIEW, check=_check_reschedule, field="note")
def reschedule_submitted(services: Services, p: Payload, suggestion: tuple[datetime | None, str]) -> None:
    suggested_at, note = suggestion
    with session_scope(services.engine) as session:
        result = meetings.ask_reschedule(session, p.team_id, p.user_id, p.group_id, suggested_at, note)
    deliver_now(services, p.team_id, result.send_now)
    if result.outcome is Outcome.already_met:
        reply = meeting_blocks.met_cannot_move_reply()
    else:
        reply = _common_reply(result) or meeting_blocks.reschedule_reply(result.partner_ids, result.group_id,
                                                                         result.offer_let_go)
    _tell_in_group(services, p.user_id, result.channel_id, reply)


def _check_follow_up(services: Services, p: Payload) -> FollowUpForm:
    form = meeting_blocks.read_follow_up_modal(p.values)
    meetings.check_follow_up(form)
    return form


@LISTENERS.modal(ids.FOLLOW_UP_VIEW, check=_check_follow_up, field="learned")
def follow_up_submitted(services: Services, p: Payload, form: FollowUpForm) -> None:
    with session_scope(services.engine) as session:
        result = meetings.save_follow_up(session, p.team_id, p.user_id, p.group_id, form)
    deliver_now(services, p.team_id, result.send_now)
    services.client.chat_postMessage(channel=p.user_id, **(_common_reply(result) or meeting_blocks.follow_up_thanks()))
