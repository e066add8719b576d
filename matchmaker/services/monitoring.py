"""Resumption monitoring (article 13) by GB/T 4754 division and by industrial chain, weighted by
headcount, week over week, and by county.

Firm status is stored as it is now (no history per week), so each weekly report keeps a snapshot
of the figures when it is written (:func:`add_snapshot`, into the report's ``monitoring`` JSON,
beside the section and park tallies): per county, ``division``, ``chain`` and ``total`` tallies.
A week is compared with the report's previous stored week (``previous_week``).

A tally is nine numbers (:data:`TALLY`): firms, operating, firms with a headcount, their headcount,
the headcount of those operating, firms reporting workers back, the sum of their shares, the
headcount of those with a headcount, and the sum of share x headcount. From it:

* ``share_operating`` = operating / firms (unweighted);
* ``share_operating_weighted`` = headcount of operating firms / headcount, over firms with one;
* ``share_workers_back`` = mean of the reported shares (unweighted);
* ``share_workers_back_weighted`` = sum(share x headcount) / sum(headcount), over firms reporting
  both: the share of the workforce back.

Chains are named sets of IO categories (``matchmaker/data/chains.json``, or the file named by the
``MONITORING_CHAINS`` setting); a firm is in a chain when one of its needs, offers or links (on
either side) is of one of the chain's categories. A report keeps the chains in force when written.
"""
import io
import json
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.infra.reference import DATA_DIR, load_industries, normalize_industry
from matchmaker.infra.settings import setting
from matchmaker.models import Firm, Link, Need, Offer, Region, User, WeeklyReport
from matchmaker.services.auth import scope_prefix
from matchmaker.services.support.errors import Forbidden, Invalid, NotFound

CHAINS_FILE = DATA_DIR / "chains.json"
TALLY = ("firms", "operating", "hc_firms", "headcount", "hc_operating", "wb_firms", "wb_sum", "wb_headcount",
         "wb_weighted")
FIGURES = ("share_operating", "share_operating_weighted", "share_workers_back", "share_workers_back_weighted")


# --- configuration ------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _read_chains(path: str) -> tuple[dict, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for c in data.get("chains", data if isinstance(data, list) else []):
        if not c.get("key") or not isinstance(c.get("categories"), list):
            raise ValueError(f"{path}: every chain needs a key and a list of categories")
        out.append({"key": str(c["key"]), "zh": c.get("zh") or c["key"], "en": c.get("en") or c["key"],
                    "categories": tuple(str(x) for x in c["categories"])})
    return tuple(out)


def chains() -> tuple[dict, ...]:
    """The monitored chains: {key, zh, en, categories}, from MONITORING_CHAINS (a JSON file's path)
    or the shipped ``chains.json``."""
    return _read_chains(str(setting("MONITORING_CHAINS") or CHAINS_FILE))


def division_of(industry: str | None) -> str | None:
    """The GB/T 4754 division (section letter and two digits) of an industry code; the section
    letter alone when only a section is given; None when the code is unknown.

    >>> division_of("C1441"), division_of("1441"), division_of("c"), division_of("X9") is None
    ('C14', 'C14', 'C', True)
    """
    code = normalize_industry(industry)
    return code[:3] if code else None


@lru_cache(maxsize=1)
def division_names() -> dict[str, str]:
    """GB/T 4754 section and division code -> its (Chinese) name."""
    return {r["code"]: r["name"] for r in load_industries() if r["level"] in ("section", "division")}


# --- the snapshot written with each report --------------------------------------------------------

def _new():
    return [0, 0, 0, 0, 0, 0, 0.0, 0, 0.0]


def tally(acc: list, operating: bool, headcount: int | None, workers_back: float | None) -> None:
    """Add one firm to a tally (the nine numbers of :data:`TALLY`)."""
    acc[0] += 1
    acc[1] += 1 if operating else 0
    if headcount:
        acc[2] += 1
        acc[3] += headcount
        acc[4] += headcount if operating else 0
    if workers_back is not None:
        acc[5] += 1
        acc[6] += workers_back
        if headcount:
            acc[7] += headcount
            acc[8] += workers_back * headcount


