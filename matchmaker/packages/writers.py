"""Write a data package in its three containers.

The package is ``{section: [record]}`` with python values (text, numbers, booleans, dates,
lists, None). JSON gets one record per line; CSV is written as Excel writes it (UTF-8 with a
BOM, CRLF line ends, `;`-separated lists), every text guarded against running as a formula
(`matchmaker.infra.spreadsheets.guard_csv_text`); xlsx has one sheet per section with the
header row, typed cells (numbers, booleans, dates) and text cells (never formulas) for text.
"""
import csv
import json
import os
from datetime import date, datetime
from pathlib import Path

from matchmaker.infra.spreadsheets import guard_csv_text
from matchmaker.infra.xlsx import StreamingWorkbook, number_text
from matchmaker.packages.schema import SECTION_ORDER, written_names


def write_package(package: dict, path) -> str:
    """Write `package` to `path`, the container chosen by the extension (a folder for CSV)."""
    name = str(path).lower()
    if name.endswith(".json"):
        write_json(package, path)
        return "json"
    if name.endswith(".xlsx"):
        write_xlsx(package, path)
        return "xlsx"
    if os.path.splitext(name)[1] and not os.path.isdir(path):
        raise ValueError(f"cannot tell the format of {path}: use .json, .xlsx or a folder for CSV files")
    write_csv_folder(package, path)
    return "csv"


def _sections(package):
    return [s for s in SECTION_ORDER if s in package]


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def write_json(package: dict, path):
    """One object keyed by section; each record on its own line, every field present."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{")
        for i, section in enumerate(_sections(package)):
            fh.write(("," if i else "") + f"\n{json.dumps(section)}: [")
            names = written_names(section, package[section])
            for j, record in enumerate(package[section]):
                line = json.dumps({n: _json_value(record.get(n)) for n in names}, ensure_ascii=False)
                fh.write(("," if j else "") + "\n  " + line)
            fh.write("\n]" if package[section] else "]")
        fh.write("\n}\n")


def _cell_text(value):
    """A value as CSV text: numbers, booleans and dates as such (a negative number stays a
    number), text guarded so that no spreadsheet runs it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return guard_csv_text(";".join(str(v) for v in value))
    return guard_csv_text(str(value))


def write_csv_folder(package: dict, path):
    """A folder with one `<section>.csv` per section: UTF-8 with a BOM and CRLF, as Excel writes."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for section in _sections(package):
        names = written_names(section, package[section])
        with open(folder / f"{section}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(names)
            for record in package[section]:
                writer.writerow([_cell_text(record.get(n)) for n in names])


def write_xlsx(package: dict, path):
    """A workbook with one sheet per section: header row, then typed cells (text cells for codes
    and refs, number cells, boolean cells, date cells formatted yyyy-mm-dd), streamed by
    :class:`matchmaker.infra.xlsx.StreamingWorkbook` (openpyxl's cell objects cost about a
    millisecond a row)."""
    with StreamingWorkbook(path) as wb:
        for section in _sections(package):
            names = written_names(section, package[section])
            wb.sheet(section, names, ([record.get(n) for n in names] for record in package[section]))
