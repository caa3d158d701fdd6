"""A member's private "don't pair me with" list, and pausing until a chosen day.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('avoid',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('avoided_user_id', sa.String(length=32), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('member_id', 'avoided_user_id')
    )
    op.create_index('ix_avoid_team_id', 'avoid', ['team_id'])
    with op.batch_alter_table('member') as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.drop_column('paused_until')
    op.drop_index('ix_avoid_team_id', 'avoid')
    op.drop_table('avoid')
