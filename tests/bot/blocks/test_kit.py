"""The shared Block Kit pieces: member text is shown safely, within Slack's limits, and dates read locally."""

from datetime import datetime, timedelta, timezone

from bot.blocks import kit


def test_member_text_can_never_mention_link_or_format():
    assert kit.escape("*Acme_ <!here> ~x~ `y` & <https://evil.example|click>") == (
        "∗Acmeˍ &lt;!here&gt; ∼x∼ ˋyˋ &amp; &lt;https://evil.example|click&gt;")


def test_a_date_reads_in_each_readers_zone_with_a_utc_fallback_for_notifications():
    new_york = datetime(2026, 12, 10, 15, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert kit.slack_date(new_york, ()) == (
        "<!date^1796932800^{date_long_pretty} at {time}|Thursday 10 December at 20:00 UTC>")


def test_clipping_300_ampersands_never_splits_an_entity_and_keeps_the_limit():
    clipped = kit.clip("&" * 300, 100)
    assert len(clipped) <= 100 and clipped.endswith("…")
    assert clipped[:-1].replace("&amp;", "") == ""


def test_clipping_cuts_on_a_word_and_leaves_short_text_alone():
    assert kit.clip("what we learned moving our conference online", 30) == "what we learned moving our…"
    assert kit.clip("short & sweet", 30) == "short &amp; sweet"


def test_whole_lines_only_as_many_as_fit():
    assert kit.lines_within(["aaaa", "bbbb", "cccc"], 10) == "aaaa\nbbbb"
    assert kit.lines_within(["a" * 20], 10) == ""


def test_the_marker_a_restart_looks_for_goes_on_the_first_block_within_slacks_limit():
    message = kit.with_marker(kit.message("Hello"), "m" * 300)
    assert message["blocks"][0]["block_id"] == "m" * kit.BLOCK_ID_MAX
    assert "block_id" not in kit.with_marker(kit.message("Hello"), None)["blocks"][0]


def test_a_text_input_never_starts_with_more_than_it_accepts():
    block = kit.text_input("role", "What I do", "x" * 500, 300, multiline=False, optional=True)
    assert block["element"]["max_length"] == 300 and len(block["element"]["initial_value"]) == 300


def test_a_button_carries_its_value_and_style_only_when_given():
    assert kit.button("Pause", "member_pause") == {
        "type": "button", "text": {"type": "plain_text", "text": "Pause", "emoji": True}, "action_id": "member_pause"}
    styled = kit.button("Resume", "member_resume", "resume", style="primary")
    assert (styled["value"], styled["style"]) == ("resume", "primary")


def test_emoji_shortcodes_keep_their_underscores_yet_member_text_still_cant_end_the_bots_italics():
    assert kit.escape("Hi :spiral_calendar_pad: :+1: :skin-tone-2:") == "Hi :spiral_calendar_pad: :+1: :skin-tone-2:"
    # Only underscores inside a word survive: one at a word's edge would open or close italics.
    assert kit.escape("a_ :_x: :x_: :a__b: _y_ snake_case") == "aˍ :ˍx: :xˍ: :aˍˍb: ˍyˍ snakeˍcase"
    assert kit.escape(":*bold*_x:") == ":∗bold∗ˍx:"


def test_member_text_shown_on_one_line_has_no_line_break_of_any_kind():
    for end in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":
        shown = kit.escape(f"Acme{end}Phone, video or coffee all work.")
        assert shown == "Acme Phone, video or coffee all work." and len(shown.splitlines()) == 1


def test_every_line_a_member_wrote_is_quoted_however_unicode_ends_it():
    quoted = kit.quote_lines("one\u2028two\u2029three\x85four\vfive\r\nsix")
    assert quoted.splitlines() == ["> one", "> two", "> three", "> four", "> five", "> six"]


def test_slack_makes_no_bare_address_in_our_mrkdwn_a_link():
    assert kit.section("see evil.example/login")["text"]["verbatim"] is True
    assert kit.context("www.example.com")["elements"][0]["verbatim"] is True


def test_a_date_for_one_reader_names_their_clock_in_the_notification():
    # The blocks show the date in whatever zone the reader's Slack is set to; the notification
    # says which clock its time is on, so someone whose Slack has moved is never misled.
    at = datetime(2026, 12, 10, 15, 0, tzinfo=timezone.utc)
    assert kit.slack_date(at, ("America/New_York",)).endswith("|Thursday 10 December at 10:00 New York time>")
    assert kit.date_words(at, ("Asia/Kolkata",)) == "Thursday 10 December at 20:30 Kolkata time"
    assert kit.date_words(at, ("UTC",)) == "Thursday 10 December at 15:00 UTC"
    assert kit.date_words(at, ("Etc/GMT-3",)) == "Thursday 10 December at 18:00 UTC+03:00"
