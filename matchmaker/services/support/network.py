"""The one adapter from stored rows to :mod:`graphs` records (:mod:`graphs.records`); its ledger part is
:mod:`.ledger_records`, its needs-and-offers part (rows to records column by column) :mod:`.posting_records`,
and the pieces they share are in :mod:`.rows`.

Every record the graph library takes is built here and nowhere else: firms, links, categories
with their inputs and substitutes, needs, offers and declined pairs, and the article-10 ledger
(:func:`load_ledger`: links with their terms and start, orders, deliveries, payments); whether a supplier is live
is :func:`graphs.firm_is_live` of its stored values. The chain breaks and the matcher take the
same need records (the matcher reads what remains open of them: quantity less what is covered).

Tables are read with Core statements (plain tuples, no ORM row processing), each on its own:
firms with their county once, then needs and offers joined to them by firm id in Python (cheaper
than a join in the database, and it lets a weekly report share the rows). Each distinct terms
JSON text is decoded once per load. So a province-sized network (50,000 firms, 200,000 links)
loads in seconds, and :func:`load_network` with a date reads every table a weekly report needs
once.
"""
from collections import namedtuple
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING

import sqlalchemy as sa

import graphs
from graphs import matching as gm
from matchmaker.infra.extensions import db
from matchmaker.models import (Category, Firm, Link, Need, Offer, Product, Region, category_input,
                               category_substitute)
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, DeclinedPair, Pairing
from matchmaker.rules import posting_unit
from matchmaker.services.support.posting_records import (  # noqa: F401 (EPSILON: one adapter)
    EPSILON, Postings, firms_of, keep_open, needs_of, offers_of, postings_of)
from matchmaker.services.support.ledger_records import Ledger, ledger_link_record, load_ledger  # noqa: F401 (one adapter)
from matchmaker.services.support.rows import DecodedLists as _Decoded, connection as _connection, iso_text as _iso

if TYPE_CHECKING:  # networkx is loaded by graphs.build when a graph is built, not by every importer
    import networkx as nx

Network = namedtuple("Network", "firms links chain needs info as_of postings substitutes stakes",
                     defaults=(None, None, None, None))
Network.__doc__ = """What the chain breaks need: firm and link records, the chain, the open needs and
ref -> FirmInfo; loaded as of a date, also the matcher's postings and substitutes of that date;
``stakes``: (supplier, buyer, category) -> the products at stake on that supply edge
(graphs.edge_stakes: what the breaks name, product by product, in their units)."""
# what the report needs of a firm besides the graph: id, name, kind, county, industry, park, figures
FirmInfo = namedtuple("FirmInfo", "id ref name kind county industry park operating capacity_utilization workers_back")


# --- firms and links ----------------------------------------------------------------------------

def _read_firms(*more):
    """Every firm with its county: id, ref, kind, county, lat, lon, operating, workers_back, risk
    (what postings take of their firm), then the ``more`` columns of the firm table (``blockers``
    as the JSON text SQLite stores or the list psycopg decodes: see :class:`_Decoded`)."""
    f, r = Firm.__table__, Region.__table__
    columns = [sa.type_coerce(f.c[name], sa.String) if name == "blockers" else f.c[name] for name in more]
    return _connection().execute(
        sa.select(f.c.id, f.c.ref, f.c.kind, f.c.region_code, r.c.lat, r.c.lon, f.c.operating,
                  f.c.workers_back, r.c.risk, *columns)
        .join_from(f, r, f.c.region_code == r.c.code)).all()


_INFO_COLUMNS = ("name", "industry", "park", "capacity_utilization", "blockers")


def _firm(ref, kind, county, operating, blockers, risk):
    return graphs.Firm(ref, kind, county, county[:4] + "00", county[:2] + "0000",
                      True if operating is None else bool(operating), tuple(blockers or ()), risk or "low")


