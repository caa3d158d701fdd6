"""Organiser builders, directly: the schedule modal reads back what it shows, stats stay anonymous and
within Slack's limits, and long exports and previews are cut on whole lines."""

import json
from dataclasses import replace

from bot.blocks import organisers
from scheduler.stats import Learning
from tests import personas as p


def _initial_state(modal):
    """The state.values Slack would send if the organiser saved the modal without touching it."""
    values = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {"value": {"selected_option": element.get("initial_option")}}
        elif element["type"] == "timepicker":
            values[block["block_id"]] = {"value": {"selected_time": element["initial_time"]}}
        else:
            values[block["block_id"]] = {"value": {"value": element.get("initial_value")}}
    return values


def test_saving_the_schedule_modal_untouched_keeps_the_schedule():
    schedule = replace(p.SCHEDULE, cadence="fortnightly", weekday=2, hour=9, minute=30, timezone="America/New_York",
                       country="US")
    assert organisers.read_schedule_modal(_initial_state(organisers.schedule_modal(schedule))) == {
        "cadence": "fortnightly", "weekday": 2, "time": "09:30", "timezone": "America/New_York", "country": "US"}


def test_the_prompts_modal_reads_back_what_was_pasted():
    values = {"library": {"value": {"value": "wants | What would make this hour worth it?"}}}
    assert organisers.read_prompts_modal(values) == "wants | What would make this hour worth it?"


def test_stats_quote_learnings_without_names_and_show_the_trend_table_once_there_are_rounds_to_compare():
    message = organisers.stats_message(p.THREE_ROUNDS, p.LEARNINGS, p.SPARKLINE)
    texts = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b)
    assert "Round by round" in texts and "<@" not in texts
    assert "&lt;honestly&gt;" in texts  # member words are escaped
    assert "Round by round" not in str(organisers.stats_message(p.THREE_ROUNDS[-1:], [], ""))


def test_the_meeting_rate_chart_is_a_labelled_bar_per_closed_round_in_full_size_text():
    # It was one block character a round in a small context line: one or two tiny marks.
    blocks = organisers.stats_blocks(p.THREE_ROUNDS, [], p.SPARKLINE)
    (chart,) = [b for b in blocks if "Meeting rate" in json.dumps(b)]
    assert chart["type"] == "section"
    closed = [s for s in p.THREE_ROUNDS if s.state == "closed"]
    lines = chart["text"]["text"].split("```")[1].splitlines()
    assert len(lines) == len(closed)
    for line, stat in zip(lines, closed):
        assert line.startswith(f"Round {stat.number}") and line.endswith(f"{round(stat.met_rate * 100)}% met")
        assert line.count("█") + line.count("░") == organisers.CHART_WIDTH


def test_many_long_learnings_stay_within_a_sections_limit():
    learnings = [Learning(2, "&" * 900, "&" * 900) for _ in range(5)]
    for block in organisers.stats_blocks(p.THREE_ROUNDS, learnings, p.SPARKLINE):
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000


def test_a_long_export_is_split_on_whole_lines_into_numbered_parts():
    csv_text = "".join(f"{n},2026-{n:02d},12,0.5\n" for n in range(1, 4000))
    parts = organisers.export_messages(csv_text)
    assert len(parts) > 1 and all(len(part["text"]) <= 40000 for part in parts)
    assert f"(part 1 of {len(parts)})" in parts[0]["text"]
    rows = [line for part in parts for line in part["text"].split("```")[1].strip("\n").splitlines()]
    assert rows == csv_text.splitlines()


def test_a_preview_of_many_groups_says_how_many_more_there_are():
    people = p.plan_members()
    plan = replace(_plan(), groups=[[people[0], people[1]]] * 40)
    body = organisers.preview_message(plan, shown=25)["blocks"][1]["text"]["text"]
    assert body.endswith("…and 15 more.")


def _plan():
    from tests.bot.blocks.cases import _plan as plan

    return plan()


def test_stats_say_no_word_for_groups_that_never_said_and_first_round_where_there_is_no_last():
    def shown(stats):
        return json.dumps(organisers.stats_blocks(stats, [], ""))

    running, closed = shown(p.THREE_ROUNDS), shown(p.THREE_ROUNDS[:2])
    # "Not told" read as the bot not telling them: the label says nobody sent word.
    assert "*No word yet*" in running and "*No word*\\n" in closed and "Not told" not in running + closed
    assert "No word" in json.dumps(organisers.trend_table(p.THREE_ROUNDS))
    assert "by the form" not in running and "with a date given when marking it scheduled" in running
    first = shown(p.THREE_ROUNDS[:1])
    assert "*First round*" in first and "Since last round" not in first
    assert "*Since last round*" in closed
    assert "Nothing to show yet from what people learned." in closed and "No learnings" not in closed
