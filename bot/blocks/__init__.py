"""Block Kit messages and views, built by pure functions so they can be checked without Slack.

One module per audience, mirroring the listeners:
- `kit`: the shared pieces (escaping and clipping member text, dates, sections, buttons, inputs);
- `member`: help, joining, status, pause, skip and leave, and App Home for members;
- `sends`: everything the outbox sends (intro, heads-up, nudge, reminder, follow-up ask, …);
- `meetings`: replies to the intro's buttons and the modals they open;
- `organisers`: organiser replies and modals, round stats, and the organiser part of App Home.

The names below are re-exported so `from bot import blocks; blocks.X` keeps working while
callers move to the module that holds each builder.
"""

from bot.blocks.kit import (  # noqa: F401
    Message, escape, slack_date, clip, for_reader, date_words,
)
from bot.blocks.member import (  # noqa: F401
    HELP_LINES, help_message, unknown_command_message, joined_message, input_error_message,
    not_member_message, change_message, STATUS_WORDS, status_message, leave_confirm_message, left_message,
    stayed_message, something_went_wrong_message, organisers_only_message, join_modal, read_join_modal,
    home_view, skip_round_reply, paused_until_message, pause_until_usage_message, avoid_list_message,
    avoid_change_message, avoid_usage_message, removed_notice_message, avoid_blocks,
)
from bot.blocks.sends import (  # noqa: F401
    STATUS_LINES, why_line, why_lines, intro_message, nudge_message, follow_up_ask_message, UNMATCHED_REASONS,
    unmatched_message, announcement_message, reminder_message, reschedule_notice_message,
    reschedule_accepted_message, partner_moved_on_message, stay_in_touch_message, paused_quietly_message,
    welcome_back_message,
    render,
)
from bot.blocks.meetings import (  # noqa: F401
    round_ended_reply, match_ended_reply, too_late_to_rematch_reply, met_cannot_move_reply, not_yours_reply,
    scheduled_reply, met_reply, reschedule_reply, missed_reply, try_again_reply, leave_it_reply,
    met_cannot_miss_reply, no_reply_choice, still_in_touch_reply, rematched_reply, sat_out_reply,
    cannot_accept_own_reply, reschedule_accepted_reply, follow_up_thanks, scheduled_modal, reschedule_modal,
    follow_up_modal, read_date_and_time, read_note, read_follow_up_modal,
)
from bot.blocks.organisers import (  # noqa: F401
    organisers_list_message, organiser_change_message, member_removed_message, domain_map_message,
    domain_saved_message, domain_removed_message, stats_blocks, trend_table, trend_in_words, stats_message, export_messages,
    no_such_round_message, export_sent_reply, preview_message, open_round_confirm_message,
    round_opened_message, schedule_modal, read_schedule_modal, prompts_modal, read_prompts_modal,
    schedule_saved_message, prompts_saved_message, organiser_home_blocks,
)
