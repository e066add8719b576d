"""Risk zones (article 2): a county's risk level set by province or city staff, with its history.

Each change is a ``region_risk`` row (region, risk, effective_from, set_by, set_at, reason),
written through the ORM so the audit hook records it. The rule of the level in force:

* on a day D, a county's level is that of its row with the latest ``effective_from`` <= D (of
  rows with the same date, the last recorded);
* a county with no row keeps its stored ``Region.risk`` (reference data or an old import);
* when a county's first change is recorded, a *baseline* row with its level until then is
  written first, effective from :data:`BEFORE_HISTORY`, so a past week still sees the old level.

``Region.risk`` stays the level in force *today* (the service's clock): a change effective today
or earlier updates it at once; one dated later is applied by :func:`sync_current_risks` (the
scheduler's daily job). A data package that changes the risk of a county with a history is a
change effective on the service's today; of a county without one, it sets the stored level as
packages always did (:func:`record_imported`). The weekly report of a week uses the level in force
on its ``as_of`` (:func:`risk_overrides`).

Who sets: admins and province staff any county; city staff the counties of their city; county
staff nobody (they read their own county's history).
"""
from collections.abc import Iterable, Mapping
from datetime import date

import sqlalchemy as sa

from matchmaker.infra.clock import today
from matchmaker.infra.extensions import db
from matchmaker.models import Break, Category, Firm, Region, RegionRisk, User, WeeklyReport
from matchmaker.models.report import OPEN_STATUSES
from matchmaker.rules import RISKS
from matchmaker.services.auth import scope_prefix
from matchmaker.services.support import common
from matchmaker.services.support.errors import Forbidden, Invalid, NotFound

BEFORE_HISTORY = date(1970, 1, 1)  # the baseline row's date: "before the first recorded change"
BASELINE = "baseline"
IMPORT = "import"


# --- the rule -------------------------------------------------------------------------------------

def in_force(rows: Iterable[tuple[date, int, str]], day: date) -> str | None:
    """The level in force on ``day`` among (effective_from, order, risk) rows of one county, or None.

    >>> in_force([(date(2020, 3, 1), 1, "high"), (date(2020, 3, 9), 2, "low")], date(2020, 3, 8))
    'high'
    >>> in_force([(date(2020, 3, 1), 1, "high")], date(2020, 2, 29)) is None
    True
    """
    best = None
    for frm, order, risk in rows:
        if frm <= day and (best is None or (frm, order) > best[:2]):
            best = (frm, order, risk)
    return best[2] if best else None


def risks_on(day: date) -> dict[str, str]:
    """County -> level in force on ``day``, for every county with a recorded history."""
    rows: dict[str, list] = {}
    for code, frm, rid, risk in db.session.execute(
            sa.select(RegionRisk.region_code, RegionRisk.effective_from, RegionRisk.id, RegionRisk.risk)
            .where(RegionRisk.effective_from <= day)):
        rows.setdefault(code, []).append((frm, rid, risk))
    return {code: in_force(r, day) for code, r in rows.items()}


def risk_on(code: str, day: date) -> str:
    """The level of one region in force on ``day`` (its stored level when it has no history)."""
    region = _region(code)
    rows = db.session.execute(sa.select(RegionRisk.effective_from, RegionRisk.id, RegionRisk.risk)
                              .where(RegionRisk.region_code == region.code)).all()
    return (in_force([tuple(r) for r in rows], day) if rows else None) or region.risk or "low"


def risk_overrides(day: date) -> dict[str, str]:
    """County -> level in force on ``day``, for the counties where it differs from today's stored
    level (what a report of that day replaces; empty when the day's levels are today's)."""
    stored = dict(db.session.execute(sa.select(Region.code, Region.risk)).all())
    return {code: risk for code, risk in risks_on(day).items() if risk and stored.get(code) != risk}


# --- who may set ------------------------------------------------------------------------------------

def can_set_risk(actor: User | None, region: Region) -> bool:
    """Whether the actor sets this county's risk: admins and province staff any county, city staff
    their city's counties, county staff none."""
    if actor is None or region.level != "county":
        return False
    if actor.role == "admin":
        return True
    if actor.role != "staff" or actor.region is None or actor.region.level not in ("province", "city"):
        return False
    return region.code.startswith(scope_prefix(actor) or "-")


