"""Every golden case: a name (the file under golden/), the builder it tests, and its input from personas.

Names read as `<module>.<builder>.<situation>`. A builder with several branches has a case for each
branch people can see.
"""

from __future__ import annotations

from bot.blocks import meetings, member, organisers, sends, usually_free
from scheduler.avoid import AvoidChange
from scheduler.meetings import FollowUpForm, Outcome, Result
from scheduler.membership import Change, HeadsUpRound, ProfileForm
from scheduler.organisers import OrganiserChange
from scheduler.rematch import FailedIntros
from scheduler.round_plan import RoundPlan
from scheduler.rounds import OpenOutcome
from scheduler.sends.announce import Announcement
from scheduler.sends.calendar_links import CalendarLinks
from scheduler.sends.follow_up import FollowUpAsk
from scheduler.sends.intro import Person
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
from scheduler.sends.unmatched import Unmatched
from scheduler.sends.wait_over import WaitOver
from scheduler.sends.waiting_check import WaitingCheck
from scheduler.sends.waiting_check_settled import WaitingCheckSettled
from scheduler.sends.welcome import Welcome
from scheduler.sends.welcome_back import WelcomeBack
from scheduler.suggested_times import Part, UsuallyFree
from tests import personas as p

MARKER = "unmentor:intro:42"  # what the outbox puts on a send so a restart can find it


def _plan() -> RoundPlan:
    people = p.plan_members()
    return RoundPlan(period="2027-01", seed=7, times=p.next_opening(p.SCHEDULE, p.ROUND_CLOSES),
                     groups=[[people[0], people[1]], [people[2], people[3]]], unmatched=[people[4]])


