"""article 10 ledger: links start on a day (`since`); orders, deliveries and payments on links

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


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':  # in place (SQLite 3.35+); a rebuild would break foreign keys
        op.execute('ALTER TABLE link DROP COLUMN since')
    else:
        op.drop_column('link', 'since')
