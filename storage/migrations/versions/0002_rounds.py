"""Rounds, groups, meeting events, follow-ups and the outbox.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('nudge_at', sa.DateTime(), nullable=False),
    sa.Column('follow_up_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('nudged_at', sa.DateTime(), nullable=True),
    sa.Column('followed_up_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('members_active', sa.Integer(), nullable=False),
    sa.Column('members_paused', sa.Integer(), nullable=False),
    sa.Column('members_skipping', sa.Integer(), nullable=False),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'number', name='uq_round_team_number'),
    sa.UniqueConstraint('team_id', 'period', name='uq_round_team_period')
    )
    op.create_index('ix_round_team_id', 'round', ['team_id'])

    op.create_table('match_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('intro_ts', sa.String(length=32), nullable=True),
    sa.Column('meeting_at', sa.DateTime(), nullable=True),
    sa.Column('cross_organisation', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_match_group_round_id', 'match_group', ['round_id'])
    op.create_index('ix_match_group_team_id', 'match_group', ['team_id'])

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('learned', sa.Text(), server_default='', nullable=False),
    sa.Column('shared', sa.Text(), server_default='', nullable=False),
    sa.Column('stay_in_touch', sa.Boolean(), nullable=False),
    sa.Column('organisers_may_read', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['match_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'member_id', name='uq_follow_up_group_member')
    )
    op.create_index('ix_follow_up_round_id', 'follow_up', ['round_id'])

    op.create_table('group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['match_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'member_id')
    )
    op.create_index('ix_group_member_member_id', 'group_member', ['member_id'])

    op.create_table('meeting_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['match_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_meeting_event_group_id', 'meeting_event', ['group_id'])

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['match_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'key', name='uq_outbox_team_key')
    )
    op.create_index('ix_outbox_kind', 'outbox', ['kind'])
    op.create_index('ix_outbox_round_id', 'outbox', ['round_id'])
    op.create_index('ix_outbox_state', 'outbox', ['state'])


def downgrade():
    op.drop_table('outbox')
    op.drop_table('meeting_event')
    op.drop_table('group_member')
    op.drop_table('follow_up')
    op.drop_table('match_group')
    op.drop_table('round')
