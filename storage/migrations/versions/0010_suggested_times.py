"""Suggested times: when a member says they're usually free, their name for calendar titles, and
the times each intro suggests.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('usually_free', sa.String(length=80), nullable=True))
    with op.batch_alter_table('match_group') as batch_op:
        batch_op.add_column(sa.Column('suggested_times', sa.Text(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of match_group or member would
    # drop a table other tables' foreign keys point at, which SQLite refuses with them on.
    op.execute('ALTER TABLE match_group DROP COLUMN suggested_times')
    op.execute('ALTER TABLE member DROP COLUMN usually_free')
    op.execute('ALTER TABLE member DROP COLUMN name')
