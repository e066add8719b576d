"""Import and export data packages: all or nothing, upsert by ref, in bulk.

Import reads the container, validates every row against the spec and what is stored
(collecting every error), then writes everything in ONE transaction with bulk statements:
one query per section loads the stored keys, new records go in with multi-row INSERTs,
re-imported records are replaced with UPDATEs by primary key (their `version` incremented,
fields left out or empty set to their defaults). Export writes everything stored.
"""
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.infra.faults import pause_point
from matchmaker.infra.settings import setting
from matchmaker.models import Category, Firm, Link, Need, Offer, Product, Region, category_input, category_substitute
from matchmaker.models.base import utcnow
from matchmaker.packages.problems import PackageInvalid
from matchmaker.packages.readers import Limits, read_package
from matchmaker.packages.schema import SECTION_ORDER
from matchmaker.packages.validate import LEVEL_RANK, Stored, validate
from matchmaker.packages.writers import write_package
from matchmaker.services import package_ledger, risk_zones
from matchmaker.services.reference_data import ensure_reference_data
from matchmaker.services.support.audit import record
from matchmaker.services.support.errors import Conflict

CHUNK = 2000


@dataclass
class ImportResult:
    """Records per section: `created` new, `replaced` stored ones that differed (by ref or code),
    `unchanged` stored ones equal to the package's (left alone: no version bump)."""

    created: dict = field(default_factory=dict)
    replaced: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One human line per section present in the package."""
        return [
            f"{s}: {self.created[s] + self.replaced[s] + self.unchanged[s]} ({self.created[s]} new, "
            f"{self.replaced[s]} replaced, {self.unchanged[s]} unchanged)"
            for s in SECTION_ORDER if s in self.created
        ]


def import_package(source: str | os.PathLike | BinaryIO, filename: str | None = None,
                   progress: Callable[[int, int], None] | None = None, reference: bool = True,
                   limits: Limits | None = None) -> ImportResult:
    """Import a data package (path, or file object named `filename`); all or nothing.

    Raises `PackageInvalid` listing every problem (section, row, field) and writes nothing.
    `progress(done, total)` is called now and then: the first half is validation, the second
    writing. Reading stops at the first of `limits` (default: the app's IMPORT_MAX_* config).
    """
    try:
        if reference:
            # In the same transaction: a rejected package leaves the database exactly as it was.
            ensure_reference_data(commit=False)
        raw = read_package(source, filename, limits=limits or read_limits())
        total = 2 * max(len(raw), 1)
        stored = _stored_keys(raw.sections)
        package, problems = validate(raw, stored, None if progress is None else (lambda d, t: progress(d, total)))
        if problems:
            raise PackageInvalid(problems)
        result = _write(package, progress, len(raw), total)
        if any(result.created.values()) or any(result.replaced.values()):
            record("import", "package", after={s: {"created": result.created[s], "replaced": result.replaced[s],
                                                    "unchanged": result.unchanged[s]} for s in result.created})
        pause_point("import.before_commit")  # fault tests kill a process here
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(f"the import conflicts with a concurrent change; nothing was imported ({exc.orig})") from exc
    except BaseException:
        db.session.rollback()
        raise
    if progress is not None:
        progress(total, total)
    return result


def read_limits() -> Limits:
    """What reading a package may cost: the IMPORT_MAX_* settings (the defaults where unset)."""
    return Limits.from_config({key: setting(key) for key in Limits.CONFIG.values()})


def _stored_keys(sections=()) -> Stored:
    """What validation needs to know of the database: one query per section (the ledger's only
    when the package has ledger sections)."""
    stored = Stored()
    if any(s in sections for s in package_ledger.LEDGER_SECTIONS):
        package_ledger.load_stored(stored)
    stored.region_levels = dict(db.session.execute(sa.select(Region.code, Region.level)).all())
    stored.category_codes = set(db.session.scalars(sa.select(Category.code)))
    stored.product_categories = dict(db.session.execute(sa.select(Product.code, Product.category_code)).all())
    for ref, code in db.session.execute(sa.select(Firm.ref, Firm.credit_code)):
        stored.firm_refs.add(ref)
        if code:
            stored.credit_codes[code] = ref
    return stored


# --- writing ------------------------------------------------------------------------------------

def _records(package, section):
    """The section's records, each key once (validation guarantees no duplicates remain)."""
    return [rec for _, rec in package.get(section, ())]


def _chunks(rows):
    for i in range(0, len(rows), CHUNK):
        yield rows[i:i + CHUNK]


class _Writer:
    def __init__(self, progress, offset, total):
        self.progress, self.done, self.total = progress, offset, total

    def tick(self, n):
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)

    def insert(self, table, rows):
        """INSERT in chunks, as executemany (psycopg pipelines it; SQLite reuses one statement)."""
        for chunk in _chunks(rows):
            db.session.execute(sa.insert(table), chunk)
            self.tick(len(chunk))

    def update(self, table, key, rows, extra=None):
        """UPDATE ... WHERE key = :key for each row, as executemany; `extra` are SET expressions."""
        if not rows:
            return
        columns = [c for c in rows[0] if c != key]
        values = {c: sa.bindparam("v_" + c, type_=table.c[c].type) for c in columns}
        values.update(extra or {})
        stmt = sa.update(table).where(table.c[key] == sa.bindparam("k_" + key, type_=table.c[key].type)).values(values)
        for chunk in _chunks(rows):
            db.session.execute(stmt, [{("k_" + k if k == key else "v_" + k): v for k, v in r.items()} for r in chunk])
            self.tick(len(chunk))


