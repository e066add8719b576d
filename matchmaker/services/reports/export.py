"""The weekly report as a file: JSON (the report file itself) or an .xlsx workbook for the meeting.

The workbook is the dispatch meeting's paper: Chinese sheet names and headers, one sheet per
part, frozen header row. The words for codes (kinds, levels, factors, statuses) are not kept
here: the caller passes them in as a :data:`Vocabulary` taken from the translation catalogue
(``matchmaker.infra.labels.report_vocabulary``), so this module needs neither Flask nor Babel.
Every text value becomes a cell through :func:`matchmaker.infra.xlsx.text_cell_xml` alone.

A stored report is written a break at a time (:func:`export_report`, :func:`report_xlsx`): its
open breaks stream from the database in the report's order (:mod:`.paged`), the JSON file splices
their stored JSON texts, the workbook is streamed as SpreadsheetML a row at a time
(:mod:`matchmaker.infra.xlsx`), and the counts are kept on the way; a province's report (~10^5 breaks) is never held in memory as objects.
"""
import io
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from pathlib import Path

from graphs import KINDS, LEVELS
from matchmaker.infra.xlsx import StreamingWorkbook
from matchmaker.infra.files import replacing
from matchmaker.models import User, WeeklyReport
from matchmaker.services.products.names import product_names
from matchmaker.services.reports.commitments import SCORECARD_FIELDS
from matchmaker.services.reports.paged import open_break_rows
from matchmaker.services.reports.read import BREAKS_WITH_PROPOSALS, break_dict, get_report, report_parts, require_reader
from matchmaker.services.support.errors import Invalid

__all__ = ["Vocabulary", "VOCABULARY_PARTS", "write_report_file", "export_report", "json_report_parts", "write_json_report", "report_workbook", "report_xlsx",
           "stake_text"]

# part ("kind", "level", "factor", "status") -> code -> the word printed for it
Vocabulary = Mapping[str, Mapping[str, str]]
VOCABULARY_PARTS = ("kind", "level", "factor", "status", "term", "unit")

# 单位: the unit of 数量 (empty when the goods are counted in different units); 涉及产品: the products
# at stake, each with its quantity and unit (issue 10: breaks stay per category and name the products)
BREAK_HEADERS = ["严重度", "类型", "需方", "供方", "品类", "数量", "单位", "涉及产品", "因素", "层级", "责任区域", "持续周数",
                 "状态", "层次", "路径", "待确认撮合", "涉及县区"]
BLOCKED_HEADERS = ["企业", "所在县区", "是否开工", "因素", "持续周数", "涉及断链数"]
RESUMPTION_HEADERS = ["企业数", "开工率", "平均产能利用率", "平均返岗率"]
COMMITMENT_HEADERS = ["承诺", "供应关系", "需方", "供方", "交货", "到期日", "逾期天数", "未付金额（元）", "责任区域"]
SCORECARD_HEADERS = ["龙头企业", "所在县区", "配套中小企业数", "订单数", "订货数量", "收货次数", "收货数量", "交货金额（元）",
                     "按期付款", "逾期付款", "按期付款率", "平均付款天数", "当前逾期事项", "逾期未付（元）", "向中小企业供货次数",
                     "供货数量"]


def write_report_file(data: dict, path: str | Path, words: Vocabulary | None = None) -> None:
    """Write report data (report_data) to .json or .xlsx by the file's extension (.xlsx needs `words`)."""
    path = _checked_path(path, words)
    if path.lower().endswith(".json"):
        with replacing(path, "w") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
    else:
        with replacing(path, "wb") as fh:
            fh.write(report_workbook(data, words).getvalue())


def export_report(actor: User | None, week: str | None, path: str | Path,
                  words: Vocabulary | None = None) -> dict:
    """Write a stored week's report for the actor (all of it for None) to .json or .xlsx by the
    file's extension, a break at a time (the rows stream from the database: no report held in
    memory, no ORM objects); returns its week, as_of and the numbers of open and resolved breaks."""
    path = _checked_path(path, words)
    require_reader(actor)
    report = get_report(week)
    parts = _parts(actor, report)
    if path.lower().endswith(".json"):
        n = _write_json_file(path, parts, open_break_rows(actor, report, json_text=True))
    else:
        with replacing(path, "wb") as fh:
            n = _write_workbook(fh, parts, (break_dict(r) for r in open_break_rows(actor, report)), words,
                                product_names())
    return {"week": parts["week"], "as_of": parts["as_of"], "open_breaks": n, "resolved": len(parts["resolved"])}


def json_report_parts(report: WeeklyReport) -> dict:
    """Every part of a stored report's file but its breaks, for the whole report (no reader's scope):
    what a report run reads inside its own transaction before it commits, so that the file it
    writes (:func:`write_json_report`) is one snapshot with the rows it has just stored."""
    return _parts(None, report)


