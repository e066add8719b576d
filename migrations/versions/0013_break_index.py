"""chain breaks: the (report_id, buyer) index dropped

A weekly report inserts ~2 x 10^5 break rows at a province's scale, and this index cost ~0.2 s of
each insert while no query needs it: the reads by report are served by the unique (report_id, key)
index, which SQLite and PostgreSQL use for its report_id prefix; the firm's inbox (buyer OR
supplier) narrows to the report by that prefix, as it did before (this index could not serve the
OR) (issue 14, item 2).

Revision ID: 0013_break_index
Revises: 0011_notify
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_break_index'
down_revision = '0011_notify'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.drop_index('ix_chain_break_report_buyer')


def downgrade():
    with op.batch_alter_table('chain_break', schema=None) as batch_op:
        batch_op.create_index('ix_chain_break_report_buyer', ['report_id', 'buyer'], unique=False)
