"""Storage on SQLite and PostgreSQL: migrations keep data, members never duplicate, leaving forgets."""

import json
import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

from storage import members as member_store
from storage.clock import now
from storage.db import alembic_config, at_head, current_revision, make_engine, script_head, session_scope, upgrade
from storage.models import FollowUp, Group, Member, MemberStatus, Outbox, Round


def _a_round_with_one_group(session) -> tuple[Round, Group]:
    """Round 1 of workspace T1 and one (empty) group in it, stored."""
    round_ = Round(team_id="T1", number=1, period="2026-02", seed=1, opens_at=now(), nudge_at=now(),
                   follow_up_at=now(), closes_at=now())
    session.add(round_)
    session.flush()
    group = Group(team_id="T1", round_id=round_.id)
    session.add(group)
    session.flush()
    return round_, group


def test_migrations_build_exactly_the_schema_the_models_describe(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_newest_migration_read_from_the_scripts_is_alembics_own_head():
    from alembic.script import ScriptDirectory

    engine = make_engine("sqlite://")
    assert script_head() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    engine.dispose()


def test_a_start_upgrades_an_empty_or_older_schema_and_leaves_the_newest_alone(empty_db_url):
    from bot.cli.common import engine_for

    engine = make_engine(empty_db_url)
    assert not at_head(engine)  # nothing there yet
    upgrade(engine, "0001")
    assert not at_head(engine)
    engine_for(empty_db_url).dispose()  # as every start of `unmentor` does
    assert current_revision(engine) == script_head() and at_head(engine)
    engine.dispose()


def test_a_database_from_the_first_schema_upgrades_without_losing_members(empty_db_url):
    db_url = empty_db_url
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO workspace (team_id, name, created_at) VALUES ('T1', 'Acme network', '2026-01-01 09:00:00')"
        ))
        connection.execute(text(
            "INSERT INTO member (team_id, slack_user_id, organisation, organisation_key, role, talk_about,"
            " could_share, status, priority, joined_at, updated_at)"
            " VALUES ('T1', 'U1', 'Acme', 'acme', 'Engineer', 'Rust', 'Kubernetes', 'paused', false,"
            " '2026-01-01 09:00:00', '2026-01-02 09:00:00')"
        ))
    upgrade(engine)
    assert current_revision(engine) != "0001"
    with session_scope(engine) as session:
        member = member_store.get_member(session, "T1", "U1")
        assert (member.organisation, member.role, member.status) == ("Acme", "Engineer", "paused")
        assert member.joined_at.year == 2026 and member.joined_at.tzinfo is not None
        # The tables the upgrade added work alongside the old rows.
        session.add(Round(team_id="T1", number=1, period="2026-02", seed=1, opens_at=now(), nudge_at=now(),
                          follow_up_at=now(), closes_at=now()))
    engine.dispose()


def test_joining_twice_updates_one_member(engine):
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, "T1")
        member_store.upsert_member(session, "T1", "U1", organisation="Acme", organisation_key="acme")
    with session_scope(engine) as session:
        member, created = member_store.upsert_member(session, "T1", "U1", organisation="Beta", organisation_key="beta")
        assert not created
    with session_scope(engine) as session:
        rows = session.exec(select(Member).where(Member.slack_user_id == "U1")).all()
        assert [(m.organisation, m.team_id) for m in rows] == [("Beta", "T1")]


def test_the_same_person_in_two_workspaces_is_two_members(engine):
    with session_scope(engine) as session:
        member_store.upsert_member(session, "T1", "U1", organisation="Acme")
        member_store.upsert_member(session, "T2", "U1", organisation="Beta")
    with session_scope(engine) as session:
        assert member_store.get_member(session, "T1", "U1").organisation == "Acme"
        assert member_store.get_member(session, "T2", "U1").organisation == "Beta"


def test_forgetting_a_member_deletes_their_words_and_keeps_an_anonymous_count(engine):
    with session_scope(engine) as session:
        member, _ = member_store.upsert_member(session, "T1", "U1", organisation="Acme", role="Engineer",
                                               talk_about="hiring", could_share="budgets", timezone="Europe/London")
        round_, group = _a_round_with_one_group(session)
        session.add(FollowUp(team_id="T1", round_id=round_.id, group_id=group.id, member_id=member.id,
                             learned="secret things", organisers_may_read=True))
    with session_scope(engine) as session:
        member_store.forget_member(session, member_store.get_member(session, "T1", "U1"))
    with session_scope(engine) as session:
        assert member_store.get_member(session, "T1", "U1") is None
        assert session.exec(select(FollowUp)).all() == []
        (row,) = session.exec(select(Member)).all()
        assert row.status == MemberStatus.left.value and row.left_at is not None
        assert (row.slack_user_id, row.organisation, row.role, row.talk_about, row.could_share, row.timezone) == (
            None, "", "", "", "", None)
        assert member_store.count_by_status(session, "T1")["left"] == 1


def test_a_request_is_claimed_once(engine):
    with session_scope(engine) as session:
        assert member_store.claim_request(session, "T1", "event:Ev1") is True
    with session_scope(engine) as session:
        assert member_store.claim_request(session, "T1", "event:Ev1") is False
        assert member_store.claim_request(session, "T1", "event:Ev2") is True


RACERS = 12


def _race(engine, action):
    """Run `action(session, n)` in RACERS threads released at the same moment; their answers, and any errors."""
    barrier = threading.Barrier(RACERS)
    answers, errors = [], []

    def one(n):
        try:
            barrier.wait()
            with session_scope(engine) as session:
                answers.append(action(session, n))
        except Exception as error:  # the race lost: what the test is looking for
            errors.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers, errors