def firm_chains() -> dict[int, set[str]]:
    """firm id -> keys of the chains it is in (by its needs, offers and links, either side)."""
    by_category: dict[str, set[str]] = {}
    for c in chains():
        for code in c["categories"]:
            by_category.setdefault(code, set()).add(c["key"])
    if not by_category:
        return {}
    out: dict[int, set[str]] = {}
    n, o, lk = Need.__table__.c, Offer.__table__.c, Link.__table__.c
    codes = sorted(by_category)  # only the rows in a chain's categories (a province: ~10^5 fewer rows)
    pairs = sa.union(sa.select(n.firm_id, n.category_code).where(n.category_code.in_(codes)),
                     sa.select(o.firm_id, o.category_code).where(o.category_code.in_(codes)),
                     sa.select(lk.supplier_id, lk.category_code).where(lk.category_code.in_(codes)),
                     sa.select(lk.buyer_id, lk.category_code).where(lk.category_code.in_(codes)))
    for firm_id, category in db.session.execute(pairs):
        keys = by_category.get(category)
        if keys:
            out.setdefault(firm_id, set()).update(keys)
    return out


def add_snapshot(monitoring: dict, info: dict) -> dict:
    """Add to a report's per-county monitoring (``{county: {...}}``) the ``division``, ``chain`` and
    ``total`` tallies of the firms of ``info`` (ref -> FirmInfo, as loaded for the report)."""
    headcounts = dict(db.session.execute(sa.select(Firm.id, Firm.headcount).where(Firm.headcount.is_not(None))).all())
    member = firm_chains()
    divisions: dict[str | None, str | None] = {}
    for f in info.values():
        county = monitoring.setdefault(f.county, {"industry": {}, "park": {}})
        parts = (county.setdefault("total", _new()),)
        if f.industry not in divisions:
            divisions[f.industry] = division_of(f.industry)
        div = divisions[f.industry]
        if div:
            parts += (county.setdefault("division", {}).setdefault(div, _new()),)
        chain_part = county.setdefault("chain", {})
        parts += tuple(chain_part.setdefault(key, _new()) for key in sorted(member.get(f.id, ())))
        hc = headcounts.get(f.id)
        for acc in parts:
            tally(acc, f.operating, hc, f.workers_back)
    return monitoring


# --- reading ------------------------------------------------------------------------------------------

def figures(acc: list | None) -> dict:
    """The shares of a tally (see the module's docstring), None where nothing is counted."""
    acc = acc or _new()

    def share(a, b):
        return round(a / b, 4) if b else None

    return {"firms": acc[0], "operating": acc[1], "firms_with_headcount": acc[2], "headcount": acc[3],
            "share_operating": share(acc[1], acc[0]), "share_operating_weighted": share(acc[4], acc[3]),
            "share_workers_back": share(acc[6], acc[5]), "share_workers_back_weighted": share(acc[8], acc[7])}


def _add(into: list, acc: list) -> None:
    for i, v in enumerate(acc):
        into[i] += v


def _scoped(actor: User | None, county: str | None) -> str:
    """The county-code prefix read: the actor's jurisdiction, narrowed to one county in it."""
    prefix = "" if actor is None else scope_prefix(actor)
    if prefix is None:
        raise Forbidden("monitoring is for task-force staff")
    if county:
        region = db.session.get(Region, county)
        if region is None or not county.startswith(prefix):
            raise NotFound(f"region {county!s:.20} not found")
        if region.level == "province":
            return county[:2]
        return county[:4] if region.level == "city" else county
    return prefix


def _grouped(report: WeeklyReport | None, prefix: str) -> dict:
    """{"division": {code: tally}, "chain": {key: tally}, "county": {code: tally}, "total": tally}."""
    out = {"division": {}, "chain": {}, "county": {}, "total": _new()}
    if report is None:
        return out
    for county, parts in (report.monitoring or {}).items():
        if not (county or "").startswith(prefix) or "total" not in parts:
            continue
        _add(out["county"].setdefault(county, _new()), parts["total"])
        _add(out["total"], parts["total"])
        for name in ("division", "chain"):
            for key, acc in parts.get(name, {}).items():
                _add(out[name].setdefault(key, _new()), acc)
    return out