def _region(code: str) -> Region:
    six = common.normalise_region_code(code)
    region = db.session.get(Region, six) if six else None
    if region is None:
        raise NotFound(f"region {code!s:.20} not found")
    return region


def _readable_county(actor: User | None, code: str) -> Region:
    """The county, if the actor reads its risk (staff of it or above, admins); else NotFound."""
    region = _region(code)
    prefix = scope_prefix(actor) if actor is not None else None
    if prefix is None or not region.code.startswith(prefix):
        raise NotFound(f"region {code!s:.20} not found")
    if region.level != "county":
        raise Invalid("risk zones are counties", {"region": ["a county's code"]})
    return region


# --- writing ------------------------------------------------------------------------------------------

def _record(region: Region, risk: str, effective_from: date, set_by: str | None, reason: str | None) -> RegionRisk:
    """Add a change (and the baseline row before a county's first one); the caller commits."""
    has_history = db.session.scalar(
        sa.select(RegionRisk.id).where(RegionRisk.region_code == region.code).limit(1)) is not None
    if not has_history:
        db.session.add(RegionRisk(region_code=region.code, risk=region.risk or "low", effective_from=BEFORE_HISTORY,
                                  set_by=BASELINE, reason="the level before the first recorded change"))
    row = RegionRisk(region_code=region.code, risk=risk, effective_from=effective_from, set_by=set_by, reason=reason)
    db.session.add(row)
    db.session.flush()
    return row


def _sync(region: Region, day: date) -> None:
    """Set the stored level to the one in force on ``day`` (audited as a change of the region)."""
    rows = db.session.execute(sa.select(RegionRisk.effective_from, RegionRisk.id, RegionRisk.risk)
                              .where(RegionRisk.region_code == region.code)).all()
    now = in_force([tuple(r) for r in rows], day)
    if now and region.risk != now:
        region.risk = now


def set_risk(actor: User | None, code: str, risk: str, effective_from: date | str | None = None,
             reason: str | None = None) -> RegionRisk:
    """Set a county's risk level from a date (default: today) with a reason; history kept, audited.

    Out of the actor's jurisdiction the county answers as absent; county staff and firm users
    are refused."""
    region = _readable_county(actor, code)
    if not can_set_risk(actor, region):
        raise Forbidden("only province staff, and city staff for their counties, set a county's risk")
    errors = {}
    if risk not in RISKS:
        errors["risk"] = ["one of: " + ", ".join(RISKS)]
    if effective_from is None or effective_from == "":
        effective_from = today()
    elif isinstance(effective_from, str):
        try:
            effective_from = date.fromisoformat(effective_from)
        except ValueError:
            errors["effective_from"] = ["a date, YYYY-MM-DD"]
    if not errors and effective_from <= BEFORE_HISTORY:
        errors["effective_from"] = [f"after {BEFORE_HISTORY.isoformat()}"]
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 2000:
        errors["reason"] = ["at most 2000 characters"]
    if errors:
        raise Invalid("the risk level was not set", errors)
    row = _record(region, risk, effective_from, actor.email, reason)
    _sync(region, today())
    common.commit()
    return row


def record_imported(rows: Iterable[Mapping]) -> int:
    """Record the risk changes of a data package's regions (dicts with ``code`` and ``risk``),
    before the import writes them; returns how many.

    A county with a recorded history gets a change effective on the service's today (set_by
    ``import``). A county without one keeps the behaviour packages always had: its stored level
    is its level for every week (no row is written, so a package dated by an unpinned clock does
    not move the levels of the weeks it describes). Joins the import's transaction."""
    wanted = {r["code"]: r["risk"] or "low" for r in rows}
    if not wanted:
        return 0
    with_history = set()
    for chunk in _chunks(list(wanted)):
        with_history.update(db.session.scalars(
            sa.select(RegionRisk.region_code).where(RegionRisk.region_code.in_(chunk)).distinct()))
    day, n = today(), 0
    for code in sorted(with_history):
        region = db.session.get(Region, code)
        if region is not None and risk_on(code, day) != wanted[code]:
            _record(region, wanted[code], day, IMPORT, "data package")
            n += 1
    return n


def _chunks(items, size=900):
    return [items[i:i + size] for i in range(0, len(items), size)]


