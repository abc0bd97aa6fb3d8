"""Issue 19: the optional reason an enterprise gives when it changes its dedicated clerk

Revision ID: 7c41d2a9e8b3
Revises: 5e1a0c7d9b14
Create Date: 2026-12-05 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41d2a9e8b3'
down_revision = '5e1a0c7d9b14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clerk_choices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('clerk_choices', schema=None) as batch_op:
        batch_op.drop_column('note')
