"""View-models of the weekly-report pages (the task-force report, charts, what-if), composed from the
report service's reads; the CSS class of a break's table row is decided here (:func:`page_rows`)."""
from collections.abc import Callable

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

from matchmaker.infra import viewcache
from matchmaker.infra.reference import industry_section
from matchmaker.services import chainmap, reports
from matchmaker.services.support.errors import NotFound

CHAIN_MAP_BUYERS = 20  # the what-if map shows the chains of at most this many buyers hit


def severity_class(severity: float) -> str:
    """The CSS class of a break's row by its severity (tr.sev-high / sev-mid / sev-low in app.css)."""
    return "sev-high" if severity >= 6 else "sev-mid" if severity >= 3 else "sev-low"


def page_rows(rows: list[dict]) -> list[dict]:
    """Break rows of a service read, with the CSS class of their table row."""
    for r in rows:
        r["sev_class"] = severity_class(r["severity"])
    return rows


def _section(code: str | None) -> str | None:
    try:
        return industry_section(code) if code else None
    except Exception:  # noqa: BLE001 - an unknown industry code has no section
        return None


def report_view(actor, week: str | None = None, filters: dict | None = None) -> dict:
    """The week's report for the task-force page: breaks by severity (filtered), counts, monitoring,
    the pick lists of industries and parks, and the neighbouring weeks.

    Kept per week, reader's region and filters while the stored reports and their workflow are
    unchanged (:func:`matchmaker.services.reports.report_version` is part of the key, so a new
    report, a re-run or any assign, escalate or close is seen at once, in every process). The view
    is shared by the requests that read it: callers must not change it."""
    reports.require_reader(actor)
    key = ("report_view", reports.report_version(), reports.reader_scope(actor), week,
           tuple(sorted((filters or {}).items())))
    return viewcache.cached(key, lambda: _report_view(actor, week, filters))


def kept_body(actor, name: str, render: Callable[[], str]) -> Markup:
    """The HTML of a report page's content (`render`: its template rendered), kept per page `name`,
    reader's region, language and query arguments (week, filters, page) while the stored reports and
    their workflow are unchanged (:func:`matchmaker.services.reports.report_version` is in the key,
    as in :func:`report_view`). The content must not depend on the reader beyond their role and
    region: the site header around it (their name, CSRF tokens, unread count) is rendered each time."""
    reports.require_reader(actor)
    key = ("report_html", name, reports.report_version(), reports.reader_scope(actor), str(get_locale()),
           tuple(request.args.items(multi=True)))  # in order: the view reads the first of repeated arguments
    return viewcache.cached(key, lambda: Markup(render()))


