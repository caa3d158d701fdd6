"""Workspaces, members, organisers, settings and the organisation domain map.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handled_request',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index('ix_handled_request_handled_at', 'handled_request', ['handled_at'])

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=True),
    sa.Column('organisation', sa.String(length=80), nullable=False),
    sa.Column('organisation_key', sa.String(length=80), nullable=False),
    sa.Column('role', sa.Text(), server_default='', nullable=False),
    sa.Column('talk_about', sa.Text(), server_default='', nullable=False),
    sa.Column('could_share', sa.Text(), server_default='', nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'slack_user_id', name='uq_member_team_user')
    )
    op.create_index('ix_member_organisation_key', 'member', ['organisation_key'])
    op.create_index('ix_member_status', 'member', ['status'])
    op.create_index('ix_member_team_id', 'member', ['team_id'])

    op.create_table('organisation_domain',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('organisation', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'domain')
    )

    op.create_table('organiser',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('added_by', sa.String(length=32), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'slack_user_id')
    )

    op.create_table('setting',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'key')
    )

    op.create_table('workspace',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )


def downgrade():
    op.drop_table('workspace')
    op.drop_table('setting')
    op.drop_table('organiser')
    op.drop_table('organisation_domain')
    op.drop_table('member')
    op.drop_table('handled_request')
