"""Slack's trouble with a workspace (its token refused, or Slack failing), so every process holds its
sends until the next gentle try instead of failing them, and organisers can be told.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspace') as batch_op:
        batch_op.add_column(sa.Column('slack_trouble', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('slack_trouble_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('slack_retry_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('workspace') as batch_op:
        batch_op.drop_column('slack_retry_at')
        batch_op.drop_column('slack_trouble_since')
        batch_op.drop_column('slack_trouble')
