"""The weekly report's article-10 parts (spec/article10.md): `commitments`, every commitment
overdue as of the report's day, and `leading_firms`, the scorecard of every leading firm with a
link from an SME; computed by :mod:`graphs.commitments` over the stored ledger, stored with the
report, read in the reader's jurisdiction.

Staff see an overdue commitment when the buyer's county (its owner region) or the supplier's
county is in their jurisdiction, and a scorecard when the leading firm's county is.
"""
from datetime import date

import graphs
from matchmaker.models import User, WeeklyReport
from matchmaker.services.auth import in_scope
from matchmaker.services.ledger.status import commitment_dict, commitment_periods
from matchmaker.services.support import network as net

__all__ = ["SCORECARD_FIELDS", "commitment_parts", "scoped_commitments", "scoped_leading_firms"]

#: The fields of a `leading_firms` record, in order (see graphs.commitments.Scorecard and docs/article10.md).
SCORECARD_FIELDS = graphs.Scorecard._fields


def commitment_parts(as_of: date) -> dict[str, list[dict]]:
    """`commitments` and `leading_firms` as of a day, as stored with the report (a commitment also
    keeps `supplier_region`, the supplier's county, which the report file leaves out)."""
    ledger = net.load_ledger(as_of)
    periods = commitment_periods()
    settlement = graphs.settle(ledger.deliveries, ledger.payments, as_of)
    overdue = graphs.overdue_commitments(ledger.links, ledger.orders, ledger.deliveries, ledger.payments, as_of,
                                         settlement=settlement, **periods)
    cards = graphs.scorecards(ledger.links, ledger.orders, ledger.deliveries, ledger.payments, as_of,
                              settlement=settlement, commitments=overdue, **periods)
    supplier_county = {lk.ref: lk.supplier_county for lk in ledger.links}
    return {"commitments": [dict(commitment_dict(c), supplier_region=supplier_county.get(c.link)) for c in overdue],
            "leading_firms": [c._asdict() for c in cards]}


def scoped_commitments(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's overdue commitments the actor sees, as the report file lists them."""
    out = []
    for c in report.commitments or []:
        if actor is None or in_scope(actor, c["owner_region"]) or in_scope(actor, c.get("supplier_region")):
            out.append({k: v for k, v in c.items() if k != "supplier_region"})
    return out


def scoped_leading_firms(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's scorecards of the leading firms in the actor's jurisdiction."""
    return [dict(c) for c in report.leading_firms or [] if actor is None or in_scope(actor, c.get("county"))]
