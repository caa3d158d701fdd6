"""Conversation prompts: the built-in library, organisers' own, and three prompts in every intro, for ever."""

from __future__ import annotations

import json
import random

import pytest
from freezegun import freeze_time

from scheduler import prompts, rounds
from scheduler.inputs import InputError
from storage import members as member_store
from storage import rounds as round_store
from storage.db import session_scope
from storage.models import GroupMember, MatchGroup, Round
from tests.personas import ADA, BEN, LONG_AGO, OPENS, TEAM, join


def test_the_built_in_library_has_over_80_distinct_prompts_for_every_place_in_an_intro():
    library = prompts.default_library()
    assert len(library.prompts) >= 80
    assert len({p.id for p in library.prompts}) == len({p.text for p in library.prompts}) == len(library.prompts)
    by_position = {position: [p for p in library.prompts if p.position == position] for position in prompts.POSITIONS}
    # Enough of each that a monthly member sees a year of intros before an opener comes back.
    assert all(len(found) >= 12 for found in by_position.values()), {k: len(v) for k, v in by_position.items()}
    # The toolkit's themes, each with its own heading people see in the intro.
    assert {"wants", "know", "elsewhere", "unwritten", "outside", "share", "try"} <= set(library.themes())


def _check_intro(chosen, last_seen, library):
    """Three prompts, opener/middle/closing, each one the group saw least recently in its place."""
    assert [p.position for p in chosen] == list(prompts.POSITIONS)
    for prompt in chosen:
        rivals = [p for p in library.prompts if p.position == prompt.position]
        assert last_seen.get(prompt.id, -1) == min(last_seen.get(p.id, -1) for p in rivals), prompt.id


def test_thirty_people_meeting_monthly_for_forty_rounds_always_get_an_opener_a_middle_and_a_closing_prompt():
    library = prompts.default_library()
    rng = random.Random(11)
    people = list(range(30))
    history: dict[int, dict[str, int]] = {person: {} for person in people}
    repeats = 0
    for round_number in range(40):
        rng.shuffle(people)
        groups = [people[i:i + 2] for i in range(0, 30, 2)]
        for number, group in enumerate(groups):
            when = round_number * 100 + number
            last_seen = prompts.group_last_seen(history[person] for person in group)
            chosen = prompts.choose(library, last_seen, rng)
            _check_intro(chosen, last_seen, library)
            repeats += sum(p.id in last_seen for p in chosen)
            for person in group:
                history[person].update({p.id: when for p in chosen})
    # 40 openers each from 16: everyone has been through every opener and closing, and back again.
    ends = {p.id for p in library.prompts if p.position != "middle"}
    assert all(ends <= set(seen) for seen in history.values())
    assert repeats > 0


def test_someone_who_has_seen_every_prompt_gets_the_three_they_saw_longest_ago(engine):
    library = prompts.default_library()
    join(engine, (ADA, BEN))
    with session_scope(engine) as session:
        ada = member_store.get_member(session, TEAM, "UADA").id
        old = Round(team_id=TEAM, number=0, period="2000-01", seed=0, state="closed", opens_at=LONG_AGO,
                    nudge_at=LONG_AGO, follow_up_at=LONG_AGO, closes_at=LONG_AGO)
        session.add(old)
        session.flush()
        oldest = ["wants-05", "know-03", "try-09"]
        rest = [p.id for p in library.prompts if p.id not in oldest]
        # Ada had these three first, then every other prompt in later intros.
        for given in [oldest] + [rest[i:i + 3] for i in range(0, len(rest), 3)]:
            group = MatchGroup(team_id=TEAM, round_id=old.id, status="met", prompts=json.dumps(given))
            session.add(group)
            session.flush()
            session.add(GroupMember(group_id=group.id, member_id=ada, team_id=TEAM))
        session.flush()
        assert set(round_store.prompts_last_seen(session, [ada])[ada]) == {p.id for p in library.prompts}
    with freeze_time(OPENS, tick=True):
        outcome = rounds.open_round(engine, TEAM)
    assert outcome.reason == "opened"
    with session_scope(engine) as session:
        made = round_store.groups_of_round(session, outcome.round.id)
        assert [json.loads(g.prompts) for g in made] == [oldest]


def test_an_organisers_library_from_before_positions_still_gives_three_prompts_in_order():
    doc = {"themes": {
        "try": {"title": "Afterwards", "prompts": [{"id": "t1", "text": "What will you try?"}]},
        "money": {"title": "Funding", "prompts": [{"id": f"m{i}", "text": f"Funding question {i}?"} for i in range(3)]},
        "wants": {"title": "Hopes", "prompts": [{"id": "w1", "text": "What do you want from this?"}]},
    }}
    library = prompts.parse_library(doc)
    chosen = prompts.choose(library, {}, random.Random(1))
    assert [p.id for p in chosen][0] == "w1" and [p.id for p in chosen][2] == "t1"
    assert [p.position for p in chosen] == ["opener", "middle", "closing"]


def test_a_library_with_no_opener_or_closing_fills_all_three_places_from_what_it_has():
    pasted = prompts.parse_pasted("money | How is your work funded?\nmoney | Who decides the budget?\n"
                                  "people | How do you thank volunteers?")
    library = prompts.parse_library(pasted)
    for seed in range(20):
        chosen = prompts.choose(library, {}, random.Random(seed))
        assert len({p.id for p in chosen}) == 3


def test_a_pasted_library_can_name_its_opener_and_closing_themes():
    library = prompts.parse_library(prompts.parse_pasted(
        "opener | What would make this hour worth it?\nwork | How do you plan?\nclosing | What will you try?"))
    assert [p.text for p in prompts.choose(library, {}, random.Random(3))] == [
        "What would make this hour worth it?", "How do you plan?", "What will you try?"]


def test_a_theme_with_an_unknown_position_is_refused_with_the_choices():
    with pytest.raises(InputError, match="opener, middle, closing"):
        prompts.parse_library({"themes": {"x": {"position": "start", "prompts": [
            {"id": f"a{i}", "text": "Hello?"} for i in range(3)]}}})