def _rows(now: dict, before: dict | None, keys) -> list[dict]:
    rows = []
    for key in keys:
        row = {"key": key, **figures(now.get(key))}
        if before is not None:
            prev = figures(before.get(key))
            row["previous"] = {f: prev[f] for f in ("firms", *FIGURES)}
            row["change"] = {f: (round(row[f] - prev[f], 4) if row[f] is not None and prev[f] is not None else None)
                             for f in FIGURES}
        rows.append(row)
    return rows


def monitoring_view(actor: User | None, week: str | None = None, county: str | None = None) -> dict:
    """Resumption of a stored week in the actor's jurisdiction (or one region in it), by division,
    by chain and by county, each with the previous stored week's figures and the change.

    Returns {week, previous_week, weeks, region, total, by_division, by_chain, by_county, chains};
    ``week`` is None when no report (with a monitoring snapshot) is stored."""
    prefix = _scoped(actor, county or None)
    weeks = list(db.session.scalars(sa.select(WeeklyReport.week).order_by(WeeklyReport.week.desc())))
    if week and week not in weeks:
        raise NotFound(f"no report for week {week!s:.10}")
    week = week or (weeks[0] if weeks else None)
    empty = {"week": None, "previous_week": None, "weeks": weeks, "region": county or None, "total": figures(None),
             "by_division": [], "by_chain": [], "by_county": [], "chains": list(chains())}
    if week is None:
        return empty
    report = db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
    previous = (db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == report.previous_week))
                if report.previous_week else None)
    now, before = _grouped(report, prefix), (_grouped(previous, prefix) if previous is not None else None)
    chain_keys = [c["key"] for c in chains()]
    chain_keys += sorted(set(now["chain"]) - set(chain_keys))
    names = dict(db.session.execute(sa.select(Region.code, Region.name)
                                    .where(Region.code.in_(list(now["county"]) or [""]))).all())
    by_county = _rows(now["county"], before and before["county"], sorted(now["county"]))
    for row in by_county:
        row["name"] = names.get(row["key"], row["key"])
    by_division = _rows(now["division"], before and before["division"], sorted(now["division"]))
    for row in by_division:
        row["name"] = division_names().get(row["key"], row["key"])
    by_chain = _rows(now["chain"], before and before["chain"], chain_keys)
    chain_names = {c["key"]: c for c in chains()}
    for row in by_chain:
        c = chain_names.get(row["key"], {})
        row["name"], row["name_en"] = c.get("zh", row["key"]), c.get("en", row["key"])
    total = _rows({"": now["total"]}, before and {"": before["total"]}, [""])[0]
    return {**empty, "week": week, "previous_week": previous.week if previous is not None else None,
            "total": total, "by_division": by_division, "by_chain": by_chain, "by_county": by_county}


def monitoring_xlsx(actor: User | None, week: str | None, county: str | None, words: dict) -> tuple[io.BytesIO, str]:
    """(.xlsx bytes, file name) of :func:`monitoring_view`: one sheet per grouping, shares as
    number cells formatted 0.0%, a frozen header with filters. ``words`` gives the reader's
    language: {"lang": "zh"|"en", "headers": [12 column titles], "sheets": {part: sheet name}}."""
    from openpyxl import Workbook

    from matchmaker.infra.spreadsheets import append_row

    view = monitoring_view(actor, week, county)
    if view["week"] is None:
        raise NotFound("no weekly report has been written yet")
    english = words.get("lang") == "en"
    wb = Workbook()
    wb.remove(wb.active)
    for part in ("by_chain", "by_division", "by_county"):
        ws = wb.create_sheet(words["sheets"][part])
        append_row(ws, list(words["headers"]))
        for r in view[part]:
            name = r.get("name_en") if english and r.get("name_en") else r.get("name", r["key"])
            ch = r.get("change", {})
            append_row(ws, [r["key"], name, r["firms"], r["headcount"], *(r[f] for f in FIGURES),
                            *(ch.get(f) for f in FIGURES)])
        for row in ws.iter_rows(min_row=2, min_col=5, max_col=12):
            for cell in row:
                cell.number_format = "0.0%"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf, f"monitoring-{view['week']}.xlsx"


def validate_week(week: str | None) -> str | None:
    """A week label as given in a query (YYYY-Www), or Invalid."""
    if week and not (len(week) == 8 and week[4:6] == "-W" and week[:4].isdigit() and week[6:].isdigit()):
        raise Invalid("a week is YYYY-Www", {"week": ["e.g. 2020-W12"]})
    return week or None
