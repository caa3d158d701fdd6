"""Each send's parameters as JSON on its outbox row, so its key is only an identity.

Rows written before this carried their data in the key; it is read out here, once, the way
that code wrote it, so a send queued before the upgrade goes out as it would have.

The one key whose shape changed with it, "unmatched:{round}:{member}:{reason}", is rewritten to
today's "unmatched:{round}:{member}": otherwise queuing that send again after the upgrade finds
no row with its key and sends the member a second message.

Revision ID: 0009
Revises: 0008
"""
import json
from datetime import timezone

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

outbox = sa.table(
    'outbox', sa.column('id', sa.Integer()), sa.column('team_id', sa.String()), sa.column('kind', sa.String()),
    sa.column('key', sa.String()),
    sa.column('not_before', sa.DateTime()), sa.column('params', sa.Text()),
)


def params_from_key(kind, key, not_before):
    """The parameters the key of a row written by revision 0008's code carried."""
    if kind == 'intro':
        # "intro:{group}" or, sent again to those left, "intro:{group}:without:{id}-{id}"
        parts = key.split(':')
        return {'without': [int(i) for i in parts[3].split('-')]} if len(parts) == 4 else {}
    if kind == 'intro_update':
        return {'cause': key.split(':', 2)[2]}            # intro_update:{group}:{event id|closed|quiet}
    if kind == 'unmatched':
        return {'reason': key.rsplit(':', 1)[1]}          # unmatched:{round}:{member}:{reason}
    if kind == 'announce':
        return {'period': key.split(':')[1]}              # announce:{period}:{member}
    if kind == 'reminder':
        # reminder:{group}:{member}:{meeting time, ISO 8601}; its send time was already a column.
        send_at = not_before.replace(tzinfo=timezone.utc).isoformat() if not_before is not None else None
        return {'meeting_at': key.split(':', 3)[3], 'send_at': send_at}
    if kind == 'welcome_back':
        return {'day': key.split(':')[2]}                 # welcome_back:{member}:{YYYYMMDD}
    if kind in ('reschedule_notice', 'reschedule_accepted'):
        # reschedule_notice:{event}:{partner}, reschedule_accepted:{event}
        return {'event_id': int(key.split(':')[1])}
    return {}  # nudge, follow_up, partner_unreachable, partner_moved_on, stay_in_touch, paused_quiet


def upgrade():
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('params', sa.Text(), server_default='{}', nullable=False))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.team_id, outbox.c.kind, outbox.c.key, outbox.c.not_before)).all()
    taken = {(row.team_id, row.key) for row in rows}
    for row in rows:
        try:
            params = params_from_key(row.kind, row.key, row.not_before)
        except (IndexError, ValueError):
            # Never written by that code; left for delivery to record as failed, not to stop the upgrade.
            params = {}
        values = {'params': json.dumps(params, sort_keys=True)} if params else {}
        if row.kind == 'unmatched' and row.key.count(':') == 3:
            key = row.key.rsplit(':', 1)[0]
            # Two reasons for one member in one round never came from that code; keep the first.
            if (row.team_id, key) not in taken:
                taken.add((row.team_id, key))
                values['key'] = key
        if values:
            connection.execute(outbox.update().where(outbox.c.id == row.id).values(**values))


def downgrade():
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('params')