def _report_view(actor, week: str | None, filters: dict | None) -> dict:
    try:
        report = reports.get_report(week)
    except NotFound:
        return {"week": None, "breaks": [], "resolved": [], "closed": [], "summary": reports.summarize([]),
                "counts": {}, "industries": [], "parks": [], "weeks": [], "blocked_firms": []}
    filters = dict(filters or {})
    state = filters.pop("state", None)
    industry = filters.pop("industry", None)
    park = filters.pop("park", None)
    if state == "escalated":
        filters["escalated"] = True
    all_rows = page_rows(reports.list_breaks(actor, report.week, filters))
    closed = page_rows(reports.list_breaks(actor, report.week, {**filters, "status": "closed"}))
    rows = {"closed": closed, "resolved": closed}.get(state, all_rows)
    # a break concerns a park (an industry) when a firm on its path is in it
    meta = reports.firm_industry_and_park({ref for r in all_rows + closed for ref in r["path"]})
    sections = {ref: _section(ind) for ref, (ind, _park) in meta.items()}
    parks = {ref: p for ref, (_ind, p) in meta.items()}
    if industry:
        rows = [r for r in rows if industry in {sections.get(ref) for ref in r["path"]}]
    if park:
        rows = [r for r in rows if park in {parks.get(ref) for ref in r["path"]}]
    if state == "new":
        rows = [r for r in rows if r["weeks_open"] == 1]
    elif state == "continuing":
        rows = [r for r in rows if r["weeks_open"] > 1]
    resolved = reports.scoped_resolved(actor, report)
    names = reports.firm_names({r["buyer"] for r in resolved} | {r["supplier"] for r in resolved})
    for r in resolved:
        r["buyer_name"], r["supplier_name"], r["status"] = names.get(r["buyer"]), names.get(r["supplier"]), "resolved"
        r.setdefault("sev_class", "sev-low")
    if state == "resolved":  # resolved and closed: what the week took off the list
        rows = resolved + rows
    previous_week, next_week = reports.adjacent_weeks(report.week)
    # The headline counts are over every open break; reuse the list when no SQL filter narrowed it.
    opened = all_rows if not filters else reports.list_breaks(actor, report.week)
    closed_all = closed if not filters else reports.list_breaks(actor, report.week, {"status": "closed"})
    monitoring = reports.monitoring_rows(actor, report)
    return {
        "week": report.week, "as_of": report.as_of,
        "region_name": actor.region.name if actor is not None and actor.region is not None else "",
        "previous_week": previous_week, "next_week": next_week,
        "breaks": rows, "resolved": resolved, "closed": closed_all, "summary": reports.summarize(opened),
        "counts": reports.open_counts((r["weeks_open"] for r in opened), len(resolved), len(closed_all)),
        "monitoring": monitoring, "pairings": reports.pairing_totals(actor, report),
        "industries": sorted({s for s in (sections.get(r["buyer"]) for r in all_rows) if s}),
        # the parks of the region's firms (the report's monitoring by park), not only of the buyers hit
        "parks": [r["park"] for r in monitoring["by_park"]],
        "weeks": [r["week"] for r in reports.list_reports(actor)],
        "blocked_firms": blocked_firm_rows(actor, report),
        **article10_view(actor, report),
    }


def blocked_firm_rows(actor, report) -> list[dict]:
    """The firms asking for help in the actor's region with their names (linked or not)."""
    rows = reports.scoped_blocked_firms(actor, report)
    names = reports.firm_names(r["firm"] for r in rows)
    for r in rows:
        r["name"] = names.get(r["firm"])
    return rows


def article10_view(actor, report) -> dict:
    """The report's overdue article-10 commitments (agenda items: with their weeks open and level)
    and leading firms' scorecards the actor sees, with the firms' names (`names`: ref -> name)."""
    commitments = reports.agenda_commitments(actor, report)
    leading_firms = reports.scoped_leading_firms(actor, report)
    names = reports.firm_names({c["buyer"] for c in commitments} | {c["supplier"] for c in commitments}
                               | {c["firm"] for c in leading_firms})
    return {"commitments": commitments, "leading_firms": leading_firms, "names": names}


def charts_view(actor, week: str | None = None) -> dict:
    """Monitoring by industry and park, and breaks per stored week, for the charts page."""
    reports.require_reader(actor)
    try:
        report = reports.get_report(week)
    except NotFound:
        return {"week": None}
    mon = reports.monitoring_rows(actor, report)
    return {
        "week": report.week, "by_industry": mon["by_industry"], "by_park": mon["by_park"],
        "industry_operating": [(r["industry"], r["share_operating"] or 0) for r in mon["by_industry"]],
        "industry_workers": [(r["industry"], r["mean_workers_back"] or 0) for r in mon["by_industry"]],
        "park_operating": [(r["park"], r["share_operating"] or 0) for r in mon["by_park"]],
        "park_capacity": [(r["park"], r["mean_capacity_utilization"] or 0) for r in mon["by_park"]],
        "weekly": reports.breaks_per_week(actor),
    }


def what_if_view(actor, firms=(), counties=()) -> dict:
    """what_if plus the chain map of the buyers hit (for the what-if page)."""
    result = reports.what_if(actor, firms, counties)
    buyers = list(dict.fromkeys(b["buyer"] for b in result["new"]))
    result["graph"] = chainmap.network_map(actor, buyers[:CHAIN_MAP_BUYERS], breaks=result["new"], stopped=firms,
                                           high_risk_counties=counties)
    return result