def _firms_of(rows):
    """(firm records, ref -> FirmInfo) of rows of ``_read_firms(*_INFO_COLUMNS)``: each record what
    :func:`_firm` makes, its tuple made directly (5 x 10^4 firms), city and province per county."""
    records, info, decoded = [], {}, _Decoded()
    new, firm, firm_info = tuple.__new__, graphs.Firm, FirmInfo
    above: dict = {}  # county -> (city, province)
    for (fid, ref, kind, county, _lat, _lon, operating, workers, risk, name, industry, park, cap, blockers) in rows:
        up = above.get(county)
        if up is None:
            up = above[county] = (county[:4] + "00", county[:2] + "0000")
        operating = True if operating is None else bool(operating)
        records.append(new(firm, (ref, kind, county, up[0], up[1], operating, decoded(blockers), risk or "low")))
        info[ref] = new(firm_info, (fid, ref, name, kind, county, industry, park, operating, cap, workers))
    return records, info


def firm_record(firm: Firm) -> graphs.Firm:
    """The graphs record of one stored firm (a Firm row with its region)."""
    region = firm.region
    return _firm(firm.ref, firm.kind, firm.region_code, firm.operating, firm.blockers,
                 region.risk if region is not None else None)


def load_firms() -> tuple[list, dict]:
    """Firm records for graphs, and ref -> FirmInfo."""
    return _firms_of(_read_firms(*_INFO_COLUMNS))


def _link(supplier, buyer, category, quantity_per_week):
    return graphs.Link(supplier, buyer, category, float(quantity_per_week or 0.0), True)


def link_record(link: Link) -> graphs.Link:
    """The graphs record of one stored active link (a Link row with its two firms)."""
    return _link(link.supplier.ref, link.buyer.ref, link.category_code, link.quantity_per_week)


def _read_links():
    """The active links: supplier id, buyer id, category, quantity per week, product."""
    lk = Link.__table__.c
    return _connection().execute(
        sa.select(lk.supplier_id, lk.buyer_id, lk.category_code, lk.quantity_per_week, lk.product_code)
        .where(lk.active.is_(True))).all()


def _links_of(rows, ref_of):
    new, record = tuple.__new__, graphs.Link  # 2 x 10^5 records: the tuple made directly, as _link makes it
    return [new(record, (ref_of[s], ref_of[b], c, float(q or 0.0), True)) for s, b, c, q, _p in rows]


def _edge_stakes(rows, links, units):
    """graphs.edge_stakes of link rows and their records (``_links_of``): per supply edge, its
    quantity per product, in its unit (the records' edge keys and float quantities, by column)."""
    return graphs.edge_stakes_of_columns(list(map(itemgetter(0, 1, 2), links)), map(itemgetter(3), links),
                                         map(itemgetter(4), rows), units.of_links(rows))


def load_links(info: dict | None = None) -> list:
    """Active links (accepted pairings included: they are links) as graphs link records."""
    if info is None:
        _, info = load_firms()
    return _links_of(_read_links(), {i.id: ref for ref, i in info.items()})


def load_customers() -> dict[str, list[str]]:
    """SME ref -> refs of the leading firms that buy from it on an active link (article 10's supply
    first: the matcher prefers their offers for its needs)."""
    lk, s, b = Link.__table__.c, Firm.__table__.alias("s"), Firm.__table__.alias("b")
    out: dict[str, list[str]] = {}
    for sme, leading in _connection().execute(
            sa.select(s.c.ref, b.c.ref).distinct()
            .join_from(Link.__table__, s, lk.supplier_id == s.c.id).join(b, lk.buyer_id == b.c.id)
            .where(lk.active.is_(True), s.c.kind == "sme", b.c.kind == "leading")):
        out.setdefault(sme, []).append(leading)
    return out


def load_places() -> dict[str, tuple]:
    """Firm ref -> ``(lat, lon, kind, county)``: where each firm is (the stand-in needs of
    :mod:`graphs.alternates`)."""
    return {row[1]: (row[4], row[5], row[2], row[3]) for row in _read_firms()}


