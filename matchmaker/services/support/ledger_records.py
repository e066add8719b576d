"""The article-10 ledger as :mod:`graphs.commitments` records: links with their terms and start, orders,
deliveries and payments (the ledger's part of the one rows-to-records adapter, :mod:`.network`)."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

import graphs
from matchmaker.models import Firm, Link
from matchmaker.models.ledger import Delivery as LedgerDelivery, Order as LedgerOrder, Payment as LedgerPayment
from matchmaker.services.support.rows import DecodedLists as _Decoded, connection as _connection, iso_text as _iso


class Ledger(NamedTuple):
    """The ledger as graphs.commitments records: links, orders, deliveries, payments."""

    links: list
    orders: list
    deliveries: list
    payments: list


def _ledger_links(*where):
    lk, s, b = Link.__table__.c, Firm.__table__.alias("s"), Firm.__table__.alias("b")
    rows = _connection().execute(
        sa.select(lk.ref, b.c.ref, s.c.ref, b.c.kind, s.c.kind, sa.type_coerce(lk.terms, sa.String), _iso(lk.since),
                  lk.active, b.c.region_code, s.c.region_code)
        .join_from(Link.__table__, s, lk.supplier_id == s.c.id).join(b, lk.buyer_id == b.c.id).where(*where)).all()
    terms, iso = _Decoded(), date.fromisoformat
    return [graphs.LedgerLink(ref, buyer, supplier, bkind, skind, terms(raw), iso(since) if since else None,
                              bool(active), bcounty, scounty)
            for ref, buyer, supplier, bkind, skind, raw, since, active, bcounty, scounty in rows]


def ledger_link_record(link: Link) -> graphs.LedgerLink:
    """The graphs.commitments record of one stored link (a Link row with its two firms)."""
    return graphs.LedgerLink(link.ref, link.buyer.ref, link.supplier.ref, link.buyer.kind, link.supplier.kind,
                             tuple(link.terms or ()), link.since, bool(link.active), link.buyer.region_code,
                             link.supplier.region_code)


def _entries(table, record, as_of, link_ids, named=None):
    """graphs.commitments records of a ledger table (a payment's named delivery through `named`)."""
    lk = Link.__table__
    columns = [table.c.ref, lk.c.ref, _iso(table.c.date)] + [table.c[n] for n in ("quantity", "amount")
                                                             if n in record._fields]
    stmt = sa.select(*columns).join_from(table, lk, table.c.link_id == lk.c.id)
    if named is not None:
        stmt = stmt.add_columns(named.c.ref).outerjoin(named, table.c.delivery_id == named.c.id)
    if as_of is not None:
        stmt = stmt.where(table.c.date <= as_of)
    if link_ids is not None:
        stmt = stmt.where(table.c.link_id.in_(link_ids))
    iso, make = date.fromisoformat, record._make
    return [make((row[0], row[1], iso(row[2]), *row[3:])) for row in _connection().execute(stmt).all()]


def _ids_chunks(ids, size=5000):
    ids = sorted(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _concerned_links() -> list:
    """The links a rule of article 10 can concern: a leading buyer and an SME supplier (read
    through the buyer index, one chunk of leading firms at a time: a join filtering both kinds
    makes SQLite walk every SME's links), the order_first term, or a delivery recorded."""
    lk, f, conn = Link.__table__.c, Firm.__table__.c, _connection()
    leading = conn.execute(sa.select(f.id).where(f.kind == "leading")).scalars().all()
    records = [r for chunk in _ids_chunks(leading) for r in _ledger_links(lk.buyer_id.in_(chunk))
               if r.supplier_kind == "sme"]
    seen = {r.ref for r in records}
    others = set(conn.execute(sa.select(lk.id).where(sa.cast(lk.terms, sa.Text).like("%order_first%"))).scalars())
    others |= set(conn.execute(sa.select(LedgerDelivery.__table__.c.link_id).distinct()).scalars())
    for chunk in _ids_chunks(others):
        records.extend(r for r in _ledger_links(lk.id.in_(chunk)) if r.ref not in seen)
    return records


def load_ledger(as_of: date | None = None, link_ids: list | None = None) -> Ledger:
    """The ledger as of a date (entries dated after it left out), of the given links or else of
    every link the article-10 rules can concern (:func:`_concerned_links`)."""
    lk = Link.__table__.c
    orders, deliveries, payments = (m.__table__ for m in (LedgerOrder, LedgerDelivery, LedgerPayment))
    links = _ledger_links(lk.id.in_(link_ids)) if link_ids is not None else _concerned_links()
    return Ledger(links, _entries(orders, graphs.Order, as_of, link_ids),
                  _entries(deliveries, graphs.Delivery, as_of, link_ids),
                  _entries(payments, graphs.Payment, as_of, link_ids, deliveries.alias("named")))