def sync_current_risks(day: date | None = None) -> int:
    """Bring every county's stored level to the one in force today (a change dated later than
    when it was set takes effect); commits; returns how many counties changed."""
    day = day or today()
    changed = 0
    in_force_now = risks_on(day)
    if not in_force_now:
        return 0
    for region in db.session.scalars(sa.select(Region).where(Region.code.in_(list(in_force_now)))):
        if in_force_now[region.code] and region.risk != in_force_now[region.code]:
            region.risk = in_force_now[region.code]
            changed += 1
    common.commit()
    return changed


# --- reading ------------------------------------------------------------------------------------------

def risk_history(actor: User | None, code: str) -> dict:
    """A county's level today, whether the actor may set it, and its changes, newest first."""
    region = _readable_county(actor, code)
    rows = db.session.scalars(sa.select(RegionRisk).where(RegionRisk.region_code == region.code)
                              .order_by(RegionRisk.effective_from.desc(), RegionRisk.id.desc())).all()
    return {"code": region.code, "name": region.name, "risk": region.risk or "low",
            "can_set": can_set_risk(actor, region),
            "history": [{"risk": r.risk, "effective_from": r.effective_from, "set_by": r.set_by,
                         "set_at": r.set_at, "reason": r.reason, "baseline": r.set_by == BASELINE} for r in rows]}


def counties_in_scope(actor: User | None) -> list[dict]:
    """The counties of the actor's jurisdiction with their level today and whether the actor sets it."""
    prefix = scope_prefix(actor) if actor is not None else None
    if prefix is None:
        raise Forbidden("risk zones are for task-force staff")
    regions = db.session.scalars(sa.select(Region).where(Region.level == "county", Region.code.startswith(prefix))
                                 .order_by(Region.code)).all()
    parents = dict(db.session.execute(sa.select(Region.code, Region.name).where(Region.level != "county")).all())
    return [{"code": r.code, "name": r.name, "city": parents.get(r.parent_code), "risk": r.risk or "low",
             "can_set": can_set_risk(actor, r)} for r in regions]


def risk_stops(actor: User | None, county: str, week: str | None = None) -> dict:
    """What a county's high risk stops, from a stored weekly report (the latest by default): its
    suppliers down because of ``risk_zone`` and, for each, the buyers it fails (category, quantity).

    Returns {week, county, risk (in force on the report's day), suppliers: [{ref, name, buyers:
    [{ref, name, county, category, quantity, unit}]}]}, suppliers sorted by the quantity they fail."""
    region = _readable_county(actor, county)
    stmt = sa.select(WeeklyReport)
    stmt = stmt.where(WeeklyReport.week == week) if week else stmt.order_by(WeeklyReport.week.desc()).limit(1)
    report = db.session.scalar(stmt)
    if report is None:
        if week:
            raise NotFound(f"no report for week {week!s:.10}")
        return {"week": None, "county": region.code, "risk": region.risk, "suppliers": []}
    firms = dict(db.session.execute(sa.select(Firm.ref, Firm.name).where(Firm.region_code == region.code)).all())
    out: dict[str, dict] = {}
    if firms:
        rows = db.session.execute(
            sa.select(Break.supplier, Break.buyer, Break.buyer_region, Break.category, Break.quantity, Break.factors)
            .where(Break.report_id == report.id, Break.kind == "supplier_down", Break.status.in_(OPEN_STATUSES),
                   Break.supplier.in_(list(firms)))).all()
        buyer_names = dict(db.session.execute(
            sa.select(Firm.ref, Firm.name).where(Firm.ref.in_({r.buyer for r in rows} or {""}))).all())
        units = dict(db.session.execute(sa.select(Category.code, Category.unit)
                                        .where(Category.code.in_({r.category for r in rows} or {""}))).all())
        for r in rows:
            if "risk_zone" not in (r.factors or []):
                continue
            s = out.setdefault(r.supplier, {"ref": r.supplier, "name": firms[r.supplier], "buyers": [], "quantity": 0.0})
            s["buyers"].append({"ref": r.buyer, "name": buyer_names.get(r.buyer, r.buyer), "county": r.buyer_region,
                                "category": r.category, "quantity": r.quantity, "unit": units.get(r.category)})
            s["quantity"] += r.quantity or 0.0
    suppliers = sorted(out.values(), key=lambda s: (-len(s["buyers"]), -s["quantity"], s["ref"]))
    for s in suppliers:
        s["buyers"].sort(key=lambda b: (-(b["quantity"] or 0), b["ref"]))
    return {"week": report.week, "county": region.code, "name": region.name,
            "risk": risk_on(region.code, report.as_of), "suppliers": suppliers}
