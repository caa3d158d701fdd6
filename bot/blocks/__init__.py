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
    Message,
    clip,
    date_words,
    escape,
    for_reader,
    slack_date,
)
from bot.blocks.meetings import (  # noqa: F401
    cannot_accept_own_reply,
    follow_up_modal,
    follow_up_thanks,
    leave_it_reply,
    match_ended_reply,
    met_cannot_miss_reply,
    met_cannot_move_reply,
    met_reply,
    missed_reply,
    no_reply_choice,
    not_yours_reply,
    read_date_and_time,
    read_follow_up_modal,
    read_note,
    rematched_reply,
    reschedule_accepted_reply,
    reschedule_modal,
    reschedule_reply,
    round_ended_reply,
    sat_out_reply,
    scheduled_modal,
    scheduled_reply,
    still_in_touch_reply,
    too_late_to_rematch_reply,
    try_again_reply,
)
from bot.blocks.member import (  # noqa: F401
    HELP_LINES,
    STATUS_WORDS,
    avoid_blocks,
    avoid_change_message,
    avoid_list_message,
    avoid_usage_message,
    change_message,
    help_message,
    home_view,
    input_error_message,
    join_modal,
    joined_message,
    leave_confirm_message,
    left_message,
    not_member_message,
    organisers_only_message,
    pause_until_usage_message,
    paused_until_message,
    read_join_modal,
    removed_notice_message,
    skip_round_reply,
    something_went_wrong_message,
    status_message,
    stayed_message,
    unknown_command_message,
)
from bot.blocks.organisers import (  # noqa: F401
    domain_map_message,
    domain_removed_message,
    domain_saved_message,
    export_messages,
    export_sent_reply,
    member_removed_message,
    no_such_round_message,
    open_round_confirm_message,
    organiser_change_message,
    organiser_home_blocks,
    organisers_list_message,
    preview_message,
    prompts_modal,
    prompts_saved_message,
    read_prompts_modal,
    read_schedule_modal,
    round_opened_message,
    schedule_modal,
    schedule_saved_message,
    stats_blocks,
    stats_message,
    trend_in_words,
    trend_table,
)
from bot.blocks.sends import (  # noqa: F401
    STATUS_LINES,
    UNMATCHED_REASONS,
    announcement_message,
    follow_up_ask_message,
    intro_message,
    nudge_message,
    partner_moved_on_message,
    paused_quietly_message,
    reminder_message,
    render,
    reschedule_accepted_message,
    reschedule_notice_message,
    stay_in_touch_message,
    unmatched_message,
    welcome_back_message,
    why_line,
    why_lines,
)
