"""Write a data package in its three containers.

The package is ``{section: [record]}`` with python values (text, numbers, booleans, dates,
lists, None). JSON gets one record per line; CSV is written as Excel writes it (UTF-8 with a
BOM, CRLF line ends, `;`-separated lists); xlsx has one sheet per section with the header row,
typed cells (numbers, booleans, dates) and text cells for codes.
"""
import csv
import json
import os
from datetime import date, datetime
from pathlib import Path

from matchmaker.packages.schema import FIELD_NAMES, SECTION_ORDER


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


def _number_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


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
            names = FIELD_NAMES[section]
            for j, record in enumerate(package[section]):
                line = json.dumps({n: _json_value(record.get(n)) for n in names}, ensure_ascii=False)
                fh.write(("," if j else "") + "\n  " + line)
            fh.write("\n]" if package[section] else "]")
        fh.write("\n}\n")


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


def write_csv_folder(package: dict, path):
    """A folder with one `<section>.csv` per section: UTF-8 with a BOM and CRLF, as Excel writes."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for section in _sections(package):
        names = FIELD_NAMES[section]
        with open(folder / f"{section}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(names)
            for record in package[section]:
                writer.writerow([_cell_text(record.get(n)) for n in names])


def write_xlsx(package: dict, path):
    """A workbook with one sheet per section: header row, then typed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for section in _sections(package):
        sheet = workbook.create_sheet(title=section)
        names = FIELD_NAMES[section]
        sheet.append(list(names))
        for record in package[section]:
            row = []
            for n in names:
                value = record.get(n)
                if isinstance(value, (list, tuple)):
                    value = ";".join(str(v) for v in value)
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text, even when it starts with '=' (never a formula)
                    row.append(cell)
                elif isinstance(value, date) and not isinstance(value, datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    row.append(cell)
                else:
                    row.append(value)
            sheet.append(row)
    workbook.save(path)
