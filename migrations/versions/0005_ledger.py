"""article 10 ledger: links start on a day (`since`); orders, deliveries and payments on links

Adds `link.since`, the tables `ledger_order`, `ledger_delivery`, `ledger_payment`, and the weekly
report's `commitments` and `leading_firms`.
`link.since` is the day the link started: for a link made from an accepted pairing, the day (in
the service's time zone) the second side accepted; for any other stored link, the day it was
stored (its `created_at`), else the day of the upgrade.

Revision ID: 0005_ledger
Revises: 0004_token_expiry
"""
import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_ledger'
down_revision = '0004_token_expiry'
branch_labels = None
depends_on = None

_CHUNK = 2000


def _day(value, zone):
    """The calendar day of a stored timestamp in the service's zone (text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone).date()


def upgrade():
    conn = op.get_bind()
    # Added NOT NULL with a placeholder default, then filled: SQLite adds such a column in place
    # (making it NOT NULL afterwards would rebuild the table, which the other tables' foreign keys
    # to `link` forbid); on PostgreSQL the placeholder default is dropped again.
    op.add_column('link', sa.Column('since', sa.Date(), nullable=False, server_default='2000-01-01'))
    zone = ZoneInfo(os.environ.get('MATCHMAKER_TIMEZONE') or 'Asia/Shanghai')
    today = datetime.now(zone).date()
    rows = conn.execute(sa.text(
        "SELECT l.id, l.created_at, (SELECT MIN(p.activated_at) FROM pairing p WHERE p.link_id = l.id) "
        "FROM link l ORDER BY l.id")).all()
    values = [{'k_id': link_id, 'v_since': _day(activated, zone) or _day(created, zone) or today}
              for link_id, created, activated in rows]
    link = sa.table('link', sa.column('id', sa.Integer()), sa.column('since', sa.Date()))
    stmt = sa.update(link).where(link.c.id == sa.bindparam('k_id')).values(since=sa.bindparam('v_since'))
    for i in range(0, len(values), _CHUNK):
        conn.execute(stmt, values[i:i + _CHUNK])
    if conn.dialect.name != 'sqlite':
        op.alter_column('link', 'since', server_default=None, existing_type=sa.Date(), existing_nullable=False)

    _create_ledger()
    # the weekly report's article-10 parts (reports written before have none); in place, as `since`
    for name in ('commitments', 'leading_firms'):
        op.add_column('weekly_report', sa.Column(name, sa.JSON(), nullable=False, server_default='[]'))
        if conn.dialect.name != 'sqlite':
            op.alter_column('weekly_report', name, server_default=None, existing_type=sa.JSON(),
                            existing_nullable=False)


def _create_ledger():
    """The ledger: orders, deliveries and payments on links."""
    op.create_table('ledger_delivery',
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], name=op.f('fk_ledger_delivery_link_id_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_delivery')),
    sa.UniqueConstraint('ref', name=op.f('uq_ledger_delivery_ref'))
    )
    with op.batch_alter_table('ledger_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_delivery_link_date', ['link_id', 'date'], unique=False)

    op.create_table('ledger_order',
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], name=op.f('fk_ledger_order_link_id_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_order')),
    sa.UniqueConstraint('ref', name=op.f('uq_ledger_order_ref'))
    )
    with op.batch_alter_table('ledger_order', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_order_link_date', ['link_id', 'date'], unique=False)

    op.create_table('ledger_payment',
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['ledger_delivery.id'], name=op.f('fk_ledger_payment_delivery_id_ledger_delivery')),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], name=op.f('fk_ledger_payment_link_id_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_payment')),
    sa.UniqueConstraint('ref', name=op.f('uq_ledger_payment_ref'))
    )
    with op.batch_alter_table('ledger_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_payment_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index('ix_ledger_payment_link_date', ['link_id', 'date'], unique=False)


def downgrade():
    for name in ('leading_firms', 'commitments'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE weekly_report DROP COLUMN {name}')
        else:
            op.drop_column('weekly_report', name)
    with op.batch_alter_table('ledger_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_payment_link_date')
        batch_op.drop_index(batch_op.f('ix_ledger_payment_delivery_id'))

    op.drop_table('ledger_payment')
    with op.batch_alter_table('ledger_order', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_order_link_date')

    op.drop_table('ledger_order')
    with op.batch_alter_table('ledger_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_delivery_link_date')

    op.drop_table('ledger_delivery')

    if op.get_bind().dialect.name == 'sqlite':  # in place (SQLite 3.35+); a rebuild would break foreign keys
        op.execute('ALTER TABLE link DROP COLUMN since')
    else:
        op.drop_column('link', 'since')