def _member_cases() -> dict:
    cases = {
        "member.help_message": (member.help_message, lambda: member.help_message()),
        "member.help_message.organiser": (member.help_message, lambda: member.help_message(organiser=True)),
        "member.unknown_command_message": (member.unknown_command_message,
                                           lambda: member.unknown_command_message("frobnicate")),
        "member.joined_message.new": (member.joined_message,
                                      lambda: member.joined_message(True, "Acme Housing", p.NEXT_ROUND)),
        "member.joined_message.updated": (member.joined_message,
                                          lambda: member.joined_message(False, "Acme Housing", p.NEXT_ROUND)),
        "member.input_error_message": (member.input_error_message,
                                       lambda: member.input_error_message("Your organisation needs a name.")),
        "member.not_member_message": (member.not_member_message, lambda: member.not_member_message()),
        "member.paused_until_message": (member.paused_until_message,
                                        lambda: member.paused_until_message(p.PAUSED_UNTIL)),
        "member.pause_until_usage_message": (member.pause_until_usage_message,
                                             lambda: member.pause_until_usage_message()),
        "member.avoid_list_message.empty": (member.avoid_list_message, lambda: member.avoid_list_message([])),
        "member.avoid_list_message.two": (member.avoid_list_message,
                                          lambda: member.avoid_list_message(["UGUS", "UHAL"])),
        "member.avoid_usage_message": (member.avoid_usage_message, lambda: member.avoid_usage_message()),
        "member.kept_in_reply": (member.kept_in_reply, lambda: member.kept_in_reply(p.NEXT_ROUND)),
        "member.paused_for_now_reply": (member.paused_for_now_reply, lambda: member.paused_for_now_reply()),
        "member.removed_notice_message.may_rejoin": (member.removed_notice_message,
                                                     lambda: member.removed_notice_message("UOLI", True)),
        "member.removed_notice_message.only_if_allowed": (member.removed_notice_message,
                                                          lambda: member.removed_notice_message("UOLI", False)),
        "member.status_message.matched": (member.status_message, lambda: member.status_message(p.ada_status())),
        "member.status_message.paused": (member.status_message, lambda: member.status_message(
            p.ada_status(member=p.member(status="paused"), partner_user_ids=(), round_number=None))),
        "member.status_message.skipping": (member.status_message, lambda: member.status_message(
            p.ada_status(member=p.member(status="skipping"), partner_user_ids=(), round_number=None))),
        "member.status_message.paused_until": (member.status_message, lambda: member.status_message(
            p.ada_status(member=p.member(status="paused", paused_until=p.PAUSED_UNTIL), partner_user_ids=(),
                         round_number=None))),
        "member.status_message.partner_stepped_away": (member.status_message, lambda: member.status_message(
            p.ada_status(partner_user_ids=()))),
        "member.leave_confirm_message": (member.leave_confirm_message, lambda: member.leave_confirm_message()),
        "member.leave_confirm_message.mid_round": (member.leave_confirm_message,
                                                   lambda: member.leave_confirm_message(("UBEN",))),
        "member.leave_confirm_message.mid_round_trio": (member.leave_confirm_message,
                                                        lambda: member.leave_confirm_message(("UBEN", "UCY"))),
        "member.paused_stepping_out_message.pair": (member.paused_stepping_out_message,
                                                    lambda: member.paused_stepping_out_message(("UBEN",), False)),
        "member.paused_stepping_out_message.trio": (member.paused_stepping_out_message,
                                                    lambda: member.paused_stepping_out_message(("UBEN", "UCY"), True)),
        "member.paused_while_matched_message": (member.paused_while_matched_message,
                                                lambda: member.paused_while_matched_message(("UBEN",))),
        "member.left_message": (member.left_message, lambda: member.left_message()),
        "member.stayed_message": (member.stayed_message, lambda: member.stayed_message()),
        "member.something_went_wrong_message": (member.something_went_wrong_message,
                                                lambda: member.something_went_wrong_message()),
        "member.organisers_only_message": (member.organisers_only_message, lambda: member.organisers_only_message()),
        "member.join_modal.empty": (member.join_modal, lambda: member.join_modal(ProfileForm(organisation=""))),
        "member.join_modal.prefilled": (member.join_modal, lambda: member.join_modal(p.ADA_PROFILE)),
        "member.home_view.newcomer": (member.home_view, lambda: member.home_view(p.newcomer_status())),
        "member.home_view.active": (member.home_view, lambda: member.home_view(p.ada_status())),
        # Ada said she's free Tuesday and Thursday mornings and early evenings; her chat is fixed.
        "member.home_view.usually_free_and_scheduled": (member.home_view, lambda: member.home_view(p.ada_status(
            member=p.member(usually_free="tue,thu|morning,evening", timezone="Europe/London"),
            meeting_at=p.MEETING_AT))),
        "member.status_message.scheduled": (member.status_message, lambda: member.status_message(
            p.ada_status(meeting_at=p.MEETING_AT))),
        "usually_free.usually_free_modal.usual": (usually_free.usually_free_modal, lambda: (
            usually_free.usually_free_modal(
            UsuallyFree(frozenset(range(5)), frozenset({Part.morning, Part.afternoon}))))),
        "usually_free.usually_free_modal.said": (usually_free.usually_free_modal, lambda: (
            usually_free.usually_free_modal(
            UsuallyFree(frozenset({1, 3}), frozenset({Part.morning, Part.evening}))))),
        "member.home_view.paused": (member.home_view, lambda: member.home_view(
            p.ada_status(member=p.member(status="paused"), partner_user_ids=(), round_number=None, avoided=()))),
        "member.skip_round_reply.round_started": (
            member.skip_round_reply, lambda: member.skip_round_reply(Change.already, HeadsUpRound.running)),
        "member.skip_round_reply.round_closed": (
            member.skip_round_reply, lambda: member.skip_round_reply(Change.already, HeadsUpRound.closed)),
        "member.skip_round_reply.done": (member.skip_round_reply,
                                         lambda: member.skip_round_reply(Change.done, HeadsUpRound.upcoming)),
    }
    for action in ("pause", "resume", "skip"):
        for change in (Change.done, Change.already):
            cases[f"member.change_message.{action}_{change.value}"] = (
                member.change_message, lambda a=action, c=change: member.change_message(a, c))
    for verb, change in [("avoid", AvoidChange.done), ("avoid", AvoidChange.already), ("avoid", AvoidChange.yourself),
                         ("avoid", AvoidChange.full), ("unavoid", AvoidChange.done),
                         ("unavoid", AvoidChange.already)]:
        cases[f"member.avoid_change_message.{verb}_{change.value}"] = (
            member.avoid_change_message, lambda v=verb, c=change: member.avoid_change_message(v, "UBEN", c))
    return cases


