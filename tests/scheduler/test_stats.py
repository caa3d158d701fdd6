"""Organiser stats on SQLite and PostgreSQL: counts and rates per round, consented learnings,
exports with no one's words."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields, replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, update

from benchmarks.stats_instances import TABLES, make_history, naive_round_stats
from scheduler import stats
from scheduler.stats import Learning, RoundStats
from storage.clock import now
from storage.db import session_scope
from storage.models import FollowUp, Group, GroupMember, MeetingEvent, Member, Round

TEAM = "T1"
T0 = now().replace(microsecond=0) - timedelta(days=200)  # round 1 opened
OPENED = {1: T0, 2: T0 + timedelta(days=28), 3: T0 + timedelta(days=56), 4: T0 + timedelta(days=84)}
SECRETS = ("bob earns 90k and hates his boss", "SECRET-SHARED-bob", "ENDED-GROUP-SECRET", "OTHER-TEAM-ANSWER")

# The network (team T1). Everyone joined before round 1 except:
#   lou joined after round 1 opened and left before round 2 (new and left in round 2);
#   max joined at the very moment round 2 opened, ned after it (both new in round 3);
#   jo left between rounds 2 and 3 (left in round 3); oli joined after round 3 (new in round 4);
#   pat joined after round 4 opened (counted in no round yet).
# Round 1: alice+bob met; carol+dan asked twice to reschedule, then met; erin+frank+gina (a
#   trio, not cross-organisation) scheduled then missed; hal+ivy never replied; jo+kim ended
#   (re-matched) with a stray "met" event and an answer that must not count.
#   Answers: alice (consents, stays in touch), bob (no consent; his words are secret),
#   carol (consents, stays, only "shared"), erin (consents, both texts blank), frank (consents),
#   kim (ended group).
# Round 2: alice+carol met; bob+dan scheduled; erin+hal nothing yet. Dan, hal and erin answer, consenting.
# Round 3: alice+dan and bob+carol met. Round 4: just opened, no groups.
# Team T2 shares the tables: one round, one group that met, one consented answer.
JOINED = {name: T0 - timedelta(days=30 - i) for i, name in enumerate(
    ["alice", "bob", "carol", "dan", "erin", "frank", "gina", "hal", "ivy", "jo", "kim"])}
JOINED.update({"lou": T0 + timedelta(days=1), "max": OPENED[2], "ned": OPENED[2] + timedelta(days=3),
               "oli": OPENED[3] + timedelta(days=2), "pat": OPENED[4] + timedelta(days=1)})
LEFT = {"lou": T0 + timedelta(days=10), "jo": OPENED[2] + timedelta(days=5)}


def slack_id(name: str) -> str:
    return f"U{name.upper()}0001"


class Network:
    """Builds rows with the models directly and remembers who is who (for the test only)."""

    def __init__(self, session, team_id: str = TEAM):
        self.session, self.team_id = session, team_id
        self.member: dict[str, Member] = {}
        self.round: dict[int, Round] = {}

    def add_member(self, name: str, joined, left=None) -> Member:
        member = Member(team_id=self.team_id, slack_user_id=None if left else slack_id(name),
                        organisation="" if left else f"{name} org", organisation_key="" if left else f"{name} org",
                        status="left" if left else "active", joined_at=joined, left_at=left)
        self.session.add(member)
        self.session.flush()
        self.member[name] = member
        return member

    def add_round(self, number: int, opened, state: str = "closed", seed: int = 0, **snapshot) -> Round:
        round_ = Round(team_id=self.team_id, number=number, period=f"p{number}", seed=seed or number * 7919,
                       state=state, opens_at=opened, nudge_at=opened, follow_up_at=opened, closes_at=opened,
                       opened_at=opened, **snapshot)
        self.session.add(round_)
        self.session.flush()
        self.round[number] = round_
        return round_

    def add_group(self, number: int, names, events=(), status="new", cross=True) -> Group:
        group = Group(team_id=self.team_id, round_id=self.round[number].id, status=status,
                      cross_organisation=cross)
        self.session.add(group)
        self.session.flush()
        for name in names:
            self.session.add(GroupMember(group_id=group.id, member_id=self.member[name].id, team_id=self.team_id))
        for kind in events:
            self.session.add(MeetingEvent(team_id=self.team_id, group_id=group.id,
                                          member_id=self.member[names[0]].id, kind=kind))
        self.session.flush()
        return group

    def answer(self, group: Group, name: str, learned="", shared="", stay=False, consent=False) -> None:
        self.session.add(FollowUp(team_id=self.team_id, round_id=group.round_id, group_id=group.id,
                                  member_id=self.member[name].id, learned=learned, shared=shared,
                                  stay_in_touch=stay, organisers_may_read=consent))
        self.session.flush()


@pytest.fixture
def network(engine):
    with session_scope(engine) as session:
        net = Network(session)
        for name, joined in JOINED.items():
            net.add_member(name, joined, LEFT.get(name))
        net.add_round(1, OPENED[1], members_active=11, members_paused=1, members_skipping=2, organisations=11)
        net.add_round(2, OPENED[2], members_active=9, organisations=9, unmatched=1)
        net.add_round(3, OPENED[3], members_active=4, organisations=4)
        net.add_round(4, OPENED[4], state="open", members_active=0)

        g1 = net.add_group(1, ["alice", "bob"], ["scheduled", "met"], status="met")
        g2 = net.add_group(
            1, ["carol", "dan"], ["reschedule_asked", "reschedule_asked", "scheduled", "met"], status="met"
        )
        g3 = net.add_group(1, ["erin", "frank", "gina"], ["scheduled", "missed"], status="missed", cross=False)
        net.add_group(1, ["hal", "ivy"], ["no_reply"], status="ended")  # hal heard nothing back: that ends a pair
        g5 = net.add_group(1, ["jo", "kim"], ["met", "rematched"], status="ended")
        net.answer(g1, "alice", learned="the tides turn twice a day", stay=True, consent=True)
        net.answer(g1, "bob", learned=SECRETS[0], shared=SECRETS[1], stay=False, consent=False)
        net.answer(g2, "carol", shared="a book on rivers", stay=True, consent=True)
        net.answer(g3, "erin", learned="   ", shared=" ", consent=True)
        net.answer(g3, "frank", learned="how another team plans its year", consent=True)
        net.answer(g5, "kim", learned=SECRETS[2], stay=True, consent=False)

        net.add_group(2, ["alice", "carol"], ["met"], status="met")
        g7 = net.add_group(2, ["bob", "dan"], ["scheduled"], status="scheduled")
        g8 = net.add_group(2, ["erin", "hal"])
        net.answer(g7, "dan", learned="how to run a food bank", stay=True, consent=True)
        net.answer(g8, "hal", learned="grant writing", consent=True)
        net.answer(g8, "erin", learned="volunteer rotas", consent=True)

        net.add_group(3, ["alice", "dan"], ["scheduled", "met"], status="met")
        net.add_group(3, ["bob", "carol"], ["met"], status="met")

        other = Network(session, "T2")
        for name in ("zed", "yan"):
            other.add_member(name, T0 + timedelta(days=1))
        other.add_round(1, OPENED[2], members_active=2)
        zg = other.add_group(1, ["zed", "yan"], ["met", "met"], status="met")
        other.answer(zg, "zed", learned=SECRETS[3], stay=True, consent=True)
    return {"g1": g1.id}


def trend(engine, team_id=TEAM, number=None) -> list[RoundStats]:
    with session_scope(engine) as session:
        return stats.round_stats(session, team_id, number)


def learnings(engine, team_id=TEAM, **kwargs) -> list[Learning]:
    with session_scope(engine) as session:
        return stats.consented_learnings(session, team_id, **kwargs)


@pytest.fixture
def small_rounds_named(monkeypatch):
    """The network's rounds have three answers each: these tests are about which answers show, not
    about naming small rounds (the tests of NAMED_FROM below use the real threshold)."""
    monkeypatch.setattr(stats, "NAMED_FROM", 3)


def test_it_counts_groups_made_and_their_outcomes(engine, network):
    first = trend(engine)[0]
    counts = {k: getattr(first, k) for k in ("groups", "cross_organisation", "met", "scheduled", "rescheduled",
                                              "missed", "didnt_meet", "heard_nothing_back", "not_told")}
    assert counts == {"groups": 4, "cross_organisation": 3, "met": 2, "scheduled": 3, "rescheduled": 1,
                      "missed": 1, "didnt_meet": 2, "heard_nothing_back": 1, "not_told": 0}
    rates = {k: getattr(first, k) for k in ("cross_organisation_rate", "met_rate", "scheduled_rate",
                                             "rescheduled_rate", "missed_rate", "didnt_meet_rate")}
    assert rates == {"cross_organisation_rate": 0.75, "met_rate": 0.5, "scheduled_rate": 0.75,
                     "rescheduled_rate": 0.25, "missed_rate": 0.25, "didnt_meet_rate": 0.5}


def test_it_keeps_the_snapshot_taken_when_each_round_opened(engine, network):
    rounds = trend(engine)
    assert [(s.members_active, s.members_paused, s.members_skipping, s.organisations, s.unmatched) for s in rounds] == [
        (11, 1, 2, 11, 0), (9, 0, 0, 9, 1), (4, 0, 0, 4, 0), (0, 0, 0, 0, 0)]
    assert [(s.period, s.state, s.opened_at) for s in rounds] == [
        ("p1", "closed", OPENED[1]),
        ("p2", "closed", OPENED[2]),
        ("p3", "closed", OPENED[3]),
        ("p4", "open", OPENED[4]),
    ]


def test_the_trend_runs_oldest_first_and_one_round_can_be_asked_for(engine, network):
    rounds = trend(engine)
    assert [s.number for s in rounds] == [1, 2, 3, 4]
    assert [(s.groups, s.met) for s in rounds] == [(4, 2), (3, 1), (2, 2), (0, 0)]
    assert trend(engine, number=2) == [rounds[1]]
    assert trend(engine, number=9) == []


def test_members_new_and_left_are_counted_between_round_openings(engine, network):
    rounds = trend(engine)
    # Round 1 takes everyone before it; max joined exactly as round 2 opened, so round 3 has him.
    assert [(s.members_new, s.members_left) for s in rounds] == [(11, 0), (1, 1), (2, 1), (1, 0)]
    # Asking for one round still looks back to the round before it.
    assert [(s.members_new, s.members_left) for s in trend(engine, number=3)] == [(2, 1)]


def test_follow_up_rate_is_answers_over_places_and_stay_in_touch_is_over_answers(engine, network):
    first, second, third, _ = trend(engine)
    assert (first.members_matched, first.answered, first.stay_in_touch) == (9, 5, 2)
    assert (first.follow_up_rate, first.stay_in_touch_rate) == (5 / 9, 2 / 5)
    assert (second.members_matched, second.answered, second.stay_in_touch) == (6, 3, 1)
    assert (second.follow_up_rate, second.stay_in_touch_rate) == (3 / 6, 1 / 3)
    assert (third.follow_up_rate, third.stay_in_touch_rate) == (0.0, None)  # nobody answered


def test_the_stay_in_touch_share_is_withheld_when_too_few_answered_to_be_anonymous(engine, network):
    with session_scope(engine) as session:
        session.execute(delete(FollowUp).where(FollowUp.learned == "volunteer rotas"))
    second = trend(engine, number=2)[0]
    assert second.answered == 2 and second.stay_in_touch_rate is None
    record = json.loads(stats.to_json([second]))[0]
    assert record["stay_in_touch_rate"] is None and record["stay_in_touch"] is None
    assert "–" in stats.to_table([second]).splitlines()[1]


def test_learnings_wait_for_the_round_to_close_and_for_enough_voices(engine, network, small_rounds_named):
    assert {x.round_number for x in learnings(engine)} == {1, 2}
    with session_scope(engine) as session:
        session.execute(update(Round).where(Round.number == 2).values(state="following_up"))
        session.execute(update(FollowUp).where(FollowUp.learned == "how another team plans its year")
                        .values(organisers_may_read=False))
    # Round 2 is still running; round 1 now has only two readable answers.
    assert learnings(engine) == []


def test_a_group_that_ends_drops_out_of_every_count(engine, network):
    before = trend(engine, number=1)[0]
    with session_scope(engine) as session:
        session.execute(update(Group).where(Group.id == network["g1"]).values(status="ended"))
    after = trend(engine, number=1)[0]
    assert (before.groups, before.met, before.scheduled, before.members_matched, before.answered) == (4, 2, 3, 9, 5)
    assert (after.groups, after.met, after.scheduled, after.members_matched, after.answered) == (3, 1, 2, 7, 3)
    assert after.met_rate == 1 / 3


def test_a_round_without_groups_has_zero_counts_and_rates(engine, network):
    last = trend(engine)[-1]
    assert (last.number, last.groups, last.members_matched) == (4, 0, 0)
    # Every rate is 0, but the stay-in-touch share, withheld with no answers to speak of.
    assert [getattr(last, name) for name in stats.RATES] == [0.0] * (len(stats.RATES) - 1) + [None]


def test_other_workspaces_never_count(engine, network):
    assert [(s.number, s.groups, s.met, s.answered, s.members_new) for s in trend(engine, "T2")] == [(1, 1, 1, 1, 2)]
    assert sum(s.members_new for s in trend(engine)) == 15  # T2's two members are not among them
    assert trend(engine, "T3") == []


def test_stats_agree_with_a_naive_count_on_a_generated_history(engine):
    ours = make_history(150, 6, seed=7, team_id="TA")
    theirs = make_history(60, 4, seed=8, team_id="TB", id_base=100_000)
    models = dict(zip(TABLES, (Member, Round, Group, GroupMember, MeetingEvent, FollowUp)))
    with session_scope(engine) as session:
        for history in (ours, theirs):
            for table in TABLES:
                session.execute(insert(models[table]), history[table])
    got = [asdict(s) for s in trend(engine, "TA")]
    assert len(got) == 6 and sum(s["groups"] for s in got) > 300
    assert got == naive_round_stats(ours, "TA")


def test_learnings_are_only_consented_answers_with_some_text(engine, network, small_rounds_named):
    got = learnings(engine)
    assert sorted((x.round_number, x.learned, x.shared) for x in got) == [
        (1, "", "a book on rivers"), (1, "how another team plans its year", ""),
        (1, "the tides turn twice a day", ""),
        (2, "grant writing", ""), (2, "how to run a food bank", ""), (2, "volunteer rotas", ""),
    ]
    text = repr(got)
    assert all(secret not in text for secret in SECRETS)


def test_learnings_carry_no_member_group_or_slack_identity(engine, network, small_rounds_named):
    got = learnings(engine)
    assert [f.name for f in fields(Learning)] == ["round_number", "learned", "shared"]
    assert got and all(set(asdict(x)) == {"round_number", "learned", "shared"} for x in got)
    text = repr(got)
    assert not any(slack_id(name) in text for name in JOINED)


def test_learnings_come_newest_round_first_up_to_the_limit(engine, network, small_rounds_named):
    assert [x.round_number for x in learnings(engine)] == [2, 2, 2, 1, 1, 1]
    assert [x.round_number for x in learnings(engine, limit=4)] == [2, 2, 2, 1]
    assert learnings(engine, limit=0) == []
    assert {x.learned for x in learnings(engine, number=2)} == {
        "grant writing", "how to run a food bank", "volunteer rotas"}


def test_the_order_of_learnings_does_not_follow_who_wrote_them_or_when(engine):
    lessons = [f"lesson {i:02d}" for i in range(12)]
    for team_id, written in (("TX", lessons), ("TY", lessons[::-1])):
        with session_scope(engine) as session:
            net = Network(session, team_id)
            net.add_round(1, T0, seed=424242)
            for i, lesson in enumerate(written):
                # Each team's members are created, grouped and answer in the order they wrote.
                net.add_member(f"w{i}", T0 - timedelta(days=1))
                net.answer(net.add_group(1, [f"w{i}"]), f"w{i}", learned=lesson, consent=True)
    order_x = [x.learned for x in learnings(engine, "TX")]
    order_y = [x.learned for x in learnings(engine, "TY")]
    assert sorted(order_x) == lessons
    assert order_x == order_y  # the same words in the same round come out the same, whoever wrote first
    assert order_x not in (lessons, lessons[::-1])
    assert [x.learned for x in learnings(engine, "TX")] == order_x  # and it is stable


def test_exports_never_hold_anyones_words_or_slack_ids(engine, network):
    rounds = trend(engine)
    exports = (
        stats.to_csv(rounds) + stats.to_json(rounds) + stats.to_table(rounds) + stats.meeting_rate_sparkline(rounds)
    )
    words = [*SECRETS, "tides", "rivers", "food bank", "grant writing", "volunteer rotas", "plans its year"]
    assert all(word not in exports for word in words)
    assert not any(slack_id(name) in exports for name in JOINED)


def test_the_csv_has_a_header_and_one_parsable_row_per_round(engine, network):
    rounds = trend(engine)
    reader = csv.DictReader(io.StringIO(stats.to_csv(rounds)))
    rows = list(reader)
    assert reader.fieldnames[:4] == ["number", "period", "state", "opened_at"]
    assert {"groups", "met", "met_rate", "follow_up_rate", "stay_in_touch_rate", "members_new"} <= set(
        reader.fieldnames
    )
    assert [row["number"] for row in rows] == ["1", "2", "3", "4"]
    assert (rows[0]["groups"], rows[0]["met"], float(rows[0]["met_rate"]), float(rows[0]["follow_up_rate"])) == (
        "4", "2", 0.5, round(5 / 9, 4))
    assert rows[1]["opened_at"] == OPENED[2].isoformat()
    # What we were told and what we weren't, in columns of their own (round 2: erin and hal never said).
    assert [(row["met"], row["didnt_meet"], row["not_told"]) for row in rows[:2]] == [("2", "2", "0"), ("1", "0", "2")]
    assert (rows[1]["not_told_rate"], rows[0]["heard_nothing_back"]) == (str(round(2 / 3, 4)), "1")
    assert not [name for name in reader.fieldnames if "word" in name or "reply" in name]


def test_the_json_has_every_count_and_rate_per_round(engine, network):
    rounds = trend(engine)
    data = json.loads(stats.to_json(rounds))
    assert [d["number"] for d in data] == [1, 2, 3, 4]
    assert (data[0]["groups"], data[0]["rescheduled"], data[0]["rescheduled_rate"], data[0]["members_left"]) == (
        4,
        1,
        0.25,
        0,
    )
    assert data[2]["met_rate"] == 1.0
    assert (data[0]["didnt_meet"], data[0]["didnt_meet_rate"], data[0]["not_told"]) == (2, 0.5, 0)
    assert "no_word" not in data[0] and "no_reply" not in data[0]


def test_the_table_lines_up_one_row_per_round(engine, network):
    lines = stats.to_table(trend(engine)).splitlines()
    assert len(lines) == 1 + 4
    assert lines[0].split()[:3] == ["round", "period", "state"]
    assert len({len(line) for line in lines}) == 1  # the last column is right-aligned, so every line ends together
    met_percent = lines[0].index("met%") + len("met%")
    assert [line[met_percent - 4:met_percent].strip() for line in lines[1:]] == ["50%", "33%", "100%", "0%"]
    assert {"didnt-meet%", "not-told%"} <= set(lines[0].split()) and "word" not in lines[0]


def test_the_sparkline_has_one_block_per_closed_round_rising_with_the_meeting_rate(engine, network):
    # Met 50%, 33%, 100%; round 4 is still running, so it isn't drawn as a dip.
    assert stats.meeting_rate_sparkline(trend(engine)) == "▅▃█"
    base = trend(engine)[0]
    rising = [replace(base, groups=10, met=met) for met in range(11)]
    line = stats.meeting_rate_sparkline(rising)
    assert len(line) == 11 and line[0] == "▁" and line[-1] == "█"
    levels = [stats.SPARK_BLOCKS.index(ch) for ch in line]
    assert levels == sorted(levels) and len(set(levels)) == len(stats.SPARK_BLOCKS)
    assert stats.meeting_rate_sparkline([]) == ""


def test_a_match_ended_because_the_partner_never_replied_still_counts_as_made(engine, network):
    before = trend(engine, number=1)[0]
    with session_scope(engine) as session:
        session.execute(update(Group).where(Group.id == network["g1"]).values(status="ended"))
        session.add(MeetingEvent(team_id=TEAM, group_id=network["g1"], kind="no_reply"))
    after = trend(engine, number=1)[0]
    assert (after.groups, after.met, after.didnt_meet) == (before.groups, before.met, before.didnt_meet)


def test_what_groups_said_is_kept_apart_from_what_nobody_said(engine):
    # One round of eight pairs. "Heard nothing back" is a member's own click; the round closing on
    # a group that never said how it went is the bot's note (no member on it): we weren't told.
    # Hearing nothing back, or one of a pair stepping out, ends the group there.
    with session_scope(engine) as session:
        net = Network(session, "TS")
        net.add_round(1, T0)
        stories = {"met": ["scheduled", "met"], "missed": ["scheduled", "missed"], "missed then met":
                   ["missed", "try_again", "met"], "let go": ["reschedule_asked", "left_there"],
                   "heard nothing": ["quiet_nudge", "no_reply"], "stepped out": ["stepped_out"],
                   "scheduled, then silence": ["scheduled"], "no buttons at all": []}
        for i, (story, events) in enumerate(stories.items()):
            net.add_member(f"a{i}", T0 - timedelta(days=1))
            net.add_member(f"b{i}", T0 - timedelta(days=1))
            ends = story in ("heard nothing", "stepped out")
            group = net.add_group(1, [f"a{i}", f"b{i}"], events, status="ended" if ends else "new")
            if story == "no buttons at all":  # the close marks groups still waiting for a first word
                session.add(MeetingEvent(team_id="TS", group_id=group.id, kind="no_reply", note="the round closed"))
    (closed,) = trend(engine, "TS")
    assert (closed.groups, closed.met, closed.didnt_meet, closed.not_told) == (8, 2, 4, 2)
    assert closed.heard_nothing_back == 1 and closed.missed == 2
    assert closed.met_rate + closed.didnt_meet_rate + closed.not_told_rate == 1.0


@pytest.mark.parametrize("ended_by", ["partner_left", "stepped_out"])
def test_a_match_ended_after_its_intro_went_still_counts_as_made(engine, network, ended_by):
    # Twelve intros went out and someone left mid-round: the round still made twelve (docs/operating.md's
    # promise that leaving doesn't change round counts).
    before = trend(engine, number=1)[0]
    with session_scope(engine) as session:
        session.execute(update(Group).where(Group.id == network["g1"]).values(status="ended"))
        session.add(MeetingEvent(team_id=TEAM, group_id=network["g1"], kind=ended_by))
    after = trend(engine, number=1)[0]
    assert (after.groups, after.met, after.members_matched) == (before.groups, before.met, before.members_matched)


def _answers(engine, team_id: str, sizes: dict[int, int]) -> None:
    """Closed rounds, each with this many answers its writers let organisers read, one pair per two."""
    with session_scope(engine) as session:
        net = Network(session, team_id)
        for number, size in sizes.items():
            net.add_round(number, OPENED[number])
            for i in range(size):
                name = f"r{number}w{i}"
                net.add_member(name, T0 - timedelta(days=1))
                net.answer(net.add_group(number, [name]), name, learned=f"round {number} lesson {i}", consent=True)


def test_quotes_from_a_round_too_small_to_hide_in_are_pooled_without_their_round(engine):
    assert stats.NAMED_FROM == 10
    _answers(engine, "TP", {1: 4, 2: 6, 3: 10})
    got = learnings(engine, "TP")
    # Round 3 is named; rounds 1 and 2 come after it as one pool of ten, with no round on any.
    assert [x.round_number for x in got] == [3] * 10 + [None] * 10
    pool = [int(x.learned.split()[1]) for x in got[10:]]
    assert sorted(pool) == [1] * 4 + [2] * 6
    assert pool not in ([1] * 4 + [2] * 6, [2] * 6 + [1] * 4)  # shuffled together, not round after round
    # Asked for round 1 alone, nothing: a pool of one round would name it.
    assert learnings(engine, "TP", number=1) == [] and len(learnings(engine, "TP", number=3)) == 10


def test_a_pool_smaller_than_a_named_round_waits_for_more(engine):
    _answers(engine, "TQ", {1: 4, 2: 5})
    assert learnings(engine, "TQ") == []  # nine between them: not yet as many as a round that would be named
