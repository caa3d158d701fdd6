"""Count rounds in a row a member didn't meet, so two quiet rounds pause them kindly.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.add_column(sa.Column('quiet_rounds', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.drop_column('quiet_rounds')