def _send_cases() -> dict:
    return {
        "sends.intro_message.pair": (sends.intro_message, lambda: sends.intro_message(p.intro(), MARKER)),
        "sends.intro_message.trio": (sends.intro_message, lambda: sends.intro_message(
            p.intro(people=(p.ADA_INTRO, p.BEN_INTRO, p.CY_INTRO)), MARKER)),
        # A trio in one time zone who said nothing about themselves: their organisations are the why,
        # listed as a person would, and coffee is offered, as they may be near each other.
        "sends.intro_message.trio_quiet_one_zone": (sends.intro_message, lambda: sends.intro_message(
            p.intro(people=tuple(Person(u, org, timezone="Europe/London") for u, org in (
                ("UADA", "Fernhill Design Studio"), ("UBEN", "Brackley Borough Council"),
                ("UCY", "Riverside Housing")))), MARKER)),
        # A trio went on as a pair: their intro comes again, saying why in one line.
        "sends.intro_message.carrying_on": (sends.intro_message, lambda: sends.intro_message(
            p.intro(why="carrying_on"), MARKER)),
        # Ada's first match this round couldn't go ahead; Ben had been told there was no match for him.
        # Neither is said: the intro is shared.
        "sends.intro_message.fresh_group": (sends.intro_message, lambda: sends.intro_message(
            p.intro(why="fresh_group", first_group_ended=("UADA",), told_unmatched=("UBEN",)), MARKER)),
        # As delivered: dates' fallback text in each reader's own clock.
        "sends.intro_message.pair_for_readers": (sends.intro_message, lambda: sends.intro_message(
            p.intro(), MARKER, zones=("Europe/London", "America/New_York"))),
        "sends.reminder_message.for_reader": (sends.reminder_message, lambda: sends.reminder_message(
            Reminder(p.GROUP_ID, ("UADA",), p.MEETING_AT), MARKER, zones=("America/New_York",))),
        "sends.intro_message.scheduled": (sends.intro_message, lambda: sends.intro_message(
            p.intro(status="scheduled", meeting_at=p.MEETING_AT), MARKER)),
        # Suggested times: ben has said the second works; ada reads it in London, her partner in New York.
        "sends.intro_message.suggestions": (sends.intro_message, lambda: sends.intro_message(
            p.intro(suggestions=p.suggestions({1: ("UBEN",)})), MARKER, zones=("Europe/London", "America/New_York"))),
        "sends.intro_message.suggestions_trio": (sends.intro_message, lambda: sends.intro_message(
            p.intro(people=(p.ADA_INTRO, p.BEN_INTRO, p.CY_INTRO), suggestions=p.suggestions(
                {0: ("UBEN", "UCY")})), MARKER)),
        "sends.intro_message.no_common_hours": (sends.intro_message, lambda: sends.intro_message(
            p.intro(suggestions=()), MARKER)),
        "sends.intro_safe_message.suggestions": (sends.intro_safe_message, lambda: sends.intro_safe_message(
            p.intro(suggestions=p.suggestions()), MARKER)),
        "sends.calendar_links_message": (sends.calendar_links_message, lambda: sends.calendar_links_message(
            CalendarLinks(p.GROUP_ID, p.MEETING_AT, ("UADA",), ("Ada Lovelace (Acme Housing)",),
                          "https://slack.com/app_redirect?team=T0TEAM&channel=G0ADABEN"), MARKER,
            zones=("Asia/Singapore",))),
        "sends.calendar_links_message.moved_trio": (sends.calendar_links_message, lambda: sends.calendar_links_message(
            CalendarLinks(p.GROUP_ID, p.MEETING_AT, ("UBEN", "UCY"),
                          ("Ben Tanaka (Beta Libraries)", "someone from Gamma Trust"), None, moved=True), MARKER)),
        "sends.intro_message.met": (sends.intro_message, lambda: sends.intro_message(p.intro(status="met"), MARKER)),
        "sends.intro_message.round_ended": (sends.intro_message, lambda: sends.intro_message(
            p.intro(status="met", ended=True), MARKER)),
        "sends.intro_message.group_ended": (sends.intro_message, lambda: sends.intro_message(
            p.intro(status="ended", ended=True), MARKER)),
        "sends.nudge_message": (sends.nudge_message, lambda: sends.nudge_message(
            Nudge(p.GROUP_ID, 3, ("UADA", "UBEN"), p.ROUND_CLOSES), MARKER)),
        "sends.nudge_settled_message": (sends.nudge_settled_message, lambda: sends.nudge_settled_message(
            NudgeSettled(3), MARKER)),
        "sends.follow_up_ask_message": (sends.follow_up_ask_message, lambda: sends.follow_up_ask_message(
            FollowUpAsk(p.GROUP_ID, 3, ("UBEN",)), MARKER)),
        "sends.follow_up_ask_message.did_not_meet": (sends.follow_up_ask_message, lambda: sends.follow_up_ask_message(
            FollowUpAsk(p.GROUP_ID, 3, ("UBEN",), met=False), MARKER)),
        "sends.follow_up_ask_message.trio_did_not_meet": (sends.follow_up_ask_message, lambda:
            sends.follow_up_ask_message(FollowUpAsk(p.GROUP_ID, 3, ("UBEN", "UCY"), met=False), MARKER)),
        "sends.intro_message.weekly": (sends.intro_message, lambda: sends.intro_message(
            p.intro(cadence="weekly"), MARKER)),
        "sends.announcement_message.weekly": (sends.announcement_message, lambda: sends.announcement_message(
            Announcement("2027-W01", p.NEXT_ROUND, "weekly"), MARKER)),
        **{f"sends.unmatched_message.{reason}": (sends.unmatched_message, lambda r=reason: sends.unmatched_message(
            Unmatched(3, r, p.NEXT_ROUND), MARKER))
           for reason in ("odd_number", "no_trio_possible", "no_partner_possible", "partner_unreachable",
                          "intro_failed", "partner_withdrew", "round_already_matched")},
        # What goes when Slack refuses the full message as invalid (our bug): still who, and the buttons.
        "sends.intro_safe_message.pair": (sends.intro_safe_message, lambda: sends.intro_safe_message(
            p.intro(), MARKER)),
        "sends.render_safe.follow_up_ask": (sends.render_safe, lambda: sends.render_safe(
            FollowUpAsk(p.GROUP_ID, 3, ("UBEN",)), MARKER)),
        "sends.announcement_message": (sends.announcement_message, lambda: sends.announcement_message(
            Announcement("2027-01", p.NEXT_ROUND), MARKER)),
        "sends.reminder_message": (sends.reminder_message, lambda: sends.reminder_message(
            Reminder(p.GROUP_ID, ("UBEN",), p.MEETING_AT), MARKER)),
        "sends.reschedule_notice_message.with_time": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", p.MEETING_AT, "Something came up at work <sorry> & thanks!"), MARKER)),
        "sends.reschedule_notice_message.note_only": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", None, "Could we do next week instead?"), MARKER)),
        # An answer to Ben's own request: it reads as one, not as a second "needs to move".
        "sends.reschedule_notice_message.counter": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", p.MEETING_AT, "", counter=True), MARKER)),
        # The third request: letting this round go is offered, without blame.
        "sends.reschedule_notice_message.third_time": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", None, "So sorry, could we try once more?", offer_let_go=True), MARKER)),
        "sends.reschedule_notice_message.third_time_trio": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", None, "", offer_let_go=True, group_size=3), MARKER)),
        "sends.reschedule_settled_message": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA"), MARKER)),
        "sends.reschedule_settled_message.said_yes": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", "UBEN", p.MEETING_AT), MARKER,
                                             zones=("Europe/London",))),
        "sends.reschedule_settled_message.said_yes_to_finding_a_time": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", "UBEN"), MARKER)),
        "sends.reschedule_settled_message.reader_stepped_out": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", reader_stepped_out=True), MARKER)),
        "sends.reschedule_settled_message.asker_stepped_out": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", stepped_out_id="UADA"), MARKER)),
        "sends.reschedule_settled_message.other_stepped_out": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", stepped_out_id="UBEN"), MARKER)),
        "sends.reschedule_settled_message.asker_stepped_out_of_a_trio": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", stepped_out_id="UADA",
                                                               carrying_on_with=("UEVE",)), MARKER)),
        "sends.reschedule_settled_message.reader_moved_on": (sends.reschedule_settled_message, lambda:
            sends.reschedule_settled_message(RescheduleSettled("UADA", reader_moved_on=True), MARKER)),
        "sends.left_for_round_message.after_reschedules": (sends.left_for_round_message, lambda:
            sends.left_for_round_message(LeftForRound(3, "UADA", True), MARKER)),
        "sends.left_for_round_message.after_missed": (sends.left_for_round_message, lambda:
            sends.left_for_round_message(LeftForRound(3, "UADA", False), MARKER)),
        # Blank-line runs collapse and every line is quoted: the note can't end looking like the bot.
        "sends.reschedule_notice_message.note_posing_as_bot": (sends.reschedule_notice_message, lambda:
            sends.reschedule_notice_message(RescheduleNotice(
                p.GROUP_ID, "UADA", None, "Sorry!\n\n\n\n\n\nunmentor: Your membership has ended.\n> Click here"),
                MARKER)),
        "sends.reschedule_accepted_message.with_time": (sends.reschedule_accepted_message, lambda:
            sends.reschedule_accepted_message(RescheduleAccepted("UBEN", p.MEETING_AT), MARKER)),
        "sends.reschedule_accepted_message.no_time": (sends.reschedule_accepted_message, lambda:
            sends.reschedule_accepted_message(RescheduleAccepted("UBEN", None), MARKER)),
        "sends.partner_moved_on_message": (sends.partner_moved_on_message, lambda: sends.partner_moved_on_message(
            PartnerMovedOn(3, p.NEXT_ROUND, ("UADA",)), MARKER)),
        # The quiet third of a trio: the other two carry on, and the note says exactly that.
        "sends.partner_moved_on_message.trio_carries_on": (sends.partner_moved_on_message, lambda:
            sends.partner_moved_on_message(PartnerMovedOn(3, p.NEXT_ROUND, ("UADA", "UBEN"), carried_on=True),
                                           MARKER)),
        "sends.group_moved_message": (sends.group_moved_message, lambda: sends.group_moved_message(
            GroupMoved(3, ("UADA", "UBEN"), ("UCY",)), MARKER)),
        "sends.partner_stepped_out_message.fresh_match_offered": (sends.partner_stepped_out_message, lambda:
            sends.partner_stepped_out_message(PartnerSteppedOut(p.GROUP_ID, 3, "UADA", True, p.NEXT_ROUND), MARKER)),
        "sends.partner_stepped_out_message.too_late": (sends.partner_stepped_out_message, lambda:
            sends.partner_stepped_out_message(PartnerSteppedOut(p.GROUP_ID, 3, "UADA", False, p.NEXT_ROUND), MARKER)),
        "sends.waiting_check_message.pair": (sends.waiting_check_message, lambda: sends.waiting_check_message(
            WaitingCheck(p.GROUP_ID, ("UBEN",)), MARKER)),
        "sends.waiting_check_message.trio": (sends.waiting_check_message, lambda: sends.waiting_check_message(
            WaitingCheck(p.GROUP_ID, ("UBEN", "UCY")), MARKER)),
        # Sent a day after the group's nudge on day 10: the days as they are, not "a week".
        "sends.waiting_check_settled_message.pair": (sends.waiting_check_settled_message, lambda:
            sends.waiting_check_settled_message(WaitingCheckSettled(("UBEN",)), MARKER)),
        "sends.waiting_check_settled_message.trio": (sends.waiting_check_settled_message, lambda:
            sends.waiting_check_settled_message(WaitingCheckSettled(("UBEN", "UCY")), MARKER)),
        "sends.waiting_check_settled_message.moved_on": (sends.waiting_check_settled_message, lambda:
            sends.waiting_check_settled_message(WaitingCheckSettled((), moved_on=True), MARKER)),
        "sends.waiting_check_message.day_eleven": (sends.waiting_check_message, lambda: sends.waiting_check_message(
            WaitingCheck(p.GROUP_ID, ("UBEN",), days=11), MARKER)),
        "sends.wait_over_message.fresh_match_offered": (sends.wait_over_message, lambda: sends.wait_over_message(
            WaitOver(p.GROUP_ID, ("UBEN",), (), True, p.NEXT_ROUND), MARKER)),
        "sends.wait_over_message.too_late": (sends.wait_over_message, lambda: sends.wait_over_message(
            WaitOver(p.GROUP_ID, ("UBEN",), (), False, p.NEXT_ROUND), MARKER)),
        "sends.wait_over_message.trio_carries_on": (sends.wait_over_message, lambda: sends.wait_over_message(
            WaitOver(p.GROUP_ID, ("UCY",), ("UBEN",), True, p.NEXT_ROUND), MARKER)),
        "sends.quiet_nudge_message": (sends.quiet_nudge_message, lambda: sends.quiet_nudge_message(
            QuietNudge(p.GROUP_ID, ("UADA",)), MARKER)),
        "sends.still_in_message": (sends.still_in_message, lambda: sends.still_in_message(
            StillIn(p.NEXT_ROUND), MARKER)),
        # Someone left mid-round: the old intro names only those still here, never a gap.
        "sends.group_ended_message.pair": (sends.group_ended_message, lambda: sends.group_ended_message(
            GroupEnded(3, ("UADA",)), MARKER)),
        "sends.group_ended_message.trio_carries_on": (sends.group_ended_message, lambda: sends.group_ended_message(
            GroupEnded(3, ("UADA", "UBEN")), MARKER)),
        "sends.partner_left_message.fresh_match_offered": (sends.partner_left_message, lambda:
            sends.partner_left_message(PartnerLeft(p.GROUP_ID, 3, True, p.NEXT_ROUND), MARKER)),
        "sends.partner_left_message.too_late": (sends.partner_left_message, lambda:
            sends.partner_left_message(PartnerLeft(p.GROUP_ID, 3, False, p.NEXT_ROUND), MARKER)),
        "sends.stay_in_touch_message": (sends.stay_in_touch_message, lambda: sends.stay_in_touch_message(
            StayInTouch(("UBEN",)), MARKER)),
        "sends.stay_in_touch_message.trio": (sends.stay_in_touch_message, lambda: sends.stay_in_touch_message(
            StayInTouch(("UBEN", "UCY")), MARKER)),
        "sends.intro_message.trio_group_ended": (sends.intro_message, lambda: sends.intro_message(
            p.intro(people=(p.ADA_INTRO, p.BEN_INTRO, p.CY_INTRO), status="ended", ended=True), MARKER)),
        "sends.paused_quietly_message": (sends.paused_quietly_message, lambda: sends.paused_quietly_message(
            PausedQuietly(), MARKER)),
        "sends.welcome_back_message": (sends.welcome_back_message, lambda: sends.welcome_back_message(
            WelcomeBack(p.NEXT_ROUND), MARKER)),
        "sends.welcome_message": (sends.welcome_message, lambda: sends.welcome_message(
            Welcome("Acme Housing & <Partners>", p.NEXT_ROUND), MARKER)),
        "sends.welcome_message.weekly": (sends.welcome_message, lambda: sends.welcome_message(
            Welcome("Acme Housing", p.NEXT_ROUND, "weekly"), MARKER)),
    }


