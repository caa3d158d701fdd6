"""Events and intro edits written before revision 0014 read the same after it, and back again after a downgrade."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import text
from sqlmodel import select

from scheduler import sends
from scheduler.group_state import latest_suggestion
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.db import alembic_config, current_revision, make_engine, session_scope, upgrade
from storage.models import Outbox

UTC = timezone.utc
TEAM = "T1"
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
MEETING = datetime(2026, 12, 15, 14, 30, tzinfo=UTC)
BEFORE = "0013"


def _groups_at_before(engine) -> tuple[list[int], list[int], int]:
    """Two members, a round and three groups, with the schema then taken back to 0013."""
    upgrade(engine)
    with session_scope(engine) as session:
        ids = []
        for user, organisation in [("U1", "Acme"), ("U2", "Beta")]:
            member_store.ensure_workspace(session, TEAM)
            member, _ = member_store.upsert_member(session, TEAM, user, organisation=organisation,
                                                   organisation_key=organisation.lower(), status="active",
                                                   timezone="Europe/London", joined_at=NOW)
            ids.append(member.id)
        round_ = round_store.create_round(session, team_id=TEAM, period="2026-12", seed=7, opens_at=NOW,
                                          nudge_at=NOW + timedelta(days=8), follow_up_at=NOW + timedelta(days=19),
                                          closes_at=NOW + timedelta(days=26))
        session.flush()
        groups = [round_store.add_group(session, round_, ids, []).id for _ in range(3)]
        round_id = round_.id
    command.downgrade(alembic_config(engine), BEFORE)
    assert current_revision(engine) == BEFORE
    return ids, groups, round_id


def _insert(engine, sql: str, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(sql), {"team": TEAM, "created_at": NOW.replace(tzinfo=None), **row})


def _events_as_written_before(engine, ids, groups) -> None:
    """meeting_event rows as the code of revision 0013 wrote them: times inside the note."""
    u1, u2 = ids
    scheduled, choosing, moving = groups
    _insert(engine, "INSERT INTO meeting_event (team_id, group_id, member_id, kind, note, created_at)"
                    " VALUES (:team, :group_id, :member_id, :kind, :note, :created_at)", [
        # Picked in a modal in the member's own zone: the offset came along.
        {"group_id": scheduled, "member_id": u1, "kind": "scheduled", "note": "2026-12-15T14:30:00+00:00"},
        {"group_id": scheduled, "member_id": u2, "kind": "scheduled", "note": ""},  # "we've scheduled", no time
        {"group_id": choosing, "member_id": u1, "kind": "time_chosen", "note": "2026-12-16T10:00:00+01:00"},
        {"group_id": choosing, "member_id": u2, "kind": "no_reply", "note": "the round closed"},
        {"group_id": moving, "member_id": u1, "kind": "reschedule_asked", "note": "\nNo time yet, sorry"},
        {"group_id": moving, "member_id": u2, "kind": "reschedule_asked",
         "note": MEETING.isoformat() + "\nSorry, a clash\nSecond line"},
    ])


def _edits_as_written_before(engine, round_id, groups) -> None:
    _insert(engine, "INSERT INTO outbox (team_id, key, kind, round_id, group_id, state, attempts, params, created_at)"
                    " VALUES (:team, :key, :kind, :round_id, :group_id, 'pending', 0, :params, :created_at)", [
        {"key": f"intro_update:{groups[0]}:closed", "kind": "intro_update", "round_id": round_id,
         "group_id": groups[0], "params": json.dumps({"cause": "closed"})},
        {"key": f"intro_update:{groups[1]}:41", "kind": "intro_update", "round_id": round_id,
         "group_id": groups[1], "params": json.dumps({"cause": "41"})},
        {"key": f"intro_moved:{groups[2]}:42", "kind": "intro_moved", "round_id": round_id, "group_id": groups[2],
         "params": json.dumps({"cause": "42", "channel": "G1", "ts": "1.000001"}, sort_keys=True)},
    ])


def test_times_written_inside_notes_are_read_the_same_after_the_upgrade(empty_db_url):
    engine = make_engine(empty_db_url)
    ids, groups, _round_id = _groups_at_before(engine)
    _events_as_written_before(engine, ids, groups)
    upgrade(engine)
    scheduled, choosing, moving = groups
    with session_scope(engine) as session:
        asked, suggested_at, note = latest_suggestion(session, moving)
        assert (asked.member_id, suggested_at, note) == (ids[1], MEETING, "Sorry, a clash\nSecond line")
        first = meeting_store.events(session, moving)[0]
        assert (first.meeting_at, first.note) == (None, "No time yet, sorry")
        assert meeting_store.latest_choices(session, choosing) == {ids[0]: datetime(2026, 12, 16, 9, 0, tzinfo=UTC)}
        assert [(e.meeting_at, e.note) for e in meeting_store.events(session, scheduled)] == [(MEETING, ""), (None, "")]
        assert meeting_store.events(session, choosing)[1].note == "the round closed"
    engine.dispose()


def test_a_downgrade_puts_each_time_back_into_its_note(empty_db_url):
    engine = make_engine(empty_db_url)
    ids, groups, _round_id = _groups_at_before(engine)
    _events_as_written_before(engine, ids, groups)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT id, note FROM meeting_event ORDER BY id")).all()
    upgrade(engine)
    command.downgrade(alembic_config(engine), BEFORE)
    with engine.connect() as connection:
        after = connection.execute(text("SELECT id, note FROM meeting_event ORDER BY id")).all()
    engine.dispose()
    # The one written in another zone comes back in UTC: the same moment.
    assert after == [(i, "2026-12-16T09:00:00+00:00" if n.startswith("2026-12-16") else n) for i, n in before]


def test_intro_edits_queued_before_the_upgrade_name_their_event_by_number(empty_db_url):
    engine = make_engine(empty_db_url)
    ids, groups, round_id = _groups_at_before(engine)
    _edits_as_written_before(engine, round_id, groups)
    upgrade(engine)
    with session_scope(engine) as session:
        loaded = {row.key: sends.load(row) for row in session.exec(select(Outbox))}
        # Queued again after the upgrade, each is the one already there.
        assert sends.queue(session, TEAM, list(loaded.values())) == 0
    engine.dispose()
    assert {key: getattr(send, "event_id") for key, send in loaded.items()} == {
        f"intro_update:{groups[0]}:closed": None, f"intro_update:{groups[1]}:41": 41, f"intro_moved:{groups[2]}:42": 42,
    }
    assert {send.key() for send in loaded.values()} == set(loaded)