def load_edge_goods(edges: set) -> dict[tuple, tuple]:
    """``(supplier ref, buyer ref, category)`` -> ``(product, unit, terms)`` of the supply edges
    asked for, from their active links: the product when they all name the same one (else None, in
    the category's unit) and the union of their article-10 terms (:func:`graphs.break_demands`)."""
    if not edges:
        return {}
    lk, s, b = Link.__table__.c, Firm.__table__.alias("s"), Firm.__table__.alias("b")
    found: dict[tuple, tuple[set, set]] = {}
    decoded = _Decoded()
    for sup, buy, cat, product, terms in _connection().execute(
            sa.select(s.c.ref, b.c.ref, lk.category_code, lk.product_code, sa.type_coerce(lk.terms, sa.String))
            .join_from(Link.__table__, s, lk.supplier_id == s.c.id).join(b, lk.buyer_id == b.c.id)
            .where(lk.active.is_(True))):
        if (sup, buy, cat) in edges:
            products, all_terms = found.setdefault((sup, buy, cat), (set(), set()))
            products.add(product)
            all_terms.update(decoded(terms))
    units = _Units()
    out = {}
    for (sup, buy, cat), (products, terms) in found.items():
        product = next(iter(products)) if len(products) == 1 else None
        out[(sup, buy, cat)] = (product, units(cat, product), tuple(sorted(terms)))
    return out


# --- categories ---------------------------------------------------------------------------------

def _category_pairs(column):
    """Category code -> sorted tuple of the codes in ``column`` of its association table
    (``category_input.c.input_code``: its inputs; ``category_substitute.c.substitute_code``)."""
    out = {}
    code = column.table.c.category_code
    for cat, other in _connection().execute(sa.select(code, column)):
        out.setdefault(cat, []).append(other)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def load_categories() -> list[graphs.Category]:
    """The categories that have inputs or substitutes, as graphs records (by code)."""
    inputs = _category_pairs(category_input.c.input_code)
    substitutes = _category_pairs(category_substitute.c.substitute_code)
    return [graphs.Category(code, inputs.get(code, ()), substitutes.get(code, ()))
            for code in sorted(inputs.keys() | substitutes.keys())]


def load_substitutes() -> dict:
    """Category code -> the codes whose offers can meet a need for it (graphs.substitutes_map)."""
    return _category_pairs(category_substitute.c.substitute_code)


# --- needs and offers -------------------------------------------------------------------------------

def _need_columns():
    n = Need.__table__.c
    return (n.firm_id, n.id, n.ref, n.category_code, n.quantity, n.committed_quantity, _iso(n.needed_by),
            n.max_unit_price, sa.type_coerce(n.terms, sa.String), n.status, n.product_code,
            sa.type_coerce(n.accepts, sa.String))


def _offer_columns():
    o = Offer.__table__.c
    return (o.firm_id, o.id, o.ref, o.category_code, o.quantity, o.committed_quantity, _iso(o.available_from),
            _iso(o.available_until), o.lead_time_days, o.unit_price, o.delivery_radius_km, o.status, o.product_code)


class _Units:
    """The unit of a posting (`rules.posting_unit`: its product's, else its category's), from the
    units of the categories and products read once per load."""

    __slots__ = ("_categories", "_products")

    def __init__(self):
        self._categories = dict(_connection().execute(sa.select(Category.code, Category.unit)).all())
        self._products = dict(_connection().execute(sa.select(Product.code, Product.unit)).all())

    def __call__(self, category, product):
        return posting_unit(self._products.get(product) if product is not None else None,
                            self._categories.get(category))

    def of_links(self, rows):
        """The unit of each link row ``(supplier, buyer, category, quantity, product)``, as ``self(c, p)``
        gives it (rules.posting_unit, inlined: 2 x 10^5 links)."""
        category, product = self._categories.get, self._products.get
        return [category(c) if p is None or product(p) is None else product(p) for _s, _b, c, _q, p in rows]


def load_product_names() -> dict:
    """Product code -> (Chinese name, English name): how the matcher's reasons name products."""
    p = Product.__table__.c
    return {code: (zh, en) for code, zh, en in _connection().execute(sa.select(p.code, p.name_zh, p.name_en))}


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


def load_postings(as_of: date) -> Postings:
    """Open needs and offers as graphs records (what remains open of them is their quantity less
    what is covered or committed), plus ref -> id maps and the skipped refs.

    Only postings with open quantity are kept; those whose county has no coordinates cannot be
    placed and are skipped (listed in ``skipped``). Pending proposals are not counted here.
    """
    n = Need.__table__.c
    places = _places(_read_firms())
    units = _Units()
    need_rows = _read_needs(n.status == "open", n.needed_by >= as_of)
    return postings_of(needs_of(need_rows, places, units), _read_offers(as_of), places, units, as_of)


