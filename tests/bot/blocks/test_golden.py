"""Each builder's output, as people see it, against its golden file and Slack's Block Kit schema.

Wording lives in tests/bot/blocks/golden/; end-to-end tests assert on ids and state instead.
Regenerate after a deliberate change: UNMENTOR_UPDATE_GOLDEN=1 python -m pytest tests/bot/blocks
"""

import inspect

import pytest

from bot.blocks import meetings, member, organisers, sends
from tests.bot.blocks import golden
from tests.bot.blocks.cases import CASES

# Builders whose output is read back rather than shown (tested directly beside their modules),
# or that only feed another builder's golden case.
NOT_SHOWN = {"read_join_modal", "read_date_and_time", "read_note", "read_follow_up_modal", "read_schedule_modal",
             "read_prompts_modal", "render", "why_line", "why_lines", "how_it_works", "first_move_line",
             "intro_buttons", "step_out_button", "stats_blocks", "trend_table", "trend_in_words", "avoid_blocks"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_matches_its_golden_file_and_slacks_schema(name):
    _builder, build = CASES[name]
    golden.check(name, build())


def test_every_builder_people_see_has_a_golden_case():
    builders = {f"{module.__name__.rsplit('.', 1)[1]}.{name}"
                for module in (member, sends, meetings, organisers)
                for name, fn in vars(module).items()
                if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
                and name not in NOT_SHOWN}
    covered = {f"{fn.__module__.rsplit('.', 1)[1]}.{fn.__name__}" for fn, _build in CASES.values()}
    assert sorted(builders - covered) == []


def test_no_golden_file_is_left_without_its_case():
    stale = sorted(path for path in golden.GOLDEN_DIR.glob("*.json") if path.stem not in CASES)
    if golden.UPDATE:  # a case renamed or removed: its old file goes with the update
        for path in stale:
            path.unlink()
        return
    assert [path.name for path in stale] == []


def test_a_golden_file_catches_a_change_of_wording(tmp_path, monkeypatch):
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path)
    monkeypatch.setattr(golden, "UPDATE", False)
    (tmp_path / "probe.json").write_text('{"text": "Hello", "blocks": [{"type": "section", '
                                         '"text": {"type": "mrkdwn", "text": "Hello"}}]}')
    changed = {"text": "Hi", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}
    with pytest.raises(AssertionError, match="differs from its golden file"):
        golden.check("probe", changed)


def test_a_payload_slack_would_refuse_is_never_written(tmp_path, monkeypatch):
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path)
    monkeypatch.setattr(golden, "UPDATE", True)
    with pytest.raises(AssertionError, match="breaks Slack's spec"):
        golden.check("broken", {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]})
    assert not (tmp_path / "broken.json").exists()