def write_json_report(path: str | Path, parts: dict, rows: Iterable[tuple]) -> dict:
    """Write a whole report's JSON file from its parts (:func:`json_report_parts`) and its open
    breaks ``rows``, in the report's order, as tuples of paged.FILE_BREAK_FIELDS with ``factors``,
    ``path``, ``regions`` and ``products`` as their JSON text (what ``paged.open_break_rows(...,
    json_text=True)`` reads back; a report run passes the rows it has just stored). Returns what
    :func:`export_report` returns."""
    path = _checked_path(path, None)
    if not path.lower().endswith(".json"):
        raise ValueError("write_json_report writes .json files")
    n = _write_json_file(path, parts, rows)
    return {"week": parts["week"], "as_of": parts["as_of"], "open_breaks": n, "resolved": len(parts["resolved"])}


def _write_json_file(path: str, parts: dict, rows) -> int:
    with replacing(path, "w") as fh:
        return _write_json(fh, parts, rows)


def report_xlsx(actor: User | None, week: str | None, words: Vocabulary) -> tuple[io.BytesIO, str]:
    """(.xlsx bytes, file name) of a week's report for the actor's region (its breaks streamed)."""
    require_reader(actor)
    report = get_report(week)
    parts = _parts(actor, report)
    buf = io.BytesIO()
    _write_workbook(buf, parts, (break_dict(r) for r in open_break_rows(actor, report)), words, product_names())
    buf.seek(0)
    return buf, f"weekly-report-{report.week}.xlsx"


def report_workbook(data: dict, words: Vocabulary, names: Mapping[str, tuple] | None = None) -> io.BytesIO:
    """The report as an .xlsx workbook (one sheet per part, Chinese headers, frozen header row);
    `words` names the codes (see :data:`Vocabulary`), `names` the products (code -> (Chinese
    name, ...), as services.products.product_names; codes stand for themselves without it)."""
    buf = io.BytesIO()
    _write_workbook(buf, data, iter(data["breaks"]), words, names)
    buf.seek(0)
    return buf


def _checked_path(path, words) -> str:
    path = str(path)
    if path.lower().endswith(".xlsx") and words is None:
        raise TypeError("an .xlsx report needs the words for its codes (a Vocabulary)")
    if not path.lower().endswith((".json", ".xlsx")):
        raise Invalid("the report file must end in .json or .xlsx", {"out": ["use .json or .xlsx"]})
    return path


def _parts(actor: User | None, report) -> dict:
    """Every part of the report file but its breaks and their counts (read.report_parts), with its week."""
    return {"week": report.week, "as_of": report.as_of.isoformat(), **report_parts(actor, report)}


class _Counts:
    """The counts by kind, factor and level of the breaks written (summarize's, a break at a time;
    factors counted per distinct list, given as JSON text or as a list)."""

    def __init__(self):
        self.n, self.kinds, self.levels, self.factors = 0, Counter(), Counter(), Counter()

    def add(self, kind, level, factors):
        self.n += 1
        self.kinds[kind] += 1
        self.levels[level] += 1
        self.factors[factors if isinstance(factors, str) else tuple(factors)] += 1

    def add_groups(self, groups: Mapping[tuple, int]) -> None:
        """Count ``{(kind, level, factors): number of breaks}`` at once."""
        for (kind, level, factors), n in groups.items():
            self.n += n
            self.kinds[kind] += n
            self.levels[level] += n
            self.factors[factors if isinstance(factors, str) else tuple(factors)] += n

    def summary(self) -> dict:
        by_factor = Counter()
        for factors, n in self.factors.items():
            for f in json.loads(factors) if isinstance(factors, str) else factors:
                by_factor[f] += n
        return {"by_kind": {k: self.kinds[k] for k in KINDS if self.kinds[k]},
                "by_factor": dict(sorted(by_factor.items())),
                "by_level": {lv: self.levels[lv] for lv in LEVELS if self.levels[lv]}}


