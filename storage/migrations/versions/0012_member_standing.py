"""What Slack said of each member when a round was last matched: a full member of the workspace, or a
deactivated account, a bot, a guest or someone from another organisation's workspace (Slack Connect).

A table of its own rather than a column on member, so code of earlier revisions reading members
(the outbox migration's test does) is unaffected.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_standing',
        sa.Column('member_id', sa.Integer(), sa.ForeignKey('member.id'), primary_key=True),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('standing', sa.String(length=16), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_member_standing_team_id', 'member_standing', ['team_id'])


def downgrade():
    op.drop_index('ix_member_standing_team_id', 'member_standing')
    op.drop_table('member_standing')
