"""What-if: the breaks that would appear (and go away) if some firms stopped or some counties turned
high-risk, on the stored network as it is now. Nothing is stored."""
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from graphs import break_stakes, build_supply_graph, path_regions, severity, stake_unit
from graphs import what_if as graph_what_if
from matchmaker.infra.extensions import db
from matchmaker.models import Region, User
from matchmaker.services.auth import in_scope
from matchmaker.services.reports.read import require_reader, visible
from matchmaker.services.reports.weeks import today
from matchmaker.services.reports.write import detection_options
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Invalid, Message

__all__ = ["what_if"]


def _unknown(actor: User | None, network: net.Network, firms: list[str],
             counties: list[str]) -> dict[str, list[str]]:
    """field -> errors for the firms and counties that do not exist or lie outside the actor's region."""
    errors = {}
    unknown = [f for f in firms if f not in network.info
               or (actor is not None and not in_scope(actor, network.info[f].county))]
    if unknown:
        errors["stopped_firms"] = [Message("unknown firm %(ref)s", ref=f) for f in unknown]
    known_counties = set(db.session.scalars(sa.select(Region.code).where(Region.code.in_(counties),
                                                                          Region.level == "county")))
    bad = [c for c in counties if c not in known_counties or (actor is not None and not in_scope(actor, c))]
    if bad:
        errors["high_risk_counties"] = [Message("unknown county %(code)s", code=c) for c in bad]
    return errors


def what_if(actor: User | None, firms: Iterable[str] = (), counties: Iterable[str] = (),
            as_of: date | None = None) -> dict:
    """The breaks that would appear (and go away) if these firms stopped or counties turned high-risk."""
    require_reader(actor)
    firms, counties = list(firms or []), list(counties or [])
    if not firms and not counties:
        raise Invalid("pick at least one firm or county", {"stopped_firms": ["pick a firm or a county"]})
    as_of = as_of or today()
    network = net.load_network(as_of)
    errors = _unknown(actor, network, firms, counties)
    if errors:
        raise Invalid("the scenario names unknown firms or counties", errors)
    G = build_supply_graph(network.firms, network.links)
    allowed = net.needs_with_allowed_offer(as_of, network)
    res = graph_what_if(G, network.chain, network.needs, as_of=as_of, stopped_firms=firms,
                        high_risk_counties=counties, needs_with_allowed_offer=allowed, **detection_options())
    names = {r: i.name for r, i in network.info.items()}
    county_of = {r: i.county for r, i in network.info.items()}
    needs = {n.ref: n for n in network.needs}

    def rows(items):
        out = []
        for b in items:
            regions = path_regions(b.path, county_of)
            if not visible(actor, regions, b.owner_region, b.regions[0]):
                continue
            d = b.as_dict()
            d["regions"] = list(regions)
            stakes = break_stakes(b, network.stakes or {}, needs)  # the products at stake, as in the report
            d.update(unit=stake_unit(stakes), products=[s._asdict() for s in stakes])
            d.update(buyer_name=names.get(b.buyer), supplier_name=names.get(b.supplier),
                     severity=severity(b.kind, b.quantity, tier=b.tier,
                                       leading_buyer=network.info[b.buyer].kind == "leading"))
            out.append(d)
        out.sort(key=lambda d: -d["severity"])
        return out

    return {"as_of": as_of.isoformat(), "stopped_firms": firms, "high_risk_counties": counties,
            "new": rows(res.new), "resolved": rows(res.resolved)}
