"""Issue 21: the change stamp, one row whose value every committed write changes, so that a rendered page can be
served again while it is the same (stations/web/change_stamp.py, stations/web/render_cache.py)

Revision ID: e5a1c7d94b20
Revises: b8d2f4a61c05
Create Date: 2026-12-06 03:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a1c7d94b20'
down_revision = 'b8d2f4a61c05'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table(
        'change_stamps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_stamps')),
    )
    op.bulk_insert(stamps, [{'id': 1, 'value': secrets.randbits(62)}])


def downgrade():
    op.drop_table('change_stamps')
