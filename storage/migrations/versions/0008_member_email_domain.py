"""A member's work email domain, so colleagues are known whatever they typed as their organisation.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.add_column(sa.Column('email_domain', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('member') as batch_op:
        batch_op.drop_column('email_domain')
