"""The one adapter from stored rows to :mod:`graphs` records.

Every plain record the graph library takes is built here and nowhere else: firms, links, the
category chain (inputs) and substitutes, the open needs the chain breaks look at, the needs and
offers the matcher pairs (what remains open of them), and the declined pairs.

Tables are read with Core statements (plain tuples, no ORM row processing), each on its own:
firms with their county once, then needs and offers by firm id (a join in Python is cheaper
than one in the database, and lets a weekly report share the rows). Each distinct terms JSON
text is decoded once per load. So a province-sized network (50,000 firms, 200,000 links) loads
in seconds, and :func:`load_network` with a date reads every table a weekly report needs once,
building both shapes of the open needs (for the chain breaks and for the matcher) from the same
rows.
"""
import json
from collections import namedtuple
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from graphs import Firm as FirmRecord
from graphs import Link as LinkRecord
from graphs import Need as NeedRecord
from graphs import build_supply_graph
from graphs import matching as gm
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Offer, Region, category_input, category_substitute
from matchmaker.models.firm import firm_is_live
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, DeclinedPair, Pairing

# Slack when comparing float quantities (committed vs held); quantities are solved to 0.001.
EPSILON = 1e-6

Network = namedtuple("Network", "firms links chain needs info as_of postings substitutes",
                     defaults=(None, None, None))
Network.__doc__ = """What the chain breaks need: firm and link records, the chain, the open needs and
ref -> FirmInfo; loaded as of a date, also the matcher's postings and substitutes of that date."""
# what the report needs of a firm besides the graph: id, name, kind, county, industry, park, figures
FirmInfo = namedtuple("FirmInfo", "id ref name kind county industry park operating capacity_utilization workers_back")


class Postings(NamedTuple):
    """The open needs and offers as :mod:`graphs.matching` records, ref -> id maps, and the refs
    of the postings skipped because their county has no coordinates."""

    needs: list
    offers: list
    need_ids: dict
    offer_ids: dict
    skipped: list


def _connection():
    """The session's connection for Core statements, after flushing what the session holds (as
    a query through the session would)."""
    db.session.flush()
    return db.session.connection()


def _iso(column):
    """A date column read as ISO text (YYYY-MM-DD) on SQLite and PostgreSQL alike."""
    return sa.cast(column, sa.String)


# --- firms and links ----------------------------------------------------------------------------

def _read_firms(*more):
    """Every firm with its county: id, ref, kind, county, lat, lon, operating, workers_back, risk
    (what postings take of their firm), then the ``more`` columns of the firm table."""
    f, r = Firm.__table__, Region.__table__
    return _connection().execute(
        sa.select(f.c.id, f.c.ref, f.c.kind, f.c.region_code, r.c.lat, r.c.lon, f.c.operating,
                  f.c.workers_back, r.c.risk, *(f.c[name] for name in more))
        .join_from(f, r, f.c.region_code == r.c.code)).all()


_INFO_COLUMNS = ("name", "industry", "park", "capacity_utilization", "blockers")


def _firm(ref, kind, county, operating, blockers, risk):
    return FirmRecord(ref, kind, county, county[:4] + "00", county[:2] + "0000",
                      True if operating is None else bool(operating), tuple(blockers or ()), risk or "low")


def _firms_of(rows):
    """(firm records, ref -> FirmInfo) of rows of ``_read_firms(*_INFO_COLUMNS)``."""
    records, info = [], {}
    for (fid, ref, kind, county, _lat, _lon, operating, workers, risk, name, industry, park, cap, blockers) in rows:
        record = _firm(ref, kind, county, operating, blockers, risk)
        records.append(record)
        info[ref] = FirmInfo(fid, ref, name, kind, county, industry, park, record.operating, cap, workers)
    return records, info


def firm_record(firm: Firm) -> FirmRecord:
    """The graphs record of one stored firm (a Firm row with its region)."""
    region = firm.region
    return _firm(firm.ref, firm.kind, firm.region_code, firm.operating, firm.blockers,
                 region.risk if region is not None else None)


def load_firms() -> tuple[list, dict]:
    """Firm records for graphs, and ref -> FirmInfo."""
    return _firms_of(_read_firms(*_INFO_COLUMNS))


def _link(supplier, buyer, category, quantity_per_week):
    return LinkRecord(supplier, buyer, category, float(quantity_per_week or 0.0), True)


def link_record(link: Link) -> LinkRecord:
    """The graphs record of one stored active link (a Link row with its two firms)."""
    return _link(link.supplier.ref, link.buyer.ref, link.category_code, link.quantity_per_week)