def test_get_or_create_races_never_fail_and_create_once(engine):
    # Each of these used to read, then insert: two at once both found nothing and, on
    # PostgreSQL, the loser's transaction failed on the primary key.
    for round_number in range(3):
        team = f"T{round_number}"
        answers, errors = _race(engine, lambda s, n: member_store.ensure_workspace(s, team).team_id)
        assert errors == [] and answers == [team] * RACERS
        answers, errors = _race(engine, lambda s, n: member_store.add_organiser(s, team, "UORG", f"U{n}"))
        assert errors == [] and sorted(answers) == [False] * (RACERS - 1) + [True]
        answers, errors = _race(engine, lambda s, n: member_store.claim_request(s, team, f"event:{team}"))
        assert errors == [] and sorted(answers) == [False] * (RACERS - 1) + [True]
        answers, errors = _race(engine, lambda s, n: member_store.put_setting(s, team, "schedule", {"n": n}))
        assert errors == [] and len(answers) == RACERS
        answers, errors = _race(engine, lambda s, n: member_store.set_domain(s, team, "Acme.example", f"Acme {n}"))
        assert errors == [] and len(answers) == RACERS
        with session_scope(engine) as session:
            assert member_store.list_organisers(session, team) == ["UORG"]
            assert member_store.get_setting(session, team, "schedule")["n"] in range(RACERS)
            assert list(member_store.domain_map(session, team)) == ["acme.example"]


def test_a_setting_written_twice_in_one_session_reads_back_the_latest(engine):
    with session_scope(engine) as session:
        member_store.put_setting(session, "T1", "schedule", {"day": "monday"})
        assert member_store.get_setting(session, "T1", "schedule") == {"day": "monday"}
        member_store.put_setting(session, "T1", "schedule", {"day": "friday"})
        assert member_store.get_setting(session, "T1", "schedule") == {"day": "friday"}
        member_store.set_domain(session, "T1", "acme.example", "Acme")
        assert member_store.organisation_for_domain(session, "T1", "acme.example") == "Acme"
        member_store.set_domain(session, "T1", "acme.example", "Acme Ltd")
        assert member_store.organisation_for_domain(session, "T1", "acme.example") == "Acme Ltd"


def test_answers_and_avoids_sent_twice_at_once_are_kept_once(engine):
    from storage import avoids
    from storage import meetings as meeting_store

    with session_scope(engine) as session:
        member, _ = member_store.upsert_member(session, "T1", "U1", organisation="Acme")
        round_, group = _a_round_with_one_group(session)
        ids = dict(team_id="T1", round_id=round_.id, group_id=group.id, member_id=member.id)
    # A follow-up modal submitted twice at once: both land, one row, the answer is one of theirs.
    answers, errors = _race(engine, lambda s, n: meeting_store.save_follow_up(s, **ids, learned=f"answer {n}")[1])
    assert errors == [] and sorted(answers) == [False] * (RACERS - 1) + [True]
    answers, errors = _race(engine, lambda s, n: avoids.add(s, member_store.get_member(s, "T1", "U1"), "U2"))
    assert errors == [] and sorted(answers) == [False] * (RACERS - 1) + [True]
    with session_scope(engine) as session:
        (row,) = session.exec(select(FollowUp)).all()
        assert row.learned.startswith("answer ")
        assert avoids.listed(session, member_store.get_member(session, "T1", "U1")) == ["U2"]


def test_a_rounds_groups_are_stored_each_with_its_own_people_prompts_and_first_mover(engine):
    from storage import rounds as round_store

    with session_scope(engine) as session:
        people = [member_store.upsert_member(session, "T1", f"U{i:03}", organisation=f"Org {i % 5}")[0]
                  for i in range(700)]
        round_, _ = _a_round_with_one_group(session)
        # Pairs, then a trio at the end (as an odd round makes), and one pair of colleagues.
        wanted = [([people[i].id, people[i + 1].id], [f"p{i}", "middle", "last"], people[i + 1].id)
                  for i in range(0, 696, 2)]
        wanted.append(([people[696].id, people[697].id, people[698].id], ["a", "b", "c"], people[696].id))
        wanted.append(([people[0].id, people[5].id], ["x", "y", "z"], None))  # both of Org 0
        ids = round_store.add_groups(session, round_, wanted)
    assert ids == sorted(ids) and len(set(ids)) == len(wanted)
    with session_scope(engine) as session:
        for group_id, (member_ids, prompts, first_mover_id) in zip(ids, wanted):
            group = round_store.get_group(session, group_id)
            assert [m.id for m in round_store.group_members(session, group_id)] == sorted(member_ids)
            assert (group.prompts, group.first_mover_id, group.status) == (json.dumps(prompts), first_mover_id, "new")
            assert group.cross_organisation is (group_id != ids[-1])


def test_a_message_queued_twice_in_one_go_or_again_later_is_recorded_once_as_first_queued(engine):
    from storage import outbox

    welcome = {"key": "welcome_back:7:20261209", "kind": "welcome_back", "params": '{"day": "first"}'}
    announce = {"key": "announce:2027-01:7", "kind": "announce"}
    with session_scope(engine) as session:
        assert outbox.queue(session, "T1", [welcome]) == 1
        again = {**welcome, "params": '{"day": "second"}'}
        assert outbox.queue(session, "T1", [announce, again, announce]) == 1
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
        assert [(r.key, r.params, r.state) for r in rows] == [
            (welcome["key"], '{"day": "first"}', "pending"), (announce["key"], "{}", "pending")]
