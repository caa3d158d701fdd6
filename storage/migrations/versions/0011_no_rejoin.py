"""Who an organiser removed and chose not to let rejoin (their Slack ID and whom to ask, nothing else).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('no_rejoin',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('removed_by', sa.String(length=32), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'slack_user_id')
    )


def downgrade():
    op.drop_table('no_rejoin')