def _write(package, progress, count, total) -> ImportResult:
    result = ImportResult()
    w = _Writer(progress, count if progress else 0, total)
    for section in SECTION_ORDER:
        if section in package:
            created, replaced, unchanged = _WRITERS[section](package, w)
            result.created[section], result.replaced[section] = created, replaced
            result.unchanged[section] = unchanged
    return result


def _split(table, key, rows):
    """Sort rows into (new, changed, unchanged) against the stored rows with the same key: one
    query. Changed rows get the stored primary key as `id` (tables with a surrogate key)."""
    columns = [c for c in rows[0] if c != key] if rows else []
    has_id = "id" in table.c and key != "id"
    select = [table.c[key], *(table.c[c] for c in columns)] + ([table.c.id] if has_id else [])
    existing = {row[0]: row for row in db.session.execute(sa.select(*select))} if rows else {}
    new, changed, unchanged = [], [], 0
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            new.append(row)
        elif any(row[c] != old[i] for i, c in enumerate(columns, start=1)):
            if has_id:
                row = dict(row, id=old[-1])
                del row[key]
            changed.append(row)
        else:
            unchanged += 1
    return new, changed, unchanged


def _write_regions(package, w):
    table = Region.__table__
    recs = sorted(_records(package, "regions"), key=lambda r: (LEVEL_RANK[r["level"]], r["code"]))
    rows = [dict(code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent"], lat=r["lat"],
                 lon=r["lon"], risk=r["risk"]) for r in recs]
    risk_zones.record_imported(rows)  # a changed risk: history effective today (article 2)
    new, changed, unchanged = _split(table, "code", rows)
    w.insert(table, [dict(r, approx_location=False) for r in new])
    # A point given anew is no longer the approximate one the reference data filled in.
    same_point = sa.and_(table.c.lat == sa.bindparam("v_lat"), table.c.lon == sa.bindparam("v_lon"))
    w.update(table, "code", changed, {"approx_location": sa.case((same_point, table.c.approx_location), else_=False)})
    w.tick(unchanged)
    return len(new), len(changed), unchanged


def _write_categories(package, w):
    table = Category.__table__
    recs = _records(package, "categories")
    stored_links = {}
    for assoc, other in ((category_input, "inputs"), (category_substitute, "substitutes")):
        target = assoc.c.input_code if other == "inputs" else assoc.c.substitute_code
        for code, to in db.session.execute(sa.select(assoc.c.category_code, target)):
            stored_links.setdefault((code, other), set()).add(to)
    rows = [dict(code=r["code"], name=r["name"], unit=r["unit"]) for r in recs]
    new, changed, unchanged = _split(table, "code", rows)
    w.insert(table, [dict(r, name_en=None) for r in new])
    w.update(table, "code", changed)
    relinked = [r for r in recs
                if any(set(r[name]) != stored_links.get((r["code"], name), set()) for name in ("inputs", "substitutes"))]
    new_codes, changed_codes = {r["code"] for r in new}, {r["code"] for r in changed}
    touched = changed_codes | {r["code"] for r in relinked}
    unchanged -= len(touched - changed_codes - new_codes)
    codes = [r["code"] for r in relinked]
    for assoc in (category_input, category_substitute):
        for chunk in _chunks(codes):
            db.session.execute(sa.delete(assoc).where(assoc.c.category_code.in_(chunk)))
    inputs = [dict(category_code=r["code"], input_code=c) for r in relinked for c in r["inputs"]]
    substitutes = [dict(category_code=r["code"], substitute_code=c) for r in relinked for c in r["substitutes"]]
    for assoc, links in ((category_input, inputs), (category_substitute, substitutes)):
        for chunk in _chunks(links):
            db.session.execute(sa.insert(assoc), chunk)
    w.tick(unchanged)
    return len(new), len(touched - new_codes), unchanged