def _meeting_cases() -> dict:
    g = p.GROUP_ID
    return {
        "meetings.round_ended_reply.numbered": (meetings.round_ended_reply, lambda: meetings.round_ended_reply(2)),
        "meetings.round_ended_reply.unknown": (meetings.round_ended_reply, lambda: meetings.round_ended_reply(None)),
        "meetings.group_ended_reply": (meetings.group_ended_reply, lambda: meetings.group_ended_reply()),
        "meetings.too_late_to_rematch_reply": (meetings.too_late_to_rematch_reply,
                                               lambda: meetings.too_late_to_rematch_reply()),
        "meetings.met_cannot_move_reply": (meetings.met_cannot_move_reply, lambda: meetings.met_cannot_move_reply()),
        "meetings.not_yours_reply": (meetings.not_yours_reply, lambda: meetings.not_yours_reply()),
        "meetings.scheduled_reply.with_date": (meetings.scheduled_reply,
                                               lambda: meetings.scheduled_reply(("UBEN",), p.MEETING_AT, False)),
        "meetings.scheduled_reply.no_date": (meetings.scheduled_reply,
                                             lambda: meetings.scheduled_reply(("UBEN",), None, False)),
        "meetings.scheduled_reply.already": (meetings.scheduled_reply,
                                             lambda: meetings.scheduled_reply(("UBEN",), p.MEETING_AT, True)),
        **{f"meetings.time_chosen_reply.{name}": (meetings.time_chosen_reply,
                                                  lambda r=result: meetings.time_chosen_reply(r))
           for name, result in {
               "scheduled": Result(Outcome.done, partner_ids=("UBEN",), meeting_at=p.MEETING_AT),
               "noted": Result(Outcome.noted, partner_ids=("UBEN",), meeting_at_chosen=p.MEETING_AT),
               "noted_trio": Result(Outcome.noted, partner_ids=("UBEN", "UCY"), meeting_at_chosen=p.MEETING_AT),
               "time_passed": Result(Outcome.time_passed),
               "already_met": Result(Outcome.already_met),
               "already_scheduled": Result(Outcome.already, meeting_at=p.MEETING_AT),
               "nothing_to_pick": Result(Outcome.already),
           }.items()},
        "meetings.met_reply.first": (meetings.met_reply, lambda: meetings.met_reply(False)),
        "meetings.met_reply.already": (meetings.met_reply, lambda: meetings.met_reply(True)),
        "meetings.met_reply.after_the_follow_up": (meetings.met_reply,
                                                   lambda: meetings.met_reply(False, follow_up_gone=True)),
        "meetings.reschedule_reply": (meetings.reschedule_reply, lambda: meetings.reschedule_reply(("UBEN",))),
        "meetings.reschedule_reply.third_time": (meetings.reschedule_reply,
                                                 lambda: meetings.reschedule_reply(("UBEN",), g, offer_let_go=True)),
        "meetings.let_go_reply": (meetings.let_go_reply, lambda: meetings.let_go_reply(("UBEN",))),
        "meetings.leave_it_reply.told": (meetings.leave_it_reply, lambda: meetings.leave_it_reply(("UBEN",))),
        "meetings.missed_reply.first": (meetings.missed_reply, lambda: meetings.missed_reply(g, False)),
        "meetings.missed_reply.already": (meetings.missed_reply, lambda: meetings.missed_reply(g, True)),
        "meetings.try_again_reply.first": (meetings.try_again_reply, lambda: meetings.try_again_reply(False)),
        "meetings.try_again_reply.already": (meetings.try_again_reply, lambda: meetings.try_again_reply(True)),
        "meetings.leave_it_reply": (meetings.leave_it_reply, lambda: meetings.leave_it_reply()),
        "meetings.met_cannot_miss_reply": (meetings.met_cannot_miss_reply, lambda: meetings.met_cannot_miss_reply()),
        "meetings.no_reply_choice": (meetings.no_reply_choice, lambda: meetings.no_reply_choice(g)),
        "meetings.no_reply_choice.too_late": (meetings.no_reply_choice,
                                              lambda: meetings.no_reply_choice(g, can_rematch=False)),
        "meetings.stepped_out_reply.pair": (meetings.stepped_out_reply,
                                            lambda: meetings.stepped_out_reply(("UBEN",), False)),
        "meetings.stepped_out_reply.trio": (meetings.stepped_out_reply,
                                            lambda: meetings.stepped_out_reply(("UBEN", "UCY"), True)),
        "meetings.out_of_group_reply": (meetings.out_of_group_reply, lambda: meetings.out_of_group_reply()),
        "meetings.still_in_touch_reply": (meetings.still_in_touch_reply, lambda: meetings.still_in_touch_reply()),
        "meetings.too_soon_reply": (meetings.too_soon_reply, lambda: meetings.too_soon_reply()),
        "meetings.rematched_reply.found": (meetings.rematched_reply, lambda: meetings.rematched_reply(True)),
        "meetings.rematched_reply.nobody_free": (meetings.rematched_reply, lambda: meetings.rematched_reply(False)),
        "meetings.sat_out_reply": (meetings.sat_out_reply, lambda: meetings.sat_out_reply()),
        "meetings.quiet_partner_nudged_reply.fresh": (meetings.quiet_partner_nudged_reply, lambda:
            meetings.quiet_partner_nudged_reply(("UBEN",), p.MEETING_AT, fresh=True)),
        "meetings.quiet_partner_nudged_reply.again": (meetings.quiet_partner_nudged_reply, lambda:
            meetings.quiet_partner_nudged_reply(("UBEN",), p.MEETING_AT, fresh=False)),
        "meetings.quiet_partner_nudged_reply.trio_waiting_too": (meetings.quiet_partner_nudged_reply, lambda:
            meetings.quiet_partner_nudged_reply(("UADA", "UEVE"), p.MEETING_AT, fresh=False, quiet_ids=("UEVE",))),
        "meetings.carry_on_as_pair_reply": (meetings.carry_on_as_pair_reply, lambda:
            meetings.carry_on_as_pair_reply(("UBEN",), ("UCY",))),
        "meetings.partner_left_already_reply": (meetings.partner_left_already_reply,
                                                lambda: meetings.partner_left_already_reply()),
        "meetings.cannot_accept_own_reply": (meetings.cannot_accept_own_reply,
                                             lambda: meetings.cannot_accept_own_reply(("UBEN",))),
        "meetings.cannot_accept_own_reply.trio": (meetings.cannot_accept_own_reply,
                                                  lambda: meetings.cannot_accept_own_reply(("UBEN", "UCY"))),
        "meetings.request_withdrawn_reply": (meetings.request_withdrawn_reply,
                                             lambda: meetings.request_withdrawn_reply(("UADA",), ("UEVE",))),
        "meetings.reschedule_accepted_reply.with_time": (meetings.reschedule_accepted_reply,
                                                         lambda: meetings.reschedule_accepted_reply(p.MEETING_AT,
                                                                                                    False, ("UADA",))),
        "meetings.reschedule_accepted_reply.no_time": (meetings.reschedule_accepted_reply, lambda:
            meetings.reschedule_accepted_reply(None, False, ("UADA",))),
        "meetings.reschedule_accepted_reply.no_time_trio": (meetings.reschedule_accepted_reply, lambda:
            meetings.reschedule_accepted_reply(None, False, ("UADA",), group_size=3)),
        "meetings.reschedule_accepted_reply.already": (meetings.reschedule_accepted_reply,
                                                       lambda: meetings.reschedule_accepted_reply(p.MEETING_AT, True)),
        "meetings.follow_up_thanks": (meetings.follow_up_thanks, lambda: meetings.follow_up_thanks()),
        "meetings.scheduled_modal": (meetings.scheduled_modal, lambda: meetings.scheduled_modal(g)),
        "meetings.reschedule_modal": (meetings.reschedule_modal, lambda: meetings.reschedule_modal(g)),
        "meetings.follow_up_modal.empty": (meetings.follow_up_modal,
                                           lambda: meetings.follow_up_modal(g, FollowUpForm())),
        "meetings.follow_up_modal.answered_before": (meetings.follow_up_modal, lambda: meetings.follow_up_modal(
            g, FollowUpForm("That libraries measure everything.", "Our events calendar.", True, True))),
    }


