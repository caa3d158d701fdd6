"""Who makes the first move in each group, so turns can alternate fairly.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_group') as batch_op:
        batch_op.add_column(sa.Column('first_mover_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_match_group_first_mover', 'member', ['first_mover_id'], ['id'])


def downgrade():
    with op.batch_alter_table('match_group') as batch_op:
        batch_op.drop_constraint('fk_match_group_first_mover', type_='foreignkey')
        batch_op.drop_column('first_mover_id')
