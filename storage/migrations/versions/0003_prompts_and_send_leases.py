"""Prompts given to each group, and a lease on each send so a crash's sends are told from a live one's.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_group') as batch_op:
        batch_op.add_column(sa.Column('prompts', sa.Text(), server_default='[]', nullable=False))
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_at')
    with op.batch_alter_table('match_group') as batch_op:
        batch_op.drop_column('prompts')