def _write_json(fh, parts: dict, rows) -> int:
    """Write the report file: its breaks from rows of paged.open_break_rows (JSON texts spliced as
    they are stored, every other value encoded as json would), then its other parts; returns
    the number of breaks. (~10^5 rows: numbers are written inline as :func:`_number` writes them,
    the counts kept per (kind, level, factors) and summed at the end.)"""
    text, number, counts, groups = encode_basestring, _number, _Counts(), {}
    count, write, with_proposals = groups.get, fh.write, BREAKS_WITH_PROPOSALS
    float_text, int_text, finite = float.__repr__, int.__repr__, math.isfinite
    write('{\n  "week": %s,\n  "as_of": %s,\n  "breaks": [' % (text(parts["week"]), text(parts["as_of"])))
    sep, chunk = "\n    ", []
    put = chunk.append
    for (kind, buyer, supplier, category, quantity, factors, level, owner, weeks, status, tier, path, regions,
         severity, pending, unit, products) in rows:
        factors = factors or "[]"
        group = (kind, level, factors)
        groups[group] = count(group, 0) + 1
        put(_BREAK_JSON % (
            sep, text(kind), text(buyer), "null" if supplier is None else text(supplier), text(category),
            float_text(quantity) if type(quantity) is float and finite(quantity) else number(quantity),
            factors, text(level), text(owner), int_text(weeks) if type(weeks) is int else number(weeks),
            text(status), int_text(tier) if type(tier) is int else number(tier), path or "[]", regions or "[]",
            float_text(severity) if type(severity) is float and finite(severity) else number(severity),
            (', "pending_proposals": %d' % (pending or 0)) if kind in with_proposals else "",
            "null" if unit is None else text(unit), products or "[]"))
        sep = ",\n    "
        if len(chunk) == 2000:  # written 2000 breaks at a time
            write("".join(chunk))
            chunk.clear()
    write("".join(chunk))
    counts.add_groups(groups)
    write("\n  ],\n")
    rest = {k: v for k, v in parts.items() if k not in ("week", "as_of")}
    rest = {"resolved": rest.pop("resolved"), "closed": rest.pop("closed"), "blocked_firms": rest.pop("blocked_firms"),
            "summary": counts.summary(), **rest}  # the report file's order
    body = json.dumps(rest, ensure_ascii=False, indent=2)
    write(body[body.index("\n") + 1:])  # the other parts, in the same object
    write("\n")
    return counts.n


# a break of the report file, its fields in paged.FILE_BREAK_FIELDS order (pending_proposals: kinds 3, 4)
_BREAK_JSON = ('%s{"kind": %s, "buyer": %s, "supplier": %s, "category": %s, "quantity": %s, "factors": %s, '
               '"level": %s, "owner_region": %s, "weeks_open": %s, "status": %s, "tier": %s, "path": %s, '
               '"regions": %s, "severity": %s%s, "unit": %s, "products": %s}')


