"""Indexes for the stats' count of who joined and left between rounds.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_member_team_joined', 'member', ['team_id', 'joined_at'])
    op.create_index('ix_member_team_left', 'member', ['team_id', 'left_at'])


def downgrade():
    op.drop_index('ix_member_team_left', 'member')
    op.drop_index('ix_member_team_joined', 'member')
