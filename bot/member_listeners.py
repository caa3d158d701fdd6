"""Listeners for members: `/unmentor`, the join modal, leave, App Home's buttons and the heads-up's Skip."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import callers, commands, handling, home, ids
from bot.blocks import member as member_blocks
from bot.blocks import usually_free as usually_free_blocks
from bot.handling import Listeners
from bot.payload import Payload
from bot.sent_now import after_leaving, deliver_now
from bot.services import Services
from scheduler import meeting_times, membership, quiet_rounds
from scheduler.departures import Departure
from scheduler.membership import ProfileForm, SlackProfile
from scheduler.suggested_times import UsuallyFree
from scheduler.workspace_schedule import next_round_at
from storage import members as member_store
from storage.db import session_scope
from storage.models import MemberStatus

log = logging.getLogger("unmentor")
LISTENERS = Listeners()


def register(app: App, services: Services) -> None:
    LISTENERS.register(app, services)


@LISTENERS.command("/unmentor", opens_form=commands.opens_form)
def unmentor_command(services: Services, p: Payload, respond) -> None:
    redraws = commands.split(p.text)[0] in commands.REDRAWS_HOME
    before = home.what_it_shows(services, p.team_id, p.user_id) if redraws else None
    try:
        reply = commands.run(services, p)
    except Exception:
        # Only a known command word: the rest of the text is the member's own words.
        word = commands.split(p.text)[0]
        log.exception("/unmentor %s failed", word if word in commands.HANDLERS else "(other)")
        reply = member_blocks.something_went_wrong_message()
    if reply is not None:
        respond(response_type="ephemeral", **reply)
        if redraws and home.what_it_shows(services, p.team_id, p.user_id) != before:
            home.refresh(services, p.team_id, p.user_id)


@LISTENERS.event("app_home_opened")
def home_opened(services: Services, p: Payload, event: dict) -> None:
    # Bolt has already answered Slack; only now touch the database, so a busy one can't
    # make Slack wait. Slack retries an event it thinks failed: the first one did the work.
    if not p.user_id or event.get("tab", "home") != "home" or not callers.first_delivery(services, p):
        return
    home.refresh(services, p.team_id, p.user_id)


def _check_join(services: Services, p: Payload) -> ProfileForm:
    form = member_blocks.read_join_modal(p.values)
    membership.check_profile(form)
    return form


@LISTENERS.modal(ids.JOIN_VIEW, check=_check_join, field="organisation")
def join_submitted(services: Services, p: Payload, form: ProfileForm) -> None:
    zones = handling.reader_zones(services, p.team_id, p.user_id)  # as they were before joining
    profile = callers.slack_user(services, p.user_id).profile
    with session_scope(services.engine) as session:
        result = membership.save_profile(session, p.team_id, p.user_id, form, profile)
        welcome = membership.welcome(session, p.team_id, result)  # a new member's, or its edit: the outbox
        next_at = next_round_at(session, p.team_id)
    deliver_now(services, p.team_id, welcome)
    if result.outcome is not membership.JoinOutcome.joined:
        services.client.chat_postMessage(channel=p.user_id, **member_blocks.joined_message(
            False, result.member.organisation, next_at, zones=zones))
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.LEAVE_CONFIRM)
def leave_confirmed(services: Services, p: Payload, respond) -> None:
    departure = Departure()
    with session_scope(services.engine) as session:
        change = membership.leave(session, p.team_id, p.user_id, departure)
    after_leaving(services, p.team_id, departure)
    handling.tell_clicker(p, respond, member_blocks.left_message() if change is membership.Change.done
           else member_blocks.not_member_message())
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.LEAVE_CANCEL)
def leave_cancelled(services: Services, p: Payload, respond) -> None:
    handling.tell_clicker(p, respond, member_blocks.stayed_message())


@LISTENERS.click(ids.LEAVE_PAUSE_INSTEAD)
def leave_paused_instead(services: Services, p: Payload, respond) -> None:
    # They were about to leave, and were told the others would be looked after: pausing here
    # takes them out of this round's match too, so nobody is left waiting in silence.
    with session_scope(services.engine) as session:
        change, stepped = membership.pause_stepping_out(session, p.team_id, p.user_id)
    if stepped is None:
        reply = member_blocks.change_message("pause", change)
    else:
        deliver_now(services, p.team_id, stepped.send_now)
        reply = member_blocks.paused_stepping_out_message(stepped.partner_ids, stepped.carried_on)
    handling.tell_clicker(p, respond, reply)
    home.refresh(services, p.team_id, p.user_id)


# App Home's one-click changes; the Home tab shows the result.
_HOME_CHANGES = {ids.PAUSE: membership.pause, ids.RESUME: membership.resume, ids.SKIP: membership.skip_next}


@LISTENERS.click(*_HOME_CHANGES)
def home_change(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        _HOME_CHANGES[p.action_id](session, p.team_id, p.user_id)
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.LEAVE)
def home_leave(services: Services, p: Payload, respond) -> None:
    # The Home button carries Slack's own confirm dialog, so this click is the confirmation.
    departure = Departure()
    with session_scope(services.engine) as session:
        membership.leave(session, p.team_id, p.user_id, departure)
    after_leaving(services, p.team_id, departure)
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.EDIT_PROFILE, opens_form=True)
def edit_profile(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        result = membership.join(session, p.team_id, p.user_id, None, SlackProfile())
    handling.open_form(services, p.trigger_id, member_blocks.join_modal(result.prefill))


@LISTENERS.click(ids.USUALLY_FREE, opens_form=True)
def usually_free_clicked(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        member = member_store.get_member(session, p.team_id, p.user_id)
    if member is None or member.status == MemberStatus.left.value:
        handling.tell_clicker(p, respond, member_blocks.not_member_message())
        return
    free = meeting_times.usually_free(member.timezone, member.usually_free)
    handling.open_form(services, p.trigger_id, usually_free_blocks.usually_free_modal(free))


def _check_usually_free(services: Services, p: Payload) -> UsuallyFree:
    return meeting_times.check_usually_free(*usually_free_blocks.read_usually_free_modal(p.values))


@LISTENERS.modal(ids.USUALLY_FREE_VIEW, check=_check_usually_free, field="days")
def usually_free_submitted(services: Services, p: Payload, free: UsuallyFree) -> None:
    with session_scope(services.engine) as session:
        meeting_times.set_usually_free(session, p.team_id, p.user_id, free)
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.SKIP_ROUND)
def skip_round(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        change, stands = membership.skip_round(session, p.team_id, p.user_id, p.period)
    handling.tell_clicker(p, respond, member_blocks.skip_round_reply(change, stands))
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.KEEP_ME_IN)
def keep_me_in(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        kept = quiet_rounds.keep_in(session, p.team_id, p.user_id)
        next_at = next_round_at(session, p.team_id)
    zones = handling.reader_zones(services, p.team_id, p.user_id)
    reply = member_blocks.kept_in_reply(next_at, zones=zones) if kept else member_blocks.not_member_message()
    handling.tell_clicker(p, respond, reply)
    home.refresh(services, p.team_id, p.user_id)


@LISTENERS.click(ids.PAUSE_FOR_NOW)
def pause_for_now(services: Services, p: Payload, respond) -> None:
    with session_scope(services.engine) as session:
        change = membership.pause(session, p.team_id, p.user_id)
    handling.tell_clicker(p, respond, member_blocks.not_member_message() if change is membership.Change.not_member
           else member_blocks.paused_for_now_reply())
    home.refresh(services, p.team_id, p.user_id)
