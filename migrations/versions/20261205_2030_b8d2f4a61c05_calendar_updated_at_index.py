"""Issue 21: an index on work_calendar_days.updated_at, so the calendar's freshness check (its row count and
newest change, asked on every page that counts working days) reads an index instead of the whole table

Revision ID: b8d2f4a61c05
Revises: 3f0e6b1c2a47
Create Date: 2026-12-05 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8d2f4a61c05'
down_revision = '3f0e6b1c2a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_calendar_days_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('work_calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_calendar_days_updated_at'))