def _write_products(package, w):
    table = Product.__table__
    rows = [dict(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"], unit=r["unit"],
                 category_code=r["category"], hs=r["hs"], aliases=r["aliases"]) for r in _records(package, "products")]
    new, changed, unchanged = _split(table, "code", rows)
    # a product the package adds or changes is the package's: reference loads leave it alone
    w.insert(table, [dict(r, shipped=False) for r in new])
    w.update(table, "code", changed, {"shipped": False})
    w.tick(unchanged)
    return len(new), len(changed), unchanged


def _write_firms(package, w):
    table = Firm.__table__
    rows = [dict(ref=r["ref"], name=r["name"], kind=r["kind"], region_code=r["region"], industry=r["industry"],
                 park=r["park"], credit_code=r["credit_code"], operating=r["operating"],
                 capacity_utilization=r["capacity_utilization"], workers_back=r["workers_back"],
                 blockers=r["blockers"], contact_email=r["contact_email"], headcount=r.get("headcount"))
            for r in _records(package, "firms")]
    new, changed, unchanged = _split(table, "ref", rows)
    # Free the credit codes of changed firms first: codes may move between firms in one import.
    release = [{"k_id": r["id"]} for r in changed]
    for chunk in _chunks(release):
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("k_id"), table.c.credit_code.is_not(None))
                           .values(credit_code=None), chunk)
    w.update(table, "id", changed, {"version": table.c.version + 1})
    w.insert(table, [dict(r, version=1) for r in new])
    w.tick(unchanged)
    return len(new), len(changed), unchanged


def _firm_ids():
    return dict(db.session.execute(sa.select(Firm.ref, Firm.id)).all())


def _write_postings(model, section, build, insert_defaults):
    def write(package, w):
        table = model.__table__
        firm_ids = _firm_ids()
        rows = [build(r, firm_ids) for r in _records(package, section)]
        new, changed, unchanged = _split(table, "ref", rows)
        w.update(table, "id", changed, {"version": table.c.version + 1})
        w.insert(table, [dict(r, **insert_defaults()) for r in new])
        w.tick(unchanged)
        return len(new), len(changed), unchanged

    return write


def _need_row(r, firm_ids):
    return dict(ref=r["ref"], firm_id=firm_ids[r["firm"]], category_code=r["category"], product_code=r["product"],
                accepts=r["accepts"], quantity=r["quantity"],
                needed_by=r["needed_by"], max_unit_price=r["max_unit_price"], terms=r["terms"], status=r["status"],
                note=r["note"])


def _offer_row(r, firm_ids):
    return dict(ref=r["ref"], firm_id=firm_ids[r["firm"]], category_code=r["category"], product_code=r["product"],
                quantity=r["quantity"],
                available_from=r["available_from"], available_until=r["available_until"],
                lead_time_days=r["lead_time_days"], unit_price=r["unit_price"],
                delivery_radius_km=r["delivery_radius_km"], help_wanted=r["help_wanted"], status=r["status"],
                note=r["note"])


def _link_row(r, firm_ids):
    return dict(ref=r["ref"], supplier_id=firm_ids[r["supplier"]], buyer_id=firm_ids[r["buyer"]],
                category_code=r["category"], product_code=r["product"], quantity_per_week=r["quantity_per_week"],
                active=r["active"], terms=r["terms"], since=r["since"])


def _write_links(package, w):
    """Links: a link without `since` starts on the day of the import, and a stored one keeps its day
    (re-importing a corrected spreadsheet does not move the day a link started)."""
    stored = dict(db.session.execute(sa.select(Link.ref, Link.since)).all())
    today = clock.today()
    for _, rec in package.get("links", ()):
        if rec["since"] is None:
            rec["since"] = stored.get(rec["ref"]) or today
    return _write_postings(Link, "links", _link_row, lambda: dict(created_at=utcnow(), version=1))(package, w)


