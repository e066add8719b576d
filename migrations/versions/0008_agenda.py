"""agenda: what the task force sets on the dispatch meeting's agenda items (issue 12, item 3)

Adds `agenda_entry` (per week and item key: owner region, departments, assignee, due date, the
decision and, at the next meeting, its outcome) and `agenda_event` (each item's action log).

Revision ID: 0008_agenda
Revises: 0007_visibility
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_agenda'
down_revision = '0012_risk_monitoring'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('owner_region', sa.String(length=6), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_agenda_entry_assignee_id_user_account'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_entry')),
    sa.UniqueConstraint('week', 'key', name='uq_agenda_entry_week_key')
    )
    with op.batch_alter_table('agenda_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_entry_week'), ['week'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_entry_owner_region'), ['owner_region'], unique=False)

    op.create_table('agenda_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_agenda_event_actor_id_user_account'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_event'))
    )
    with op.batch_alter_table('agenda_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_event_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('agenda_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_event_key'))
    op.drop_table('agenda_event')
    with op.batch_alter_table('agenda_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_entry_owner_region'))
        batch_op.drop_index(batch_op.f('ix_agenda_entry_week'))
    op.drop_table('agenda_entry')
