"""The one adapter from stored rows to :mod:`graphs` records (firms, links, chain, needs).

Everything is read with column selects, not ORM objects, so a province-sized network
(50,000 firms, 200,000 links) loads in seconds.
"""
from collections import namedtuple

import sqlalchemy as sa

from graphs import Firm as FirmRecord
from graphs import Link as LinkRecord
from graphs import Need as NeedRecord
from graphs import build_supply_graph
from graphs import matching as gm
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Region, category_input
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, Pairing
from matchmaker.services.matching import load_postings, load_substitutes

Network = namedtuple("Network", "firms links chain needs info")
# what the report needs of a firm besides the graph: id, name, kind, county, industry, park, figures
FirmInfo = namedtuple("FirmInfo", "id ref name kind county industry park operating capacity_utilization workers_back")


def load_firms():
    """Firm records for graphs, and ref -> FirmInfo."""
    f, r = Firm.__table__.c, Region.__table__.c  # table columns: Core rows, no ORM processing
    rows = db.session.connection().execute(
        sa.select(f.id, f.ref, f.name, f.kind, f.region_code, f.industry, f.park,
                  f.operating, f.capacity_utilization, f.workers_back, f.blockers, r.risk)
        .join(Region.__table__, f.region_code == r.code)
    ).all()
    records, info = [], {}
    for (fid, ref, name, kind, county, industry, park, operating, cap, workers, blockers, risk) in rows:
        operating = True if operating is None else bool(operating)
        records.append(FirmRecord(ref, kind, county, county[:4] + "00", county[:2] + "0000", operating,
                                  tuple(blockers or ()), risk or "low"))
        info[ref] = FirmInfo(fid, ref, name, kind, county, industry, park, operating, cap, workers)
    return records, info


def load_links(info=None):
    """Active links (accepted pairings included: they are links) as graphs link records."""
    if info is None:
        _, info = load_firms()
    ref_of = {i.id: ref for ref, i in info.items()}
    lk = Link.__table__.c
    rows = db.session.connection().execute(
        sa.select(lk.supplier_id, lk.buyer_id, lk.category_code, lk.quantity_per_week).where(lk.active.is_(True))
    ).all()
    return [LinkRecord(ref_of[s], ref_of[b], c, float(q or 0.0), True) for s, b, c, q in rows]


def load_chain():
    """Category code -> tuple of its input codes."""
    chain = {}
    for code, inp in db.session.execute(sa.select(category_input.c.category_code, category_input.c.input_code)):
        chain.setdefault(code, []).append(inp)
    return {k: tuple(sorted(v)) for k, v in chain.items()}


def load_needs():
    """Open needs with what accepted pairings cover and how many proposals await acceptance."""
    pending = dict(db.session.execute(
        sa.select(Pairing.need_id, sa.func.count(Pairing.id))
        .where(Pairing.status.in_(OPEN_PAIRING_STATUSES)).group_by(Pairing.need_id)).all())
    rows = db.session.execute(
        sa.select(Need.id, Need.ref, Firm.ref, Need.category_code, Need.quantity, Need.needed_by,
                  Need.committed_quantity, Need.status)
        .join(Firm, Need.firm_id == Firm.id).where(Need.status == "open")
    ).all()
    return [NeedRecord(ref, buyer, cat, float(qty), due, float(committed or 0.0), int(pending.get(nid, 0)), status)
            for nid, ref, buyer, cat, qty, due, committed, status in rows]


def needs_with_allowed_offer(as_of):
    """Refs of the open needs for which some offer with open quantity is allowed by the matching
    hard rules (graphs.matching)."""
    needs, offers, _, _, _ = load_postings(as_of)
    if not needs or not offers:
        return set()
    index = gm.build_index(needs, offers, as_of=as_of, substitutes=load_substitutes())
    candidates = gm.allowed_pairs(index)
    need_idx = getattr(candidates, "need_idx", None)
    if need_idx is not None:
        return {index.needs[i].ref for i in set(need_idx.tolist())}
    return {c.need for c in candidates}


def load_network():
    """Everything the break detection needs: firm and link records, chain, needs, firm info."""
    firms, info = load_firms()
    return Network(firms, load_links(info), load_chain(), load_needs(), info)


def supply_graph(network=None):
    """The firm-level supply graph (graphs.build_supply_graph) of what is stored."""
    network = network or load_network()
    return build_supply_graph(network.firms, network.links)
