"""The weekly report as a file: JSON (the report file itself) or an .xlsx workbook for the meeting.

The workbook is the dispatch meeting's paper: Chinese sheet names and headers, one sheet per
part, frozen header row. The words for codes (kinds, levels, factors, statuses) are not kept
here: the caller passes them in as a :data:`Vocabulary` taken from the translation catalogue
(``matchmaker.infra.labels.report_vocabulary``), so this module needs neither Flask nor Babel.
Every text value becomes a cell through :func:`text_cell` alone.
"""
import io
import json
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matchmaker.infra import spreadsheets
from matchmaker.models import User
from matchmaker.services.reports.commitments import SCORECARD_FIELDS
from matchmaker.services.reports.read import report_data
from matchmaker.services.support.errors import Invalid

__all__ = ["Vocabulary", "VOCABULARY_PARTS", "write_report_file", "report_workbook", "report_xlsx", "text_cell"]

# part ("kind", "level", "factor", "status") -> code -> the word printed for it
Vocabulary = Mapping[str, Mapping[str, str]]
VOCABULARY_PARTS = ("kind", "level", "factor", "status", "term")

BREAK_HEADERS = ["严重度", "类型", "需方", "供方", "品类", "数量", "因素", "层级", "责任区域", "持续周数", "状态", "层次",
                 "路径", "待确认撮合"]
RESUMPTION_HEADERS = ["企业数", "开工率", "平均产能利用率", "平均返岗率"]
COMMITMENT_HEADERS = ["承诺", "供应关系", "需方", "供方", "交货", "到期日", "逾期天数", "未付金额（元）", "责任区域"]
SCORECARD_HEADERS = ["龙头企业", "所在县区", "配套中小企业数", "订单数", "订货数量", "收货次数", "收货数量", "交货金额（元）",
                     "按期付款", "逾期付款", "按期付款率", "平均付款天数", "当前逾期事项", "逾期未付（元）", "向中小企业供货次数",
                     "供货数量"]


def write_report_file(data: dict, path: str | Path, words: Vocabulary | None = None) -> None:
    """Write report data (report_data) to .json or .xlsx by the file's extension (.xlsx needs `words`)."""
    path = str(path)
    if path.lower().endswith(".xlsx") and words is None:
        raise TypeError("an .xlsx report needs the words for its codes (a Vocabulary)")
    if path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
    elif path.lower().endswith(".xlsx"):
        with open(path, "wb") as fh:
            fh.write(report_workbook(data, words).getvalue())
    else:
        raise Invalid("the report file must end in .json or .xlsx", {"out": ["use .json or .xlsx"]})


def report_xlsx(actor: User | None, week: str | None, words: Vocabulary) -> tuple[io.BytesIO, str]:
    """(.xlsx bytes, file name) of a week's report for the actor's region."""
    data = report_data(actor, week)
    return report_workbook(data, words), f"weekly-report-{data['week']}.xlsx"


def _sheets(data: dict, words: Vocabulary) -> list[tuple[str, list[str], list[list]]]:
    """(title, headers, rows) of each sheet."""
    kind, level = words["kind"], words["level"]
    factor, status = words["factor"], words["status"]
    summary, monitoring, pairings = data["summary"], data["monitoring"], data.get("pairings")
    return [
        ("断链清单", BREAK_HEADERS,
         [[b["severity"], kind[b["kind"]], b["buyer"], b["supplier"] or "", b["category"], b["quantity"],
           "、".join(factor.get(f, f) for f in b["factors"]), level[b["level"]], b["owner_region"],
           b["weeks_open"], status.get(b["status"], b["status"]), b["tier"], " ← ".join(b["path"]),
           b.get("pending_proposals", "")] for b in data["breaks"]]),
        ("已解决", ["类型", "需方", "供方", "品类"],
         [[kind[r["kind"]], r["buyer"], r["supplier"] or "", r["category"]] for r in data["resolved"]]),
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
        ("本周撮合", ["提出对接数", "提出数量", "达成对接数", "达成数量"],
         [[pairings["proposed"], pairings["proposed_quantity"], pairings["accepted"], pairings["accepted_quantity"]]]
         if pairings else []),
        ("逾期承诺", COMMITMENT_HEADERS,
         [[words.get("term", {}).get(c["term"], c["term"]), c["link"], c["buyer"], c["supplier"], c["delivery"] or "",
           c["due"], c["days_overdue"], c["unpaid"], c["owner_region"]] for c in data.get("commitments", [])]),
        ("龙头企业履约", SCORECARD_HEADERS,
         [[f[name] for name in SCORECARD_FIELDS] for f in data.get("leading_firms", [])]),
    ]


def text_cell(ws: Worksheet, text: str) -> Cell:
    """The cell of a text value: the one place the workbook turns text into a cell. A text cell,
    never a formula, whatever the text begins with (a firm chooses its park's name)."""
    return spreadsheets.text_cell(ws, text)


def _append(ws: Worksheet, values: list) -> None:
    ws.append([text_cell(ws, v) if isinstance(v, str) else v for v in values])


def report_workbook(data: dict, words: Vocabulary) -> io.BytesIO:
    """The report as an .xlsx workbook (one sheet per part, Chinese headers, frozen header row);
    `words` names the codes (see :data:`Vocabulary`)."""
    wb = Workbook()
    for i, (title, headers, rows) in enumerate(_sheets(data, words)):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        _append(ws, headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _append(ws, row)
        ws.freeze_panes = "A2"
        for col, h in enumerate(headers, start=1):
            width = max([_width(h)] + [_width(r[col - 1]) for r in rows[:500]])
            ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
