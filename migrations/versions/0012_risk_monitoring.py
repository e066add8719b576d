"""risk zones and monitoring: a county's risk history, and a firm's headcount

Adds `region_risk` (region, risk, effective_from, set_by, set_at, reason: one row per change of a
county's risk level, article 2) and a nullable `headcount` on `firm` (the workforce that weights
resumption monitoring, article 13). Existing regions get no history: their stored risk holds
until their first recorded change.

Revision ID: 0012_risk_monitoring
Revises: 0007_visibility
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_risk_monitoring'
down_revision = '0009_help'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('risk', sa.String(length=10), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_region_risk_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_risk'))
    )
    with op.batch_alter_table('region_risk', schema=None) as batch_op:
        batch_op.create_index('ix_region_risk_region_from', ['region_code', 'effective_from'], unique=False)
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headcount', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_column('headcount')
    with op.batch_alter_table('region_risk', schema=None) as batch_op:
        batch_op.drop_index('ix_region_risk_region_from')
    op.drop_table('region_risk')
