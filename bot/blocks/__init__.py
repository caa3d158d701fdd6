"""Block Kit messages and views, built by pure functions so they can be checked without Slack.

One module per audience, mirroring the listeners:
- `kit`: the shared pieces (escaping and clipping member text, dates, sections, buttons, inputs);
- `member`: help, joining, status, pause, skip and leave, and App Home for members;
- `sends`: everything the outbox sends (intro, heads-up, nudge, reminder, follow-up ask, …), and
  `render`/`render_safe`, which turn any of them into a message;
- `meetings`: replies to the intro's buttons and the modals they open;
- `organisers`: organiser replies and modals, round stats, and the organiser part of App Home.

Callers import the module that holds a builder, named for its audience, so a name leads straight
to its file: `from bot.blocks import meetings as meeting_blocks`, then `meeting_blocks.met_reply`
(likewise `kit_blocks`, `member_blocks`, `send_blocks`, `organiser_blocks`). The package itself
exports nothing.
"""
