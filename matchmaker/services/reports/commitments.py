"""The weekly report's article-10 parts (spec/article10.md): `commitments`, every commitment
overdue as of the report's day, and `leading_firms`, the scorecard of every leading firm with a
link from an SME; computed by :mod:`graphs.commitments` over the stored ledger, stored with the
report, read in the reader's jurisdiction. A scorecard also counts ``help_given``: the SMEs the firm
has given help to by the report's day (:func:`matchmaker.services.help.help_given`).

Staff see an overdue commitment when the buyer's county (its owner region) or the supplier's
county is in their jurisdiction, and a scorecard when the leading firm's county is.
"""
from datetime import date

import sqlalchemy as sa

import graphs
from matchmaker.infra.extensions import db
from matchmaker.models import Category, Link, Product, User, WeeklyReport
from matchmaker.services.auth import in_scope
from matchmaker.services.help import help_given
from matchmaker.services.ledger.status import commitment_dict, commitment_periods
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import NotFound

__all__ = ["SCORECARD_FIELDS", "agenda_commitments", "commitment_key", "commitment_parts", "region_scorecards",
           "scorecard_history", "scoped_commitments", "scoped_leading_firms"]

#: The fields of a `leading_firms` record, in order (see graphs.commitments.Scorecard and docs/article10.md).
SCORECARD_FIELDS = graphs.Scorecard._fields
_AGENDA_ONLY = ("supplier_region", "weeks_open", "level", "level_region")  # the last two: stored by older reports


def commitment_key(c: dict) -> str:
    """An overdue commitment's identity from week to week: term, link and delivery."""
    return f'{c["term"]}|{c["link"]}|{c["delivery"] or ""}'


def commitment_parts(as_of: date, previous: WeeklyReport | None = None) -> dict[str, list[dict]]:
    """`commitments` and `leading_firms` as of a day, as stored with the report. A commitment also
    keeps, for the agenda (spec: an agenda item of the buyer's county, escalated like a break),
    `supplier_region` (the supplier's county) and `weeks_open` (consecutive stored reports it has been
    in, counting the `previous` one's); the report file leaves these out. Its agenda item's level
    counts the idle weeks of that run (:mod:`matchmaker.services.agenda.build`)."""
    ledger = net.load_ledger(as_of)
    periods = commitment_periods()
    settlement = graphs.settle(ledger.deliveries, ledger.payments, as_of)
    overdue = graphs.overdue_commitments(ledger.links, ledger.orders, ledger.deliveries, ledger.payments, as_of,
                                         settlement=settlement, **periods)
    cards = graphs.scorecards(ledger.links, ledger.orders, ledger.deliveries, ledger.payments, as_of,
                              settlement=settlement, commitments=overdue, **periods)
    supplier_county = {lk.ref: lk.supplier_county for lk in ledger.links}
    before = {commitment_key(c): c for c in (previous.commitments or [])} if previous is not None else {}
    items = []
    for c in overdue:
        item = commitment_dict(c)
        weeks = before[commitment_key(item)].get("weeks_open", 1) + 1 if commitment_key(item) in before else 1
        item.update(supplier_region=supplier_county.get(c.link), weeks_open=weeks)
        items.append(item)
    given = help_given(as_of)
    units = _card_units(ledger)
    return {"commitments": items, "leading_firms": [{**c._asdict(), "help_given": given.get(c.firm, 0),
                                                     "unit": units.get(c.firm)} for c in cards]}