def posting_record(kind: str, posting: Need | Offer) -> graphs.Need | graphs.Offer | None:
    """The graphs record of one stored need or offer (a Need or Offer row with its firm, whatever
    its status or dates), or None when nothing of it remains open or its county has no
    coordinates."""
    firm, region, p = posting.firm, posting.firm.region, posting
    places = {p.firm_id: (firm.ref, firm.kind, firm.region_code, region.lat, region.lon, firm.operating,
                          firm.workers_back, region.risk)}
    def units(category, product):
        return p.unit

    if kind == "need":
        rows = [(p.firm_id, p.id, p.ref, p.category_code, p.quantity, p.committed_quantity,
                 p.needed_by.isoformat(), p.max_unit_price, p.terms, p.status, p.product_code, p.accepts)]
        records, taken = needs_of(rows, places, units), "covered"
    else:
        rows = [(p.firm_id, p.id, p.ref, p.category_code, p.quantity, p.committed_quantity,
                 p.available_from.isoformat(), p.available_until.isoformat() if p.available_until else None,
                 p.lead_time_days, p.unit_price, p.delivery_radius_km, p.status, p.product_code)]
        records, taken = offers_of(rows, places, units), "committed"
    kept = keep_open(records, taken, {}, [])
    return kept[0] if kept else None


def load_declined() -> set:
    """The declined pairs (graphs DeclinedPair records: need ref, offer ref)."""
    d, n, o = DeclinedPair.__table__, Need.__table__, Offer.__table__
    return {graphs.DeclinedPair(need, offer) for need, offer in _connection().execute(
        sa.select(n.c.ref, o.c.ref).select_from(d)
        .join(n, d.c.need_id == n.c.id).join(o, d.c.offer_id == o.c.id))}


# --- the network of the chain breaks --------------------------------------------------------------

def _pending_proposals():
    """need id -> number of its proposals awaiting an answer."""
    p = Pairing.__table__.c
    return dict(_connection().execute(
        sa.select(p.need_id, sa.func.count(p.id)).where(p.status.in_(OPEN_PAIRING_STATUSES))
        .group_by(p.need_id)).all())


def _with_risks(rows, risks):
    """Firm rows with the risk of their county replaced where ``risks`` (county -> risk) says so."""
    if not risks:
        return rows
    return [tuple(row[:8]) + (risks[row[3]],) + tuple(row[9:]) if row[3] in risks else row for row in rows]


def load_network(as_of: date | None = None, risks: dict | None = None) -> Network:
    """Everything the break detection needs: firm and link records, chain, open needs, firm info.

    Loaded ``as_of`` a date, the network also holds the matcher's postings and the substitutes
    of that date (see :func:`needs_with_allowed_offer`): the matcher's needs are the same
    records as the chain's, and every table is read once. ``risks`` (county -> risk level)
    replaces the stored risk of those counties (a past week's report: the risk then in force).
    """
    firm_rows = _with_risks(_read_firms(*_INFO_COLUMNS), risks)
    firms, info = _firms_of(firm_rows)
    link_rows, ref_of = _read_links(), {i.id: ref for ref, i in info.items()}
    links = _links_of(link_rows, ref_of)
    categories = load_categories()
    chain = {c.code: c.inputs for c in categories if c.inputs}
    need_rows = _read_needs(Need.__table__.c.status == "open")
    places = _places(firm_rows)
    units = _Units()
    stakes = _edge_stakes(link_rows, links, units)
    needs = needs_of(need_rows, places, units, _pending_proposals())
    if as_of is None:
        return Network(firms, links, chain, needs, info, stakes=stakes)
    postings = postings_of(needs, _read_offers(as_of), places, units, as_of)
    return Network(firms, links, chain, needs, info, as_of, postings, graphs.substitutes_map(categories), stakes)


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
    needs = index.needs
    return {needs[i].ref for i in gm.needs_with_allowed(index).nonzero()[0].tolist()}


def supply_graph(network: Network | None = None) -> "nx.DiGraph":
    """The firm-level supply graph (graphs.build_supply_graph) of what is stored."""
    network = network or load_network()
    return graphs.build_supply_graph(network.firms, network.links)
