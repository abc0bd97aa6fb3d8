"""Issue 14: appeals raised from meetings, sessions and key projects (origin link), a blocked procedure's appeal, policy sessions' version

Revision ID: 5e1a0c7d9b14
Revises: e4543c12ed7a
Create Date: 2026-12-05 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a0c7d9b14'
down_revision = 'e4543c12ed7a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_kind', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('origin_ref', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_appeals_origin', ['origin_kind', 'origin_ref'], unique=False)

    with op.batch_alter_table('policy_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('project_procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appeal_no', sa.String(length=24), nullable=True))


def downgrade():
    with op.batch_alter_table('project_procedures', schema=None) as batch_op:
        batch_op.drop_column('appeal_no')

    with op.batch_alter_table('policy_sessions', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_origin')
        batch_op.drop_column('origin_ref')
        batch_op.drop_column('origin_kind')