_WRITERS = {
    "regions": _write_regions,
    "categories": _write_categories,
    "products": _write_products,
    "firms": _write_firms,
    "needs": _write_postings(Need, "needs", _need_row, lambda: dict(committed_quantity=0.0, version=1)),
    "offers": _write_postings(Offer, "offers", _offer_row, lambda: dict(committed_quantity=0.0, version=1)),
    "links": _write_links,
    **{s: package_ledger.ledger_writer(s, _split) for s in package_ledger.LEDGER_SECTIONS},
}


# --- export -------------------------------------------------------------------------------------

def stored_package() -> dict:
    """Everything stored, as a data package {section: [record]} (python values, six-digit codes)."""
    package = {}
    r = Region.__table__.c
    package["regions"] = [
        dict(code=row.code, name=row.name, level=row.level, parent=row.parent_code, lat=row.lat, lon=row.lon,
             risk=row.risk)
        for row in db.session.execute(sa.select(r.code, r.name, r.level, r.parent_code, r.lat, r.lon, r.risk)
                                      .order_by(r.code))
    ]
    inputs, substitutes = {}, {}
    for assoc, other, into in ((category_input, "input_code", inputs),
                               (category_substitute, "substitute_code", substitutes)):
        for code, target in db.session.execute(sa.select(assoc.c.category_code, assoc.c[other])
                                               .order_by(assoc.c.category_code, assoc.c[other])):
            into.setdefault(code, []).append(target)
    c = Category.__table__.c
    package["categories"] = [
        dict(code=row.code, name=row.name, unit=row.unit, inputs=inputs.get(row.code, []),
             substitutes=substitutes.get(row.code, []))
        for row in db.session.execute(sa.select(c.code, c.name, c.unit).order_by(c.code))
    ]
    p = Product.__table__.c
    package["products"] = [
        dict(code=row.code, name_zh=row.name_zh, name_en=row.name_en, unit=row.unit, category=row.category_code,
             hs=row.hs, aliases=list(row.aliases or []))
        for row in db.session.execute(sa.select(p.code, p.name_zh, p.name_en, p.unit, p.category_code, p.hs,
                                                p.aliases).order_by(p.code))
    ]
    f = Firm.__table__.c
    refs = {}
    firms = []
    for row in db.session.execute(sa.select(Firm.__table__).order_by(f.id)):
        refs[row.id] = row.ref
        firms.append(dict(ref=row.ref, name=row.name, kind=row.kind, region=row.region_code, industry=row.industry,
                          park=row.park, credit_code=row.credit_code, operating=bool(row.operating),
                          capacity_utilization=row.capacity_utilization, workers_back=row.workers_back,
                          blockers=list(row.blockers or []), contact_email=row.contact_email,
                          headcount=row.headcount))
    package["firms"] = firms
    n = Need.__table__
    package["needs"] = [
        dict(ref=row.ref, firm=refs[row.firm_id], category=row.category_code, product=row.product_code,
             accepts=list(row.accepts or []), quantity=row.quantity, needed_by=row.needed_by, max_unit_price=row.max_unit_price, terms=list(row.terms or []),
             status=row.status, note=row.note)
        for row in db.session.execute(sa.select(n).order_by(n.c.id))
    ]
    o = Offer.__table__
    package["offers"] = [
        dict(ref=row.ref, firm=refs[row.firm_id], category=row.category_code, product=row.product_code,
             quantity=row.quantity, available_from=row.available_from, available_until=row.available_until,
             lead_time_days=row.lead_time_days, unit_price=row.unit_price,
             delivery_radius_km=row.delivery_radius_km, help_wanted=list(row.help_wanted or []),
             status=row.status, note=row.note)
        for row in db.session.execute(sa.select(o).order_by(o.c.id))
    ]
    link = Link.__table__
    package["links"] = [
        dict(ref=row.ref, supplier=refs[row.supplier_id], buyer=refs[row.buyer_id], category=row.category_code,
             product=row.product_code, quantity_per_week=row.quantity_per_week, active=bool(row.active),
             terms=list(row.terms or []), since=row.since)
        for row in db.session.execute(sa.select(link).order_by(link.c.id))
    ]
    package.update(package_ledger.stored_entries())
    return package


def export_package(path: str | os.PathLike) -> dict:
    """Write everything stored to `path` (.json, .xlsx, or a folder of CSV files); returns counts."""
    package = stored_package()
    db.session.rollback()  # read-only: end the transaction before the (slow) file writing
    write_package(package, path)
    return {s: len(package[s]) for s in SECTION_ORDER}


__all__ = ["ImportResult", "PackageInvalid", "export_package", "import_package", "stored_package"]
