"""Every action id and callback id the bot puts in a message or view, in one place.

Ids are stable: messages already sitting in people's DMs keep working after a deploy.
An action's value carries what it acts on ("<kind>:<id>"), built and read only here.
"""

from __future__ import annotations

# Member self-service (ephemeral replies, App Home, round heads-up)
LEAVE_CONFIRM = "member_leave_confirm"
LEAVE_CANCEL = "member_leave_cancel"
LEAVE_PAUSE_INSTEAD = "member_leave_pause"  # on the leave confirmation: keep my details, just pause
PAUSE = "member_pause"
RESUME = "member_resume"
SKIP = "member_skip"
LEAVE = "member_leave"
EDIT_PROFILE = "member_edit_profile"
SKIP_ROUND = "round_skip"
PAUSE_UNTIL = "member_pause_until"
AVOID_LIST = "member_avoid_list"
USUALLY_FREE = "member_usually_free"

# The intro message's buttons
MEETING_SCHEDULED = "meeting_scheduled"
MEETING_MET = "meeting_met"
MEETING_RESCHEDULE = "meeting_reschedule"
MEETING_MISSED = "meeting_missed"
PARTNER_NO_REPLY = "meeting_partner_no_reply"
# "I can't make this round": on the intro, the nudges and a reschedule notice; one click, no reason asked
MEETING_STEP_OUT = "meeting_step_out"

# The intro's suggested times: "That works for me" on each (by its place in the list), and "None of these"
SUGGESTED_TIME = "suggested_time_"
NONE_OF_THESE = "suggested_time_none"
# The calendar links' buttons (Slack reports clicks on link buttons too; they are only acknowledged)
CALENDAR_LINK = "calendar_link"
# Those two are the start of a family of action ids each (suggested_time_ids, calendar_link_ids), not ids themselves.
FAMILIES = (SUGGESTED_TIME, CALENDAR_LINK)

# Replies to those buttons
RESCHEDULE_ACCEPT = "reschedule_accept"
RESCHEDULE_COUNTER = "reschedule_counter"
RESCHEDULE_LET_GO = "reschedule_let_go"
MISSED_TRY_AGAIN = "missed_try_again"
MISSED_LEAVE_IT = "missed_leave_it"
NO_REPLY_REMATCH = "no_reply_rematch"
NO_REPLY_SIT_OUT = "no_reply_sit_out"
# Ways back after a quiet spell (the closed-early note, the keep-me-in ask)
KEEP_ME_IN = "keep_me_in"
PAUSE_FOR_NOW = "pause_for_now"
# To the one left when a partner leaves mid-round
PARTNER_LEFT_REMATCH = "partner_left_rematch"
PARTNER_LEFT_WAIT = "partner_left_wait"

# The end-of-round follow-up
FOLLOW_UP_OPEN = "follow_up_open"

# Organiser controls (App Home and replies)
ORG_PREVIEW = "organiser_preview"
ORG_OPEN_ROUND = "organiser_open_round"
ORG_SCHEDULE = "organiser_schedule"
ORG_PROMPTS = "organiser_prompts"
ORG_EXPORT = "organiser_export"
# `/unmentor remove @someone` asks first: remove (they may rejoin), remove for good, or cancel
ORG_REMOVE = "organiser_remove"
ORG_REMOVE_NO_REJOIN = "organiser_remove_no_rejoin"
ORG_REMOVE_CANCEL = "organiser_remove_cancel"

# Views
JOIN_VIEW = "join_profile"
SCHEDULED_VIEW = "meeting_scheduled_view"
RESCHEDULE_VIEW = "meeting_reschedule_view"
FOLLOW_UP_VIEW = "follow_up_view"
USUALLY_FREE_VIEW = "member_usually_free_view"
SCHEDULE_VIEW = "organiser_schedule_view"
PROMPTS_VIEW = "organiser_prompts_view"


def value(kind: str, ident: int | str) -> str:
    return f"{kind}:{ident}"


# Row ids fit a 32-bit integer column; a longer number can only be forged (and would overflow it).
MAX_ID = 2**31 - 1


def parse_value(raw: str | None, kind: str) -> int | None:
    """The id in a value of the given kind, or None for anything else (old or forged values)."""
    if not isinstance(raw, str) or ":" not in raw:
        return None
    got_kind, _, ident = raw.partition(":")
    # isdigit() alone takes "²" and other digits int() refuses; ten ASCII digits at most.
    if got_kind != kind or not (ident.isascii() and ident.isdigit()) or len(ident) > 10:
        return None
    number = int(ident)
    return number if number <= MAX_ID else None


def parse_period(raw: str | None) -> str | None:
    """The round period in a heads-up's "period:2026-12" value; None for older or odd values."""
    if isinstance(raw, str) and raw.startswith("period:") and 0 < len(raw) - 7 <= 32:
        return raw[7:]
    return None


# How many suggested times an intro can show, each with its own "That works for me" action id.
SUGGESTED_TIMES_MAX = 3


def suggested_time(index: int) -> str:
    return f"{SUGGESTED_TIME}{index + 1}"


def suggested_time_ids() -> tuple[str, ...]:
    return tuple(suggested_time(i) for i in range(SUGGESTED_TIMES_MAX))


def parse_suggested_time(action_id: str | None) -> int | None:
    """Which suggested time (0, 1, 2) a "That works for me" names; None for anything else."""
    if not action_id or not action_id.startswith(SUGGESTED_TIME):
        return None
    number = action_id[len(SUGGESTED_TIME):]
    return int(number) - 1 if number.isdigit() and 1 <= int(number) <= SUGGESTED_TIMES_MAX else None


def calendar_link_ids() -> tuple[str, ...]:
    return tuple(f"{CALENDAR_LINK}_{which}" for which in ("google", "outlook", "outlook_com"))


def remove_value(user_id: str, tell: bool) -> str:
    """Whom a removal is for, and whether they're told: "remove:U123:tell" or "remove:U123:quiet"."""
    return f"remove:{user_id}:{'tell' if tell else 'quiet'}"


def parse_remove(raw: str | None) -> tuple[str, bool] | None:
    """(Slack user ID, tell) from a remove button's value; None for anything else."""
    parts = (raw or "").split(":")
    if len(parts) != 3 or parts[0] != "remove" or parts[2] not in ("tell", "quiet") or \
            not parts[1].isalnum() or not 0 < len(parts[1]) <= 32:
        return None
    return parts[1], parts[2] == "tell"
