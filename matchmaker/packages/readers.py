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
    try:
        with zipfile.ZipFile(source) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                name = info.filename
                if info.is_dir() or name.startswith("__MACOSX/") or not name.lower().endswith(".csv"):
                    continue
                _add_csv(package, Path(name).stem, archive.read(info))
    except zipfile.BadZipFile as exc:
        package.problems.append(Problem("package", 1, "-", f"not a readable .zip file: {exc} (无法读取的压缩包)"))
    return package


def read_xlsx(source) -> RawPackage:
    """An .xlsx workbook, one sheet per section; empty sheets (Excel's 'Sheet1') are ignored.

    A streaming reader of the sheet XML does the work (openpyxl's per-cell objects make it
    several times slower on large sheets); a workbook it does not understand is read with
    openpyxl (read-only, cached values) instead.
    """
    try:
        package = RawPackage("xlsx")
        for title, rows in _fast_xlsx_sheets(source):
            _add_sheet(package, title, rows)
        return package
    except Exception:  # not a layout the streaming reader knows: let openpyxl read it
        if hasattr(source, "seek"):
            source.seek(0)
        return _read_xlsx_openpyxl(source)


def _add_sheet(package, title, rows):
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    if all(_blank(v) for v in first):
        rest = list(rows)
        if all(all(_blank(v) for v in r) for r in rest):
            return
        rows = iter(rest)
    _add_table(package, title, _chain(first, rows))


def _read_xlsx_openpyxl(source) -> RawPackage:
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
            _add_sheet(package, sheet.title, sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    return package


def _chain(first, rows):
    yield list(first)
    for row in rows:
        yield row


# --- streaming xlsx -----------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates: the standard ones and the East Asian ones (27-36, 50-58).
_DATE_FORMAT_IDS = frozenset([*range(14, 18), 22, *range(27, 37), *range(50, 59)])


def _fast_xlsx_sheets(source):
    """Yield (sheet title, rows as lists of values) from the workbook's XML, streaming."""
    import posixpath
    from xml.etree.ElementTree import fromstring

    with zipfile.ZipFile(source) as archive:
        names = set(archive.namelist())
        workbook = fromstring(archive.read("xl/workbook.xml"))
        if workbook.tag != _MAIN + "workbook":
            raise ValueError("not a transitional SpreadsheetML workbook")
        pr = workbook.find(_MAIN + "workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {}
        for rel in rels.iter(_PKG_REL + "Relationship"):
            target = rel.get("Target")
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = target
        shared = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
        date_styles = _date_styles(archive) if "xl/styles.xml" in names else frozenset()
        for sheet in workbook.iter(_MAIN + "sheet"):
            path = targets[sheet.get(_REL + "id")]
            with archive.open(path) as fh:
                yield sheet.get("name"), list(_sheet_rows(fh, shared, date_styles, date1904))


def _text_of(element):
    """The text of a string item: its <t>, or its rich-text runs' <t>s (phonetic runs left out)."""
    t = element.find(_MAIN + "t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(_MAIN + "t") or "" for r in element.iter(_MAIN + "r"))


def _shared_strings(archive):
    from xml.etree.ElementTree import iterparse

    strings = []
    with archive.open("xl/sharedStrings.xml") as fh:
        for _, element in iterparse(fh):
            if element.tag == _MAIN + "si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _date_styles(archive):
    """Indexes of the cell styles whose number format is a date."""
    from xml.etree.ElementTree import fromstring

    from openpyxl.styles.numbers import is_date_format

    styles = fromstring(archive.read("xl/styles.xml"))
    custom = {}
    formats = styles.find(_MAIN + "numFmts")
    if formats is not None:
        for fmt in formats.iter(_MAIN + "numFmt"):
            custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or ""
    xfs = styles.find(_MAIN + "cellXfs")
    dates = set()
    if xfs is not None:
        for index, xf in enumerate(xfs.iter(_MAIN + "xf")):
            fid = int(xf.get("numFmtId", 0))
            if fid in custom:
                if is_date_format(custom[fid]):
                    dates.add(index)
            elif fid in _DATE_FORMAT_IDS:
                dates.add(index)
    return frozenset(dates)


def _column_index(ref):
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _sheet_rows(fh, shared, date_styles, date1904):
    """Rows of one sheet, numbered from 1 with empty rows filling the gaps."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    row_tag, cell_tag, value_tag, inline_tag = _MAIN + "row", _MAIN + "c", _MAIN + "v", _MAIN + "is"
    expected = 1
    for _, element in iterparse(fh):
        if element.tag != row_tag:
            continue
        number = int(element.get("r") or expected)
        while expected < number:
            yield []
            expected += 1
        values = []
        for cell in element.iter(cell_tag):
            ref = cell.get("r")
            if ref:
                column = _column_index(ref)
                if column > len(values):
                    values.extend([None] * (column - len(values)))
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                inline = cell.find(inline_tag)
                value = _text_of(inline) if inline is not None else None
            else:
                text = cell.findtext(value_tag)
                if text is None:
                    value = None
                elif kind == "s":
                    value = shared[int(text)]
                elif kind == "b":
                    value = text.strip() in ("1", "true")
                elif kind in ("str", "e", "d"):
                    value = text  # a formula's text, an error such as #N/A, an ISO date
                else:
                    value = float(text)
                    if value.is_integer() and "." not in text and "E" not in text.upper():
                        value = int(text)
                    if date_styles and int(cell.get("s", 0)) in date_styles:
                        value = from_excel(value, epoch)
            values.append(value)
        element.clear()
        expected = number + 1
        yield values
