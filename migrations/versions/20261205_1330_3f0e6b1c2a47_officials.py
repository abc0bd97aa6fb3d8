"""Issue 14: structured officials (a department's leaders and sections), official_id on meetings, weekly patterns
and slots; one official per distinct (department, leader or section text) found on existing rows

Revision ID: 3f0e6b1c2a47
Revises: 7c41d2a9e8b3
Create Date: 2026-12-05 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f0e6b1c2a47'
down_revision = '7c41d2a9e8b3'
branch_labels = None
depends_on = None

# The texts a section's name ends with (科 = section, 室 = office, 股/中心/窗口); anything else names a leader.
SECTION_ENDINGS = ("科", "室", "股", "中心", "窗口", "组")
TABLES = ("meetings", "availability_patterns", "meeting_slots")


def official_kind(name: str, from_section: bool = False) -> str:
    if not name:
        return "DEPARTMENT"
    if from_section or name.endswith(SECTION_ENDINGS):
        return "SECTION"
    return "LEADER"


def upgrade():
    officials = op.create_table('officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('LEADER', 'SECTION', 'DEPARTMENT', name='officialkind', native_enum=False, length=12), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_officials_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officials')),
    sa.UniqueConstraint('department_id', 'name', name='uq_officials_department_name')
    )
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officials_department_id'), ['department_id'], unique=False)

    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('official_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_official_id'), ['official_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_official_id_officials'), 'officials', ['official_id'], ['id']
            )

    _data_upgrade(officials)


def _data_upgrade(officials):
    """One official per distinct (department, text); every row that names one points to it."""
    bind = op.get_bind()
    meetings = sa.table('meetings', sa.column('id'), sa.column('department_id'), sa.column('target_leader'),
                        sa.column('target_section'), sa.column('official_id'))
    patterns = sa.table('availability_patterns', sa.column('id'), sa.column('department_id'), sa.column('leader'),
                        sa.column('official_id'))
    slots = sa.table('meeting_slots', sa.column('id'), sa.column('department_id'), sa.column('leader'),
                     sa.column('official_id'))
    found: dict[tuple[int, str], str] = {}  # (department_id, name) -> kind; a leader's text wins over a section's
    rows = {}
    for row in bind.execute(sa.select(meetings.c.id, meetings.c.department_id, meetings.c.target_leader,
                                      meetings.c.target_section).where(meetings.c.department_id.is_not(None))):
        leader, section = (row.target_leader or "").strip(), (row.target_section or "").strip()
        name = leader or section
        key = (row.department_id, name[:100])
        found.setdefault(key, official_kind(name, from_section=not leader and bool(section)))
        rows.setdefault("meetings", []).append((row.id, key))
    for table, name in (("availability_patterns", patterns), ("meeting_slots", slots)):
        for row in bind.execute(sa.select(name.c.id, name.c.department_id, name.c.leader)):
            key = (row.department_id, (row.leader or "").strip()[:100])
            found.setdefault(key, official_kind(key[1]))
            rows.setdefault(table, []).append((row.id, key))
    ids = {}
    for (department_id, name), kind in sorted(found.items()):
        ids[(department_id, name)] = bind.execute(
            officials.insert()
            .values(department_id=department_id, name=name, kind=kind, is_active=True)
            .returning(officials.c.id)
        ).scalar_one()
    for table, target in (("meetings", meetings), ("availability_patterns", patterns), ("meeting_slots", slots)):
        for row_id, key in rows.get(table, []):
            bind.execute(target.update().where(target.c.id == row_id).values(official_id=ids[key]))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_official_id_officials'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_official_id'))
            batch_op.drop_column('official_id')

    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officials_department_id'))

    op.drop_table('officials')
