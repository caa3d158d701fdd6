"""A meeting event's time in a column of its own, and an intro's edit naming its event by number.

Until now a time rode in the event's text: a scheduled chat's and a picked suggestion's note was
the time (ISO 8601), and a reschedule request's was "time\\nnote" (either part may be empty). It
moves to `meeting_at` (naive UTC, as every time column), and the note keeps only the member's
words. The outbox's intro edits said what caused them in one string, an event's id or "closed";
they carry `event_id` now, none meaning the round closed. Keys are unchanged, so a send queued
before the upgrade is still found when queued again.

Revision ID: 0014
Revises: 0013
"""
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

meeting_event = sa.table(
    'meeting_event', sa.column('id', sa.Integer()), sa.column('kind', sa.String()), sa.column('note', sa.Text()),
    sa.column('meeting_at', sa.DateTime()),
)
outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                  sa.column('params', sa.Text()))

TIME_ONLY = ('scheduled', 'time_chosen')
EDITS = ('intro_update', 'intro_moved')


def _utc(text):
    at = datetime.fromisoformat(text)
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def _iso(at):
    return at.replace(tzinfo=timezone.utc).isoformat() if at is not None else ''


def upgrade():
    op.add_column('meeting_event', sa.Column('meeting_at', sa.DateTime(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(meeting_event.c.id, meeting_event.c.kind, meeting_event.c.note).where(
        meeting_event.c.kind.in_([*TIME_ONLY, 'reschedule_asked']), meeting_event.c.note != '')).all()
    for row in rows:
        if row.kind == 'reschedule_asked':
            first, _, note = row.note.partition('\n')
        else:
            first, note = row.note, ''
        try:
            at = _utc(first) if first else None
        except ValueError:
            continue  # never written by that code: left as it is rather than stop the upgrade
        connection.execute(meeting_event.update().where(meeting_event.c.id == row.id).values(meeting_at=at, note=note))
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.params).where(outbox.c.kind.in_(EDITS))).all():
        params = json.loads(row.params or '{}')
        cause = str(params.pop('cause', ''))
        if cause.isdigit():
            params['event_id'] = int(cause)
        connection.execute(outbox.update().where(outbox.c.id == row.id).values(
            params=json.dumps(params, sort_keys=True)))


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(meeting_event.c.id, meeting_event.c.kind, meeting_event.c.note,
                                        meeting_event.c.meeting_at).where(
        meeting_event.c.kind.in_([*TIME_ONLY, 'reschedule_asked']))).all()
    for row in rows:
        if row.kind == 'reschedule_asked':
            note = _iso(row.meeting_at) + '\n' + row.note if (row.meeting_at or row.note) else ''
        else:
            note = _iso(row.meeting_at) or row.note
        connection.execute(meeting_event.update().where(meeting_event.c.id == row.id).values(note=note))
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.params).where(
            outbox.c.kind.in_(EDITS))).all():
        params = json.loads(row.params or '{}')
        event_id = params.pop('event_id', None)
        params['cause'] = str(event_id) if event_id is not None else 'closed'
        connection.execute(outbox.update().where(outbox.c.id == row.id).values(
            params=json.dumps(params, sort_keys=True)))
    # Plain DROP COLUMN, as 0010: a batch copy of meeting_event would trip its foreign keys on SQLite.
    op.execute('ALTER TABLE meeting_event DROP COLUMN meeting_at')