def load_links(info: dict | None = None) -> list:
    """Active links (accepted pairings included: they are links) as graphs link records."""
    if info is None:
        _, info = load_firms()
    ref_of = {i.id: ref for ref, i in info.items()}
    lk = Link.__table__.c
    rows = _connection().execute(
        sa.select(lk.supplier_id, lk.buyer_id, lk.category_code, lk.quantity_per_week).where(lk.active.is_(True))
    ).all()
    return [_link(ref_of[s], ref_of[b], c, q) for s, b, c, q in rows]


# --- categories ---------------------------------------------------------------------------------

def load_chain() -> dict:
    """Category code -> tuple of its input codes."""
    chain = {}
    c = category_input.c
    for code, inp in _connection().execute(sa.select(c.category_code, c.input_code)):
        chain.setdefault(code, []).append(inp)
    return {k: tuple(sorted(v)) for k, v in chain.items()}


def load_substitutes() -> dict:
    """Category code -> set of the codes whose offers can meet a need for it."""
    subs = {}
    c = category_substitute.c
    for cat, sub in _connection().execute(sa.select(c.category_code, c.substitute_code)):
        subs.setdefault(cat, set()).add(sub)
    return subs


# --- needs and offers for the matcher -------------------------------------------------------------

def _need_columns():
    n = Need.__table__.c
    return (n.firm_id, n.id, n.ref, n.category_code, n.quantity, n.committed_quantity, _iso(n.needed_by),
            n.max_unit_price, sa.type_coerce(n.terms, sa.String), n.status)


def _offer_columns():
    o = Offer.__table__.c
    return (o.firm_id, o.id, o.ref, o.category_code, o.quantity, o.committed_quantity, _iso(o.available_from),
            _iso(o.available_until), o.lead_time_days, o.unit_price, o.delivery_radius_km, o.status)


def _read_needs(*where):
    return _connection().execute(sa.select(*_need_columns()).where(*where)).all()


def _read_offers(as_of):
    """The open offers not expired on a date."""
    o = Offer.__table__.c
    return _connection().execute(sa.select(*_offer_columns()).where(
        o.status == "open", sa.or_(o.available_until.is_(None), o.available_until >= as_of))).all()


def _places(firm_rows):
    """firm id -> (ref, kind, county, lat, lon, operating, workers_back, risk) of ``_read_firms`` rows."""
    return {row[0]: row[1:9] for row in firm_rows}


class _Terms:
    """A need's terms as a tuple: the JSON text (SQLite) decoded once per distinct value, or the
    list a driver already decoded (psycopg). One per load: the cache lives as long as the load."""

    __slots__ = ("_seen",)

    def __init__(self):
        self._seen = {}

    def __call__(self, raw):
        if raw is None:
            return ()
        if not isinstance(raw, str):
            return tuple(raw)
        terms = self._seen.get(raw)
        if terms is None:
            terms = self._seen[raw] = tuple(json.loads(raw) or ())
        return terms


def _add_needs(postings, rows, places, since=""):
    """Add the records of need rows (``_need_columns``) due on ``since`` (ISO date) or later to
    postings: what remains open, placed at the buyer's county."""
    needs, ids, skipped = postings.needs, postings.need_ids, postings.skipped
    iso, make, terms = date.fromisoformat, gm.NeedRecord, _Terms()
    for (fid, nid, ref, cat, qty, committed, due, max_price, raw, status) in rows:
        left = (qty or 0.0) - (committed or 0.0)
        if left <= EPSILON or due < since:
            continue
        firm, kind, county, lat, lon, _operating, _workers, _risk = places[fid]
        if lat is None or lon is None:
            skipped.append(ref)
            continue
        ids[ref] = nid
        needs.append(make(ref, firm, cat, left, iso(due), lat, lon, firm_kind=kind, max_unit_price=max_price,
                          terms=terms(raw), status=status, region=county))


def _add_offers(postings, rows, places):
    """Add the records of offer rows (``_offer_columns``) to postings: what remains open, placed
    at the supplier's county, with whether the supplier is live."""
    offers, ids, skipped = postings.offers, postings.offer_ids, postings.skipped
    iso, make = date.fromisoformat, gm.OfferRecord
    for (fid, oid, ref, cat, qty, committed, avail_from, avail_until, lead, price, radius, status) in rows:
        left = (qty or 0.0) - (committed or 0.0)
        if left <= EPSILON:
            continue
        firm, kind, county, lat, lon, operating, workers, risk = places[fid]
        if lat is None or lon is None:
            skipped.append(ref)
            continue
        ids[ref] = oid
        offers.append(make(
            ref, firm, cat, left, iso(avail_from), lat, lon, firm_kind=kind,
            available_until=iso(avail_until) if avail_until else None,
            lead_time_days=int(lead or 0), unit_price=price, delivery_radius_km=radius,
            supplier_live=firm_is_live(operating, risk), workers_back=workers, status=status, region=county))