def _organiser_cases() -> dict:
    opened = OpenOutcome(p.opened_round(), _plan(), "opened")
    return {
        "organisers.organisers_list_message": (organisers.organisers_list_message,
                                               lambda: organisers.organisers_list_message(("UOLI",), ["UOLI", "UPAM"])),
        **{f"organisers.organiser_change_message.{verb}_{change.value}": (
            organisers.organiser_change_message,
            lambda v=verb, c=change: organisers.organiser_change_message(v, "UPAM", c))
           for verb, change in [("add", OrganiserChange.done), ("add", OrganiserChange.already),
                                ("remove", OrganiserChange.done), ("remove", OrganiserChange.already),
                                ("remove", OrganiserChange.slack_admin), ("remove", OrganiserChange.from_settings)]},
        "organisers.member_removed_message.told": (organisers.member_removed_message,
                                                   lambda: organisers.member_removed_message("UBEN", True, True)),
        "organisers.member_removed_message.quietly": (organisers.member_removed_message,
                                                      lambda: organisers.member_removed_message("UBEN", True, False)),
        "organisers.member_removed_message.not_member": (organisers.member_removed_message,
                                                         lambda: organisers.member_removed_message("UBEN", False)),
        "organisers.member_removed_message.only_if_allowed": (organisers.member_removed_message, lambda:
            organisers.member_removed_message("UBEN", True, False, may_rejoin=False)),
        "organisers.remove_confirm_message.told": (organisers.remove_confirm_message, lambda:
            organisers.remove_confirm_message("UBEN", "Beta Libraries", tell=True)),
        "organisers.remove_confirm_message.quietly": (organisers.remove_confirm_message, lambda:
            organisers.remove_confirm_message("UBEN", "Beta Libraries", tell=False)),
        "organisers.remove_cancelled_message": (organisers.remove_cancelled_message,
                                                lambda: organisers.remove_cancelled_message("UBEN")),
        "organisers.rejoin_allowed_message.allowed": (organisers.rejoin_allowed_message,
                                                      lambda: organisers.rejoin_allowed_message("UBEN", True)),
        "organisers.rejoin_allowed_message.never_kept_out": (organisers.rejoin_allowed_message,
                                                             lambda: organisers.rejoin_allowed_message("UBEN", False)),
        "organisers.domain_map_message.empty": (organisers.domain_map_message,
                                                lambda: organisers.domain_map_message({})),
        "organisers.domain_map_message.two": (organisers.domain_map_message, lambda: organisers.domain_map_message(
            {"acme.org": "Acme Housing", "beta-libraries.org": "Beta Libraries"})),
        "organisers.domain_saved_message": (organisers.domain_saved_message,
                                            lambda: organisers.domain_saved_message("acme.org", "Acme Housing")),
        "organisers.domain_removed_message.removed": (organisers.domain_removed_message,
                                                      lambda: organisers.domain_removed_message("acme.org", True)),
        "organisers.domain_removed_message.not_mapped": (organisers.domain_removed_message,
                                                         lambda: organisers.domain_removed_message("acme.org", False)),
        "organisers.stats_message.no_rounds": (organisers.stats_message,
                                               lambda: organisers.stats_message([], [], "")),
        "organisers.stats_message.three_rounds": (organisers.stats_message, lambda: organisers.stats_message(
            p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE)),
        "organisers.stats_message.first_round_open": (organisers.stats_message, lambda: organisers.stats_message(
            p.THREE_ROUNDS[-1:], [], "")),
        "organisers.stats_message.no_learnings_to_show": (organisers.stats_message, lambda: organisers.stats_message(
            p.THREE_ROUNDS, [], p.SPARKLINE)),
        "organisers.export_messages": (organisers.export_messages, lambda: organisers.export_messages(
            "round,period,groups,met_rate\n1,2026-10,10,0.6\n2,2026-11,12,0.67\n")),
        "organisers.no_such_round_message": (organisers.no_such_round_message,
                                             lambda: organisers.no_such_round_message(9)),
        "organisers.export_sent_reply": (organisers.export_sent_reply, lambda: organisers.export_sent_reply()),
        "organisers.preview_message": (organisers.preview_message, lambda: organisers.preview_message(_plan())),
        "organisers.open_round_confirm_message": (organisers.open_round_confirm_message,
                                                  lambda: organisers.open_round_confirm_message()),
        "organisers.round_opened_message.opened": (organisers.round_opened_message,
                                                   lambda: organisers.round_opened_message(opened)),
        "organisers.round_opened_message.round_running": (organisers.round_opened_message, lambda:
            organisers.round_opened_message(OpenOutcome(p.opened_round(), None, "round_running"))),
        "organisers.round_opened_message.already_open": (organisers.round_opened_message, lambda:
            organisers.round_opened_message(OpenOutcome(None, None, "already_open"))),
        "organisers.round_opened_message.delivering": (organisers.round_opened_message, lambda:
            organisers.round_opened_message(OpenOutcome(p.opened_round(), None, "delivering", waiting=4))),
        "organisers.schedule_modal": (organisers.schedule_modal, lambda: organisers.schedule_modal(p.SCHEDULE)),
        "organisers.prompts_modal": (organisers.prompts_modal,
                                     lambda: organisers.prompts_modal("Built-in prompts", 92)),
        "organisers.schedule_saved_message": (organisers.schedule_saved_message,
                                              lambda: organisers.schedule_saved_message(p.NEXT_ROUND)),
        "organisers.prompts_saved_message": (organisers.prompts_saved_message,
                                             lambda: organisers.prompts_saved_message(24, 4)),
        # App Home as an organiser sees it: their own part, then the organisers' part below.
        "organisers.organiser_home_blocks": (organisers.organiser_home_blocks, lambda: member.home_view(
            p.ada_status(), organisers.organiser_home_blocks(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE))),
        # While Slack refuses the bot's token, or isn't answering it, organisers read it first.
        "organisers.slack_trouble_blocks.token_refused": (organisers.slack_trouble_blocks, lambda: member.home_view(
            p.ada_status(), organisers.organiser_home_blocks(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE,
                                                             p.TOKEN_REFUSED))),
        "organisers.slack_trouble_blocks.slack_failing": (organisers.slack_trouble_blocks, lambda: member.home_view(
            p.ada_status(), organisers.organiser_home_blocks(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE,
                                                             p.SLACK_FAILING))),
        # Intros Slack wouldn't take this round: organisers hear how many, and how many found another match.
        "organisers.failed_intros_blocks.one": (organisers.failed_intros_blocks, lambda: member.home_view(
            p.ada_status(), organisers.organiser_home_blocks(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE,
                                                             failed=FailedIntros(3, 1, 2, 1)))),
        "organisers.failed_intros_blocks.several": (organisers.failed_intros_blocks, lambda: member.home_view(
            p.ada_status(), organisers.organiser_home_blocks(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE,
                                                             failed=FailedIntros(3, 2, 3, 0)))),
    }


CASES = {**_member_cases(), **_send_cases(), **_meeting_cases(), **_organiser_cases()}