def _card_units(ledger: net.Ledger) -> dict[str, str | None]:
    """Leading firm ref -> the one unit its scorecard's quantities (orders and deliveries on its links
    with SMEs) are counted in, None when they are in several (issue 10: a link's unit is its
    product's, else its category's; spec/article10.md sums them all the same)."""
    links = {lk.ref: lk for lk in ledger.links}
    refs = sorted({e.link for e in (*ledger.orders, *ledger.deliveries)} & links.keys())
    unit = sa.func.coalesce(Product.unit, Category.unit)
    unit_of = {}
    for i in range(0, len(refs), 5000):  # a province's ledger: bounded IN lists
        unit_of.update(db.session.execute(
            sa.select(Link.ref, unit).join(Category, Link.category_code == Category.code)
            .outerjoin(Product, Link.product_code == Product.code).where(Link.ref.in_(refs[i:i + 5000]))).all())
    units: dict[str, set] = {}
    for entry in (*ledger.orders, *ledger.deliveries):
        lk = links.get(entry.link)
        if lk is None or entry.link not in unit_of:
            continue
        for firm, kind, other in ((lk.buyer, lk.buyer_kind, lk.supplier_kind),
                                  (lk.supplier, lk.supplier_kind, lk.buyer_kind)):
            if kind == "leading" and other == "sme":
                units.setdefault(firm, set()).add(unit_of[entry.link])
    return {firm: next(iter(us)) if len(us) == 1 else None for firm, us in units.items()}


def agenda_commitments(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's overdue commitments the actor sees, with their agenda fields (`weeks_open`,
    `level`, `level_region`, `supplier_region`)."""
    return [dict(c) for c in report.commitments or []
            if actor is None or in_scope(actor, c["owner_region"]) or in_scope(actor, c.get("supplier_region"))]


def scoped_commitments(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's overdue commitments the actor sees, as the report file lists them."""
    return [{k: v for k, v in c.items() if k not in _AGENDA_ONLY} for c in agenda_commitments(actor, report)]


def scoped_leading_firms(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's scorecards of the leading firms in the actor's jurisdiction."""
    return [dict(c) for c in report.leading_firms or [] if actor is None or in_scope(actor, c.get("county"))]


def _totals(cards: list[dict]) -> dict:
    """What a list of scorecards adds up to (the share on time over all their deliveries)."""
    total = {name: sum(c[name] for c in cards) for name in (
        "smes", "orders", "ordered_quantity", "deliveries", "delivered_amount", "paid_on_time", "paid_late",
        "overdue", "overdue_unpaid", "supplied")}
    total["help_given"] = sum(c.get("help_given", 0) for c in cards)
    decided = total["paid_on_time"] + total["paid_late"]
    total["on_time_share"] = round(total["paid_on_time"] / decided, 4) if decided else None
    total["leading_firms"] = len(cards)
    for name in ("ordered_quantity", "delivered_amount", "overdue_unpaid"):
        total[name] = round(total[name], 2)
    return total


def region_scorecards(actor: User | None, week: str | None = None) -> dict:
    """The leading firms' scorecards of a week's report (the latest by default) in the actor's
    jurisdiction, with totals by county and over all (`week` None when no report is stored)."""
    from matchmaker.services.reports.read import get_report, require_reader  # read imports this module

    require_reader(actor)
    try:
        report = get_report(week)
    except NotFound:
        return {"week": None, "as_of": None, "firms": [], "by_county": [], "total": _totals([])}
    cards = scoped_leading_firms(actor, report)
    counties = {}
    for c in cards:
        counties.setdefault(c["county"], []).append(c)
    return {"week": report.week, "as_of": report.as_of, "firms": cards,
            "by_county": [{"county": k, **_totals(v)} for k, v in sorted(counties.items(), key=lambda kv: kv[0] or "")],
            "total": _totals(cards)}


def scorecard_history(actor: User | None, firm: str) -> list[dict]:
    """A leading firm's scorecard week by week over the stored reports, oldest first (staff whose
    jurisdiction holds the firm's county, and admins; NotFound otherwise, as if absent)."""
    from matchmaker.services.reports.read import require_reader  # read imports this module

    require_reader(actor)
    out = []
    for week, as_of, cards in db.session.execute(
            sa.select(WeeklyReport.week, WeeklyReport.as_of, WeeklyReport.leading_firms).order_by(WeeklyReport.week)):
        card = next((c for c in cards or [] if c["firm"] == firm), None)
        if card is not None and (actor is None or in_scope(actor, card.get("county"))):
            out.append({"week": week, "as_of": as_of, **card})
    if not out:
        raise NotFound("no scorecard of leading firm %(firm)s", firm=f"{firm!s:.64}")
    return out
