"""link confirmation: links one firm declares about another are requests until the other confirms

Adds `link_request`. Links a firm user created through the API under the old rules (the audit
log's `create` entry names a firm user), that no pairing made and that the other side has not
since edited, were never confirmed by the other firm: they become requests awaiting it and leave
the `link` table, so they drop out of the chain map, breaks and reports until confirmed. Links
that were imported, made by an admin or made from a pairing stay links.

Downgrade turns requests still awaiting a new link back into links (refs `L-R<id>`: the original
refs are not kept) and drops the table.

Revision ID: 0003_link_confirmation
Revises: 0002_sessions
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_link_confirmation'
down_revision = '0002_sessions'
branch_labels = None
depends_on = None

# links created by a firm user of one side, not by a pairing, never edited by a user of the other side
_UNCONFIRMED = """
    SELECT l.id, u.firm_id, l.supplier_id, s.ref, b.ref, l.category_code, l.quantity_per_week, l.terms, l.active,
           l.created_at
    FROM link l
    JOIN firm s ON s.id = l.supplier_id
    JOIN firm b ON b.id = l.buyer_id
    JOIN audit_entry a ON a.entity = 'link' AND a.action = 'create' AND a.entity_id = l.ref
    JOIN user_account u ON u.id = a.actor_id AND u.role = 'firm'
                        AND (u.firm_id = l.supplier_id OR u.firm_id = l.buyer_id)
    WHERE NOT EXISTS (SELECT 1 FROM pairing p WHERE p.link_id = l.id)
      AND NOT EXISTS (
        SELECT 1 FROM audit_entry a2 JOIN user_account u2 ON u2.id = a2.actor_id
        WHERE a2.entity = 'link' AND a2.action = 'update' AND a2.entity_id = l.ref AND u2.role = 'firm'
          AND u2.firm_id IN (l.supplier_id, l.buyer_id) AND u2.firm_id <> u.firm_id)
    ORDER BY l.id
"""


def upgrade():
    op.create_table('link_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('awaiting_ref', sa.String(length=64), nullable=False),
    sa.Column('supplier_ref', sa.String(length=64), nullable=False),
    sa.Column('buyer_ref', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('link_version', sa.Integer(), nullable=True),
    sa.Column('category_code', sa.String(length=32), nullable=True),
    sa.Column('quantity_per_week', sa.Float(), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['category.code'], name=op.f('fk_link_request_category_code_category')),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_link_request_firm_id_firm')),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], name=op.f('fk_link_request_link_id_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_request'))
    )
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_request_awaiting_ref'), ['awaiting_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_request_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_request_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_request_status'), ['status'], unique=False)

    conn = op.get_bind()
    request = sa.table(
        'link_request', *(sa.column(name) for name in (
            'kind', 'firm_id', 'awaiting_ref', 'supplier_ref', 'buyer_ref', 'category_code',
            'quantity_per_week', 'active', 'status', 'created_at', 'version')),
        sa.column('terms', sa.JSON()))
    link = sa.table('link', sa.column('id'))
    rows = conn.execute(sa.text(_UNCONFIRMED)).all()
    seen = set()
    for (link_id, firm_id, supplier_id, supplier, buyer, category, quantity, terms, active, created) in rows:
        if link_id in seen:
            continue
        seen.add(link_id)
        conn.execute(sa.insert(request).values(
            kind='new', firm_id=firm_id, awaiting_ref=buyer if firm_id == supplier_id else supplier,
            supplier_ref=supplier, buyer_ref=buyer, category_code=category, quantity_per_week=quantity,
            terms=_json(terms), active=active, status='awaiting_confirmation', created_at=created, version=1))
        conn.execute(sa.delete(link).where(link.c.id == link_id))


def _json(terms):
    """A JSON list column read through text SQL (SQLite hands it back as text)."""
    return json.loads(terms) if isinstance(terms, str) else (terms or [])


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT r.id, s.id, b.id, r.category_code, r.quantity_per_week, r.terms, r.active, r.created_at "
        "FROM link_request r JOIN firm s ON s.ref = r.supplier_ref JOIN firm b ON b.ref = r.buyer_ref "
        "WHERE r.kind = 'new' AND r.status = 'awaiting_confirmation' ORDER BY r.id")).all()
    link = sa.table('link', *(sa.column(name) for name in (
        'ref', 'supplier_id', 'buyer_id', 'category_code', 'quantity_per_week', 'active', 'created_at',
        'version')), sa.column('terms', sa.JSON()))
    for (req_id, supplier_id, buyer_id, category, quantity, terms, active, created) in rows:
        conn.execute(sa.insert(link).values(
            ref=f'L-R{req_id}', supplier_id=supplier_id, buyer_id=buyer_id, category_code=category,
            quantity_per_week=quantity, terms=_json(terms), active=True if active is None else active,
            created_at=created, version=1))
    with op.batch_alter_table('link_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_request_status'))
        batch_op.drop_index(batch_op.f('ix_link_request_link_id'))
        batch_op.drop_index(batch_op.f('ix_link_request_firm_id'))
        batch_op.drop_index(batch_op.f('ix_link_request_awaiting_ref'))

    op.drop_table('link_request')
