"""Read a data package from its three containers into one uniform shape.

A `RawPackage` holds, for each section, a list of ``(row, {field: raw value})`` with rows
counted as a spreadsheet user counts them: the header is row 1 and the first record row 2; a
CSV record with a quoted line break is still one row; the n-th JSON record is row n + 1.
Raw values are what the container holds (text from CSV; text, numbers, booleans and dates
from xlsx; any JSON value from JSON); `matchmaker.packages.validate` coerces them.

Reading already reports what only the container can tell: unknown sections (files, sheets,
keys), unknown or repeated columns (at row 1), a required column missing from a header.
"""
import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from matchmaker.packages.problems import PackageInvalid, Problem
from matchmaker.packages.schema import FIELD_NAMES, SECTION_ORDER

TABULAR = ("csv", "xlsx")


@dataclass
class RawPackage:
    """Records as read, before coercion; `container` is 'json', 'csv' or 'xlsx'."""

    container: str
    sections: dict = field(default_factory=dict)
    #: Section -> the columns its header has (CSV and xlsx only).
    columns: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def __len__(self):
        return sum(len(records) for records in self.sections.values())


def container_of(name) -> str:
    """'json', 'xlsx', 'zip' or 'csv' (a folder of CSV files), from a path or file name."""
    name = str(name)
    lower = name.lower()
    for ext in ("json", "xlsx", "zip"):
        if lower.endswith("." + ext):
            return ext
    if lower.endswith(".csv"):
        return "csv-file"
    if os.path.isdir(name):
        return "csv"
    raise PackageInvalid([Problem("package", 1, "-", f"cannot tell the format of {name}: use .json, .xlsx, "
                                  "a folder of .csv files or a .zip of them (无法识别的文件格式)")])


def read_package(source, filename=None) -> RawPackage:
    """Read a package from a path (file or CSV folder), or from a file object named `filename`."""
    name = filename if filename is not None else source
    kind = container_of(name)
    if kind == "json":
        return read_json(source)
    if kind == "xlsx":
        return read_xlsx(source)
    if kind == "zip":
        return read_zip(source)
    if kind == "csv-file":
        raw = _read_bytes(source)
        package = RawPackage("csv")
        _add_csv(package, Path(str(name)).stem, raw)
        return package
    return read_csv_folder(source)


def _read_bytes(source) -> bytes:
    if hasattr(source, "read"):
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    with open(source, "rb") as fh:
        return fh.read()


# --- JSON -------------------------------------------------------------------------------------

def read_json(source) -> RawPackage:
    """A JSON object whose keys are sections, each a list of records (objects)."""
    package = RawPackage("json")
    try:
        data = json.loads(_read_bytes(source).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        package.problems.append(Problem("package", 1, "-", f"not valid JSON: {exc} (不是有效的JSON)"))
        return package
    if not isinstance(data, dict):
        package.problems.append(Problem("package", 1, "-", "must be a JSON object whose keys are sections "
                                        "(应为以表名为键的JSON对象)"))
        return package
    for section, records in data.items():
        if section not in FIELD_NAMES:
            package.problems.append(_unknown_section(section))
            continue
        if not isinstance(records, list):
            package.problems.append(Problem(section, 1, "-", "must be a list of records (应为记录列表)"))
            continue
        rows = []
        for n, record in enumerate(records, start=2):
            if not isinstance(record, dict):
                package.problems.append(Problem(section, n, "-", "a record must be an object (记录应为对象)"))
                continue
            rows.append((n, record))
        package.sections[section] = rows
    return package


def _unknown_section(section):
    return Problem(str(section), 1, "-", "unknown section; sections are " + ", ".join(SECTION_ORDER)
                   + " (未知的表)")


# --- tables (CSV, xlsx) -------------------------------------------------------------------------

def _add_table(package: RawPackage, section: str, rows):
    """Add one table: `rows` yields lists of cell values, the header first."""
    section = section.strip().lower()
    if section not in FIELD_NAMES:
        package.problems.append(_unknown_section(section))
        return
    if section in package.sections:
        package.problems.append(Problem(section, 1, "-", "section given twice (表重复)"))
        return
    known = FIELD_NAMES[section]
    rows = iter(rows)
    header = next(rows, None) or []
    columns = []  # (index, field name) of the known, first-seen columns
    seen = set()
    dropped = []  # indexes of columns whose header is empty: must stay empty
    for i, cell in enumerate(header):
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            dropped.append(i)
        elif name not in known:
            package.problems.append(Problem(section, 1, name, "unknown column (未知的列)"))
        elif name in seen:
            package.problems.append(Problem(section, 1, name, "column given twice (列重复)"))
        else:
            seen.add(name)
            columns.append((i, name))
    package.columns[section] = seen
    records = []
    blank_column_reported = False
    for row, values in enumerate(rows, start=2):
        if not values or all(_blank(v) for v in values):
            continue
        width = len(values)
        record = {name: values[i] for i, name in columns if i < width}
        if not blank_column_reported and any(i < width and not _blank(values[i]) for i in dropped):
            blank_column_reported = True
            package.problems.append(Problem(section, 1, "-", "a column with values has no name in the header "
                                            "(有数据的列缺少列名)"))
        if width > len(header) and any(not _blank(v) for v in values[len(header):]):
            if not blank_column_reported:
                blank_column_reported = True
                package.problems.append(Problem(section, 1, "-", "a column with values has no name in the "
                                                "header (有数据的列缺少列名)"))
        records.append((row, record))
    package.sections[section] = records


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decode(raw: bytes) -> str:
    """UTF-8 with or without a BOM; GB18030 (what Chinese Excel writes as 'CSV') as a fallback."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _add_csv(package: RawPackage, section: str, raw: bytes):
    try:
        text = _decode(raw)
    except UnicodeDecodeError:
        package.problems.append(Problem(section, 1, "-", "not UTF-8 text (不是UTF-8文本)"))
        return
    # newline="" keeps line breaks inside quoted cells; the csv module counts a record once.
    _add_table(package, section, csv.reader(io.StringIO(text, newline="")))


def read_csv_folder(path) -> RawPackage:
    """A folder of CSV files named after their sections (`firms.csv`, ...)."""
    package = RawPackage("csv")
    for entry in sorted(Path(path).iterdir()):
        if entry.is_file() and entry.suffix.lower() == ".csv":
            _add_csv(package, entry.stem, entry.read_bytes())
    return package


def read_zip(source) -> RawPackage:
    """A .zip of CSV files (the web upload of a CSV folder); one folder level is allowed."""
    package = RawPackage("csv")
    with zipfile.ZipFile(source) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/") or not name.lower().endswith(".csv"):
                continue
            _add_csv(package, Path(name).stem, archive.read(info))
    return package


def read_xlsx(source) -> RawPackage:
    """An .xlsx workbook, one sheet per section; empty sheets (Excel's 'Sheet1') are ignored."""
    from openpyxl import load_workbook

    package = RawPackage("xlsx")
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        package.problems.append(Problem("package", 1, "-", f"not a readable .xlsx workbook: {exc} "
                                        "(无法读取的工作簿)"))
        return package
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # some writers store a wrong dimension; read every row
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                continue
            if all(_blank(v) for v in first):
                rest = [r for r in rows]
                if all(all(_blank(v) for v in r) for r in rest):
                    continue
                rows = iter(rest)
            _add_table(package, sheet.title, _chain(first, rows))
    finally:
        workbook.close()
    return package


def _chain(first, rows):
    yield list(first)
    for row in rows:
        yield row
