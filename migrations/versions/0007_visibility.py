"""visibility: who sees a break, firms asking for help, idle-week escalation, status entered by staff

Adds to `chain_break` its `regions` (the counties of its path's firms: who sees it), `idle_weeks`
(the weeks of its run in which staff did not act on it; automatic escalation counts these only)
and `acted` (staff acted on it in its week); to `weekly_report` its `blocked_firms` (the firms
asking for help); to `firm` who of the task force entered its status and when (`status_by`,
`status_at`; empty when the firm reported it itself). Stored breaks get their buyer's county as
regions and their weeks open as idle weeks (re-running a week recomputes them).

Revision ID: 0007_visibility
Revises: 0006_products
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_visibility'
down_revision = '0006_products'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regions', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('idle_weeks', sa.Integer(), nullable=False, server_default=sa.text('1')))
        batch_op.add_column(sa.Column('acted', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE chain_break SET idle_weeks = weeks_open")
    op.execute("UPDATE chain_break SET regions = '[\"' || buyer_region || '\"]'"
               if op.get_bind().dialect.name != 'postgresql' else
               "UPDATE chain_break SET regions = json_build_array(buyer_region)")
    with op.batch_alter_table('weekly_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_firms', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('status_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_column('status_at')
        batch_op.drop_column('status_by')
    with op.batch_alter_table('weekly_report', schema=None) as batch_op:
        batch_op.drop_column('blocked_firms')
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.drop_column('acted')
        batch_op.drop_column('idle_weeks')
        batch_op.drop_column('regions')