def _postings(places, need_rows, offer_rows, as_of):
    postings = Postings([], [], {}, {}, [])
    _add_needs(postings, need_rows, places, as_of.isoformat())
    _add_offers(postings, offer_rows, places)
    return postings


def load_postings(as_of: date) -> Postings:
    """Open needs and offers as graphs.matching records, plus ref -> id maps and the skipped refs.

    A run works on what remains open: quantity less committed_quantity. Postings whose county has
    no coordinates cannot be placed and are skipped (listed in ``skipped``).
    """
    n = Need.__table__.c
    return _postings(_places(_read_firms()), _read_needs(n.status == "open", n.needed_by >= as_of),
                     _read_offers(as_of), as_of)


def posting_record(kind: str, posting):
    """The graphs.matching record of what remains open of one stored need or offer (a Need or
    Offer row with its firm, whatever its status or dates), or None when nothing of it remains
    open or its county has no coordinates."""
    firm, region = posting.firm, posting.firm.region
    places = {posting.firm_id: (firm.ref, firm.kind, firm.region_code, region.lat, region.lon, firm.operating,
                                firm.workers_back, region.risk)}
    postings = Postings([], [], {}, {}, [])
    p = posting
    if kind == "need":
        _add_needs(postings, [(p.firm_id, p.id, p.ref, p.category_code, p.quantity, p.committed_quantity,
                               p.needed_by.isoformat(), p.max_unit_price, p.terms, p.status)], places)
        records = postings.needs
    else:
        _add_offers(postings, [(p.firm_id, p.id, p.ref, p.category_code, p.quantity, p.committed_quantity,
                                p.available_from.isoformat(),
                                p.available_until.isoformat() if p.available_until else None,
                                p.lead_time_days, p.unit_price, p.delivery_radius_km, p.status)], places)
        records = postings.offers
    return records[0] if records else None


def load_declined() -> set:
    """(need ref, offer ref) of every declined pair."""
    d, n, o = DeclinedPair.__table__, Need.__table__, Offer.__table__
    return set(_connection().execute(
        sa.select(n.c.ref, o.c.ref).select_from(d)
        .join(n, d.c.need_id == n.c.id).join(o, d.c.offer_id == o.c.id)).all())


# --- the network of the chain breaks --------------------------------------------------------------

def _pending_proposals():
    """need id -> number of its proposals awaiting an answer."""
    p = Pairing.__table__.c
    return dict(_connection().execute(
        sa.select(p.need_id, sa.func.count(p.id)).where(p.status.in_(OPEN_PAIRING_STATUSES))
        .group_by(p.need_id)).all())


def load_network(as_of: date | None = None) -> Network:
    """Everything the break detection needs: firm and link records, chain, open needs, firm info.

    Loaded ``as_of`` a date, the network also holds the matcher's postings and the substitutes
    of that date (see :func:`needs_with_allowed_offer`), built from the same rows: every table is
    read once.
    """
    firm_rows = _read_firms(*_INFO_COLUMNS)
    firms, info = _firms_of(firm_rows)
    links = load_links(info)
    chain = load_chain()
    need_rows = _read_needs(Need.__table__.c.status == "open")
    ref_of = {row[0]: row[1] for row in firm_rows}
    pending = _pending_proposals()
    iso = date.fromisoformat
    needs = [NeedRecord(ref, ref_of[fid], cat, float(qty), iso(due), float(committed or 0.0),
                        int(pending.get(nid, 0)), status)
             for fid, nid, ref, cat, qty, committed, due, _price, _terms, status in need_rows]
    if as_of is None:
        return Network(firms, links, chain, needs, info)
    postings = _postings(_places(firm_rows), need_rows, _read_offers(as_of), as_of)
    return Network(firms, links, chain, needs, info, as_of, postings, load_substitutes())


def needs_with_allowed_offer(as_of: date, network: Network | None = None) -> set:
    """Refs of the open needs for which some offer with open quantity is allowed by the matching
    hard rules (graphs.matching); from the network's postings when it was loaded as of that date."""
    if network is not None and network.postings is not None and network.as_of == as_of:
        postings, substitutes = network.postings, network.substitutes
    else:
        postings, substitutes = load_postings(as_of), None
    if not postings.needs or not postings.offers:
        return set()
    index = gm.build_index(postings.needs, postings.offers, as_of=as_of,
                           substitutes=load_substitutes() if substitutes is None else substitutes)
    candidates = gm.allowed_pairs(index)
    need_idx = getattr(candidates, "need_idx", None)
    if need_idx is not None:
        return {index.needs[i].ref for i in set(need_idx.tolist())}
    return {c.need for c in candidates}


def supply_graph(network: Network | None = None):
    """The firm-level supply graph (graphs.build_supply_graph) of what is stored."""
    network = network or load_network()
    return build_supply_graph(network.firms, network.links)