def _number(value) -> str:
    """A number as json writes it (null for None)."""
    kind = type(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    return "null" if value is None else json.dumps(value)


def _write_workbook(fh, parts: dict, breaks, words: Vocabulary, names: Mapping[str, tuple] | None = None) -> int:
    """Write the workbook (one sheet per part, Chinese headers, bold and frozen header row; the
    breaks' sheet first, a row at a time, streamed as SpreadsheetML: :mod:`matchmaker.infra.xlsx`)
    to a binary file; returns the number of breaks. The counts are those of the breaks written
    unless ``parts`` has its ``summary``."""
    counts = _Counts()

    def counted(items):
        for b in items:
            counts.add(b["kind"], b["level"], b["factors"])
            yield _break_cells(b, words, names or {})

    with StreamingWorkbook(fh) as wb:
        _sheet(wb, "断链清单", BREAK_HEADERS, counted(breaks))
        data = parts if "summary" in parts else dict(parts, summary=counts.summary())
        for title, headers, rows in _other_sheets(data, words):
            _sheet(wb, title, headers, iter(rows))
    return counts.n


def stake_text(stakes: list, units: Mapping[str, str], names: Mapping[str, tuple]) -> str:
    """The products at stake in a break as the paper prints them, e.g. '生鲜乳 40 吨；其他 5 吨'
    (a product's Chinese name, else its code; '按品类' for goods named by category only)."""
    parts = []
    for s in stakes or ():
        code, unit = s.get("product"), s.get("unit")
        name = (names.get(code) or (code,))[0] if code else "按品类"
        qty = quantity_text(s.get("quantity") or 0)
        parts.append(f"{name} {qty} {units.get(unit, unit)}" if unit else f"{name} {qty}")
    return "；".join(parts)


def quantity_text(quantity: float) -> str:
    """A quantity as the paper prints it: its digits in full, at most six decimals, no exponent
    (``:g`` printed 8,188,032 pieces as 8.18803e+06)."""
    text = f"{quantity:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _break_cells(b: dict, words: Vocabulary, names: Mapping[str, tuple]) -> list:
    kind, level, factor, status = words["kind"], words["level"], words["factor"], words["status"]
    units = words.get("unit", {})
    unit = b.get("unit")
    return [b["severity"], kind[b["kind"]], b["buyer"], b["supplier"] or "", b["category"], b["quantity"],
            units.get(unit, unit) if unit else "", stake_text(b.get("products"), units, names),
            "、".join(factor.get(f, f) for f in b["factors"]), level[b["level"]], b["owner_region"],
            b["weeks_open"], status.get(b["status"], b["status"]), b["tier"], " ← ".join(b["path"]),
            b.get("pending_proposals", ""), "、".join(b.get("regions") or [])]


def _other_sheets(data: dict, words: Vocabulary) -> list[tuple[str, list[str], list[list]]]:
    """(title, headers, rows) of each sheet after the breaks'."""
    kind, level, factor, status = words["kind"], words["level"], words["factor"], words["status"]
    summary, monitoring, pairings = data["summary"], data["monitoring"], data.get("pairings")
    return [
        ("已解决", ["类型", "需方", "供方", "品类", "状态", "销号说明"],
         [[kind[r["kind"]], r["buyer"], r["supplier"] or "", r["category"], status.get("resolved", "resolved"), ""]
          for r in data["resolved"]]
         + [[kind[r["kind"]], r["buyer"], r["supplier"] or "", r["category"], status.get("closed", "closed"),
             r.get("note") or ""] for r in data.get("closed", [])]),
        ("求助企业", BLOCKED_HEADERS,
         [[r["firm"], r["county"] or "", "是" if r["operating"] else "否", "、".join(factor.get(f, f) for f in r["factors"]),
           r["weeks_open"], r["breaks"]] for r in data.get("blocked_firms", [])]),
        ("汇总", ["分类", "项目", "数量"],
         [["类型", kind[k], n] for k, n in summary["by_kind"].items()]
         + [["因素", factor.get(k, k), n] for k, n in summary["by_factor"].items()]
         + [["层级", level[k], n] for k, n in summary["by_level"].items()]),
        ("按行业复工", ["行业门类", *RESUMPTION_HEADERS],
         [[r["industry"], r["firms"], r["share_operating"], r["mean_capacity_utilization"], r["mean_workers_back"]]
          for r in monitoring["by_industry"]]),
        ("按园区复工", ["园区", *RESUMPTION_HEADERS],
         [[r["park"], r["firms"], r["share_operating"], r["mean_capacity_utilization"], r["mean_workers_back"]]
          for r in monitoring["by_park"]]),
        ("本周撮合", ["项目", "单位", "提出", "达成"], _pairing_rows(pairings, words.get("unit", {}))),
        ("逾期承诺", COMMITMENT_HEADERS,
         [[words.get("term", {}).get(c["term"], c["term"]), c["link"], c["buyer"], c["supplier"], c["delivery"] or "",
           c["due"], c["days_overdue"], c["unpaid"], c["owner_region"]] for c in data.get("commitments", [])]),
        ("龙头企业履约", SCORECARD_HEADERS + ["数量单位"],
         [[f[name] for name in SCORECARD_FIELDS] + [_card_unit(f, words.get("unit", {}))]
          for f in data.get("leading_firms", [])]),
    ]


def _card_unit(card: dict, units: Mapping[str, str]) -> str:
    """The unit of a scorecard's quantities as the paper prints it ('多种单位' when several)."""
    if "unit" not in card:  # reports stored before issue 10
        return ""
    unit = card["unit"]
    if unit is None:
        return "多种单位" if card.get("ordered_quantity") or card.get("delivered_quantity") else ""
    return units.get(unit, unit)


def _pairing_rows(pairings: dict | None, units: Mapping[str, str]) -> list[list]:
    """The week's pairings: how many, then their quantities unit by unit (a total over goods of
    different units means nothing; reports stored before issue 10 have only the total)."""
    if not pairings:
        return []
    rows = [["对接数", "", pairings["proposed"], pairings["accepted"]]]
    by_unit = pairings.get("by_unit")
    if by_unit:
        rows += [["数量", units.get(u, u), q["proposed_quantity"], q["accepted_quantity"]] for u, q in by_unit.items()]
    else:
        rows.append(["数量", "", pairings["proposed_quantity"], pairings["accepted_quantity"]])
    return rows


#: Rows whose widths size a sheet's columns (they are set before any row is written).
_WIDTH_ROWS = 500


def _sheet(wb: StreamingWorkbook, title: str, headers: list[str], rows) -> None:
    """A sheet of the workbook: bold headers, frozen below them, columns as wide as the first rows
    (every text a text cell, never a formula: :func:`matchmaker.infra.xlsx.text_cell_xml`)."""
    first = list(itertools.islice(rows, _WIDTH_ROWS))
    widths = [min(max(max([_width(h)] + [_width(r[col]) for r in first]) + 2, 8), 60)
              for col, h in enumerate(headers)]
    wb.sheet(title, headers, itertools.chain(first, rows), header_style=True, widths=widths)


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
