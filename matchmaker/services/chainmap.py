"""The chain map of a firm: its upstream suppliers by tier, with the links that are broken.

Read-only. The firms and links upstream of one firm are collected tier by tier from the
database, turned into graph records by :mod:`matchmaker.services.support.network`, handed to
`graphs.build` (supply graph, `upstream` tiers, `is_live`), and the breaks of the latest stored
weekly report (when the report service has one) mark links red.
"""
from collections.abc import Iterable

import sqlalchemy as sa

from graphs import build_supply_graph, edge_stakes, is_live, stake_unit, upstream
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, User
from matchmaker.models.pairing import Pairing
from matchmaker.services.auth import can_read_firm
from matchmaker.services.support.errors import NotFound
from matchmaker.services.support.network import firm_record, link_record

MAX_TIERS = 6
MAX_FIRMS = 400


def collect_upstream(firm_id: int, max_tiers: int = MAX_TIERS, max_firms: int = MAX_FIRMS) -> tuple[dict, list]:
    """(firms by id, active links) upstream of a firm, walking at most max_tiers tiers."""
    firms = {firm_id: db.session.get(Firm, firm_id)}
    links = []
    frontier = {firm_id}
    seen_links = set()
    for _tier in range(max_tiers):
        if not frontier or len(firms) >= max_firms:
            break
        rows = db.session.scalars(
            sa.select(Link).where(Link.buyer_id.in_(frontier), Link.active.is_(True)).order_by(Link.id)).all()
        nxt = set()
        for link in rows:
            if link.id in seen_links:
                continue
            seen_links.add(link.id)
            links.append(link)
            if link.supplier_id not in firms:
                if len(firms) >= max_firms:
                    continue
                firms[link.supplier_id] = link.supplier
                nxt.add(link.supplier_id)
        frontier = nxt
    links = [lk for lk in links if lk.supplier_id in firms and lk.buyer_id in firms]
    return firms, links


def _pairing_link_ids(link_ids):
    """Ids of the links that accepted pairings made (shown as new on the map)."""
    if not link_ids:
        return set()
    return set(db.session.scalars(sa.select(Pairing.link_id).where(Pairing.link_id.in_(link_ids))))


def chain_map(actor: User, firm_id: int, breaks: Iterable[dict] = (), stopped: Iterable[str] = (),
              high_risk_counties: Iterable[str] = ()) -> dict:
    """Nodes (firms with tier and state) and edges (supplier -> buyer per category, broken or not)
    of a firm's upstream chain; `breaks` are report or what-if break dicts that mark links broken,
    `stopped`/`high_risk_counties` a what-if scenario."""
    firm = db.session.get(Firm, firm_id)
    if firm is None or not can_read_firm(actor, firm):
        raise NotFound("firm %(id)s not found", id=firm_id)
    firms, links = collect_upstream(firm.id)
    return _graph_view(firm.ref, firms, links, breaks, set(stopped), set(high_risk_counties))


def network_map(actor: User, refs: Iterable[str], breaks: Iterable[dict] = (), stopped: Iterable[str] = (),
                high_risk_counties: Iterable[str] = ()) -> dict:
    """The chain map of several buyers at once (for what-if): each buyer's upstream, merged."""
    firms, links = {}, {}
    roots = []
    for ref in refs:
        f = db.session.scalar(sa.select(Firm).where(Firm.ref == ref))
        if f is None or not can_read_firm(actor, f):
            continue
        roots.append(f.ref)
        fs, ls = collect_upstream(f.id, max_firms=MAX_FIRMS // max(1, len(refs)))
        firms.update(fs)
        links.update({lk.id: lk for lk in ls})
    return _graph_view(roots, firms, list(links.values()), breaks, set(stopped), set(high_risk_counties))


def _graph_view(roots, firms, links, breaks, stopped, high_risk):
    """Nodes by tier and edges (links of one supplier, buyer and category merged; `paired_quantity`
    is what accepted pairings contributed to the merged link, `before_pairing` the rest)."""
    roots = [roots] if isinstance(roots, str) else list(roots)
    G = build_supply_graph([firm_record(f) for f in firms.values()], [link_record(lk) for lk in links])
    tiers = {r: 0 for r in roots if r in G}
    for r in roots:
        if r in G:
            for ref, t in upstream(G, r, tiers=MAX_TIERS).items():
                if t < tiers.get(ref, MAX_TIERS + 1):
                    tiers[ref] = t
    by_edge = {}
    for b in breaks or ():
        b = b if isinstance(b, dict) else b.as_dict()
        if b.get("supplier"):
            by_edge.setdefault((b["supplier"], b["buyer"], b["category"]), []).append(b)
    new_links = _pairing_link_ids([lk.id for lk in links])
    # what each supply edge carries, product by product, in its units (as the report's breaks name it)
    stakes = edge_stakes((lk.supplier.ref, lk.buyer.ref, lk.category_code, lk.quantity_per_week, lk.product_code,
                          lk.unit) for lk in links)
    nodes = []
    for f in sorted(firms.values(), key=lambda f: (tiers.get(f.ref, 99), f.ref)):
        if f.ref not in tiers:
            continue
        live = is_live(G, f.ref, stopped=stopped, high_risk_counties=high_risk)
        state = "down" if not live else ("strained" if f.blockers else "ok")
        nodes.append({"ref": f.ref, "name": f.name, "kind": f.kind, "tier": tiers[f.ref],
                      "county": f.region.name if f.region else f.region_code, "status": state,
                      "blockers": list(f.blockers or []), "risk": f.region.risk if f.region else "low",
                      "cascade": f.ref in stopped or f.region_code in high_risk})
    edges = []
    seen = set()
    for lk in links:
        key = (lk.supplier.ref, lk.buyer.ref, lk.category_code)
        if key in seen or lk.supplier.ref not in tiers or lk.buyer.ref not in tiers:
            continue
        seen.add(key)
        merged = [x for x in links if (x.supplier.ref, x.buyer.ref, x.category_code) == key]
        qty = sum(x.quantity_per_week for x in merged)
        # what accepted pairings added to this supplier -> buyer link (the whole link if it began so)
        paired = sum(x.quantity_per_week for x in merged if x.id in new_links)
        found = by_edge.get(key, [])
        supplier_live = is_live(G, lk.supplier.ref, stopped=stopped, high_risk_counties=high_risk)
        kinds = sorted({b["kind"] for b in found if b["kind"] != "single_source"})
        if not supplier_live and "supplier_down" not in kinds:
            kinds.append("supplier_down")
        factors = sorted({f for b in found for f in (b.get("factors") or [])})
        goods = stakes.get(key, ())
        edges.append({"supplier": key[0], "buyer": key[1], "category": key[2], "quantity": qty,
                      "unit": stake_unit(goods), "products": [g._asdict() for g in goods],
                      "supplier_name": lk.supplier.name, "buyer_name": lk.buyer.name,
                      "broken": bool(kinds), "kinds": kinds, "factors": factors,
                      "is_new": paired > 0, "paired_quantity": paired, "before_pairing": qty - paired})
    return {"roots": roots, "nodes": nodes, "edges": edges}
