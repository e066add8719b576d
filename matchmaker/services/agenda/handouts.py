"""Handouts for the meeting (issue 12, item 5): a region's agenda as an .xlsx workbook, and the
agenda's size per county (the benchmark's figure: a county's agenda must be a page or two).

The workbook's words (headers and the names of codes) come from the edge in the reader's
language (``words``), like the weekly report's; names stand beside codes, quantities carry their
unit, shares are percentages, dates are dates; every sheet has a frozen header and filters on.
"""
import io
import statistics
from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.infra.spreadsheets import append_row
from matchmaker.models import Region, User
from matchmaker.services.agenda.build import report_agenda
from matchmaker.services.agenda.read import discuss_stake, region_agenda
from matchmaker.services.categories import category_names
from matchmaker.services.reports.read import get_report

__all__ = ["AGENDA_SHEETS", "agenda_xlsx", "agenda_sizes"]

#: Sheet -> its columns (keys of `words["headers"]`), in order.
AGENDA_SHEETS = {
    "items": ("number", "state", "kind", "firm", "firm_name", "owner_region", "owner_region_name", "level",
              "factors", "departments", "assignee", "due", "stake", "weeks_open", "buyers", "cascade", "decision"),
    "buyers": ("number", "firm", "buyer", "buyer_name", "category", "category_name", "kind", "quantity", "unit",
               "share", "tier"),
    "matching": ("buyer", "buyer_name", "category", "category_name", "quantity", "unit", "pending_proposals",
                 "weeks_open"),
    "fragility": ("buyer", "buyer_name", "supplier", "supplier_name", "category", "category_name", "quantity",
                  "unit", "weeks_open"),
    "last_decisions": ("firm", "firm_name", "decision", "departments", "assignee", "due", "outcome", "still_open"),
    "closed": ("kind", "buyer", "buyer_name", "supplier", "supplier_name", "category", "category_name", "quantity",
               "unit", "owner_region", "owner_region_name", "note"),
}
_FORMATS = {"stake": "0.00", "quantity": "#,##0.0", "share": "0%", "due": "yyyy-mm-dd", "number": "0",
            "weeks_open": "0", "buyers": "0", "cascade": "0", "tier": "0", "pending_proposals": "0"}


def _word(words: Mapping, part: str, code) -> str:
    if code is None:
        return ""
    return str(words.get(part, {}).get(code, code))


def _sheet(wb, name: str, columns, rows, words: Mapping):
    from openpyxl.styles import Font  # here: openpyxl is loaded when a workbook is written

    ws = wb.create_sheet(str(words["sheets"][name]))
    append_row(ws, [str(words["headers"][c]) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, [row.get(c) for c in columns])
    for i, c in enumerate(columns, start=1):
        fmt = _FORMATS.get(c)
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = 28 if c.endswith("name") or c == "decision" else 14
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def agenda_xlsx(actor: User | None, words: Mapping, lang: str = "zh", week: str | None = None,
                region: str | None = None) -> tuple[io.BytesIO, str]:
    """(.xlsx bytes, file name) of a region's agenda of a week; `words` holds `sheets`, `headers`
    and the names of codes (`kind`, `level`, `factor`, `department`, `state`, `outcome`, `yes_no`)."""
    from openpyxl import Workbook

    data = region_agenda(actor, week, region)
    cats = category_names()
    regions = dict(db.session.execute(sa.select(Region.code, Region.name)).all())

    def cat_name(code):
        found = cats.get(code)
        return (found[1] if lang == "en" and found[1] else found[0]) if found else None

    def cat_unit(code, unit):
        return _word(words, "unit", unit or (cats.get(code) or (None, None, None))[2])

    items, buyers = [], []
    for n, it in enumerate(data["walk"] + data["concerning"], start=1):
        items.append({
            "number": n, "state": _word(words, "state", it["state"]), "kind": _word(words, "kind", it["kind"]),
            "firm": it["firm"], "firm_name": it["firm_name"], "owner_region": it["owner_region"],
            "owner_region_name": regions.get(it["owner_region"]), "level": _word(words, "level", it["level"]),
            "factors": "、".join(_word(words, "factor", f) for f in it["factors"]),
            "departments": "、".join(_word(words, "department", d) for d in it["departments"]),
            "assignee": it["assignee_name"], "due": it["due"], "stake": it["stake"], "weeks_open": it["weeks_open"],
            "buyers": len(it["buyers"]), "cascade": it["cascade_count"], "decision": it["decision"]})
        for h in it["buyers"]:
            buyers.append({"number": n, "firm": it["firm"], "buyer": h["buyer"], "buyer_name": h["buyer_name"],
                           "category": h["category"], "category_name": cat_name(h["category"]),
                           "kind": _word(words, "kind", h["kind"]), "quantity": h["quantity"],
                           "unit": cat_unit(h["category"], h["unit"]), "share": h["share"], "tier": h["tier"]})
    matching = [{**m, "category_name": cat_name(m["category"]), "unit": cat_unit(m["category"], None)}
                for m in data["matching"]]
    fragility = [{**f, "category_name": cat_name(f["category"]), "unit": cat_unit(f["category"], None)}
                 for f in data["fragility"]]
    last = [{**d, "firm": d["key"].split("|")[1], "departments": "、".join(_word(words, "department", x)
                                                                         for x in d["departments"]),
             "assignee": d["assignee_name"], "outcome": _word(words, "outcome", d["outcome"]),
             "still_open": _word(words, "yes_no", d["still_open"])} for d in data["last_decisions"]]
    closed = [{**c, "kind": _word(words, "kind", c["kind"]), "category_name": cat_name(c["category"]),
               "unit": cat_unit(c["category"], c["unit"]), "owner_region_name": regions.get(c["owner_region"])}
              for c in data["closed"]]
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in (("items", items), ("buyers", buyers), ("matching", matching), ("fragility", fragility),
                       ("last_decisions", last), ("closed", closed)):
        _sheet(wb, name, AGENDA_SHEETS[name], rows, words)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf, f"agenda-{data['region']['code']}-{data['week']}.xlsx"


def agenda_sizes(week: str | None = None) -> dict:
    """Items each county owns on a week's agenda (every county with a firm), and their min /
    median / max (all, the uncovered needs among them, the others); the items owned by or
    concerning a county; the matching-in-progress and fragility entries (per county of the buyer)."""
    report = get_report(week)
    agenda = report_agenda(report)
    counties = db.session.scalars(sa.select(Region.code).where(Region.level == "county")).all()
    owned = Counter(i.owner_region for i in agenda.items)
    floor = discuss_stake()
    discussed = Counter(i.owner_region for i in agenda.items if i.stake >= floor)
    uncovered = Counter(i.owner_region for i in agenda.items if i.kind == "uncovered_need")
    by_kind = Counter(i.kind for i in agenda.items)
    seen = Counter(c for i in agenda.items for c in i.regions)
    matching = Counter(m.county for m in agenda.matching)
    fragility = Counter(f.county for f in agenda.fragility)
    used = sorted({c for c in counties if seen.get(c) or owned.get(c) or matching.get(c)})

    def spread(counter):
        values = [counter.get(c, 0) for c in used] or [0]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    return {"week": report.week, "counties": len(used), "items": len(agenda.items),
            "owned": spread(owned), "owned_uncovered": spread(uncovered), "discussed": spread(discussed),
            "discuss_stake": floor,
            "owned_without_uncovered": spread(owned - uncovered),
            "concerning_or_owned": spread(seen), "matching": spread(matching), "by_kind": dict(by_kind),
            "fragility": spread(fragility),
            "levels": dict(Counter(i.level for i in agenda.items))}
