"""Read a data package from its three containers into one uniform shape.

A `RawPackage` holds, for each section, a list of ``(row, {field: raw value})`` with rows
counted as a spreadsheet user counts them: the header is row 1 and the first record row 2; a
CSV record with a quoted line break is still one row; the n-th JSON record is row n + 1.
Raw values are what the container holds (text from CSV; text, numbers, booleans and dates
from xlsx; any JSON value from JSON); `matchmaker.packages.validate` coerces them.

Reading already reports what only the container can tell: unknown sections (files, sheets,
keys), unknown or repeated columns (at row 1), a required column missing from a header.

Reading is bounded (`Limits`): every part is read through a size-capped stream (a zip member
also by its declared size, which `zipfile` never exceeds), sheet XML is parsed as a stream,
and rows, columns, cells, text lengths and JSON nesting are checked as they are met. The first
limit hit stops reading at once: `PackageInvalid` names the part, or the section, row and
field, and nothing else reads the file afterwards (there is no second, more lenient reader).
"""
import csv
import gc
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field, fields
from itertools import accumulate, repeat
from operator import sub
from pathlib import Path

from matchmaker.infra.spreadsheets import unguard_csv_text
from matchmaker.packages.problems import PackageInvalid, Problem
from matchmaker.packages.schema import FIELD_NAMES, SECTION_ORDER

TABULAR = ("csv", "xlsx")

#: Excel's own limits: rows and columns of a sheet, characters in a cell.
EXCEL_ROWS, EXCEL_COLUMNS, EXCEL_CELL_CHARS = 1_048_576, 16_384, 32_767
_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What reading one package may cost at most. The defaults (documented in
    docs/data-packages.md, configured by `MATCHMAKER_IMPORT_MAX_*`) hold about three times the
    110,000-record benchmark package and keep one import's reading under about 1 GiB."""

    rows: int = EXCEL_ROWS  # last row of a sheet or CSV file (the header is row 1); JSON: records + 1
    columns: int = EXCEL_COLUMNS  # columns of a row
    cells: int = 3_000_000  # cells read in the whole package (xlsx cells, CSV fields, JSON values)
    part_bytes: int = 256 * _MIB  # decompressed size of one part (sheet, shared strings, CSV or JSON file)
    total_bytes: int = 512 * _MIB  # decompressed size of everything read
    field_chars: int = EXCEL_CELL_CHARS  # characters of one value
    line_chars: int = _MIB  # characters of one CSV line
    json_depth: int = 20  # nesting of JSON arrays and objects (a package needs 4)

    #: Config key of each limit (sizes in MiB in the config).
    CONFIG = {"rows": "IMPORT_MAX_ROWS", "columns": "IMPORT_MAX_COLUMNS", "cells": "IMPORT_MAX_CELLS",
              "part_bytes": "IMPORT_MAX_PART_MB", "total_bytes": "IMPORT_MAX_TOTAL_MB",
              "field_chars": "IMPORT_MAX_FIELD_CHARS", "line_chars": "IMPORT_MAX_LINE_CHARS",
              "json_depth": "IMPORT_MAX_JSON_DEPTH"}

    @classmethod
    def from_config(cls, config) -> "Limits":
        """The limits a config mapping sets (missing or empty keys keep their defaults). Rows,
        columns and value length can be lowered, never raised past Excel's limits."""
        values = {}
        for f in fields(cls):
            key = cls.CONFIG[f.name]
            if config.get(key) in (None, ""):
                continue
            number = int(config[key])
            if number < 1:
                raise ValueError(f"{key} must be a positive whole number")
            values[f.name] = number * _MIB if f.name.endswith("_bytes") else number
        for name, excel in (("rows", EXCEL_ROWS), ("columns", EXCEL_COLUMNS), ("field_chars", EXCEL_CELL_CHARS)):
            values[name] = min(values.get(name, excel), excel)
        return cls(**values)


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


def read_package(source, filename=None, limits=None) -> RawPackage:
    """Read a package from a path (file or CSV folder), or from a file object named `filename`.

    Raises `PackageInvalid` with one problem when a `Limits` cap is hit (see the module's doc).
    """
    name = filename if filename is not None else source
    kind = container_of(name)
    budget = _Budget(limits or Limits())
    collecting = gc.isenabled()
    # Reading makes millions of short-lived acyclic objects (cells, rows, records), which the
    # cyclic collector would walk again and again (about two thirds of the time of a large sheet).
    gc.disable()
    try:
        if kind == "json":
            return _read_json(source, budget=budget)
        if kind == "xlsx":
            return _read_xlsx(source, budget=budget)
        if kind == "zip":
            return _read_zip(source, budget=budget)
        if kind == "csv-file":
            package = RawPackage("csv")
            _add_csv(package, Path(str(name)).stem, _Source(source, Path(str(name)).name, budget))
            return package
        return _read_csv_folder(source, budget=budget)
    except _Stop as stop:
        raise PackageInvalid([stop.problem]) from None
    finally:
        if collecting:
            gc.enable()


# --- limits -------------------------------------------------------------------------------------

class _Stop(Exception):
    """A limit was hit, or the file cannot be read: stop reading; `problem` says where and why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


class _CellStop(Exception):
    """A limit hit inside a table, before the section and field are known (filled in by `_add_table`);
    `field` is the column's name when the reader already knows the header."""

    def __init__(self, row, column, message):
        super().__init__(message)
        self.row, self.column, self.message, self.field = row, column, message, None


def _size(n):
    return f"{n / _MIB:,.0f} MiB" if n >= _MIB else f"{n:,} bytes"


class _Budget:
    """The limits of one read, and what has been spent of the package-wide ones."""

    def __init__(self, limits):
        self.limits = limits
        self.bytes = 0
        self.cells = 0

    def claim(self, part, declared):
        """Refuse a part whose declared (decompressed) size is past a limit, before reading it."""
        if declared > self.limits.part_bytes:
            raise _Stop(Problem("package", 1, "-", f"{part} expands to {_size(declared)}, more than the "
                                f"{_size(self.limits.part_bytes)} a part may hold (IMPORT_MAX_PART_MB) "
                                "(文件解压后过大)"))
        if self.bytes + declared > self.limits.total_bytes:
            self._total(part)

    def spend(self, part, n, so_far):
        self.bytes += n
        if so_far > self.limits.part_bytes:
            raise _Stop(Problem("package", 1, "-", f"{part} holds more than {_size(self.limits.part_bytes)} "
                                "(IMPORT_MAX_PART_MB) (文件解压后过大)"))
        if self.bytes > self.limits.total_bytes:
            self._total(part)

    def _total(self, part):
        raise _Stop(Problem("package", 1, "-", f"the package expands to more than "
                            f"{_size(self.limits.total_bytes)} (IMPORT_MAX_TOTAL_MB), at {part} (数据包解压后过大)"))

    def cell(self, n=1):
        """Count n cells; past the limit, raise `_CellStop` (the caller knows the row)."""
        self.cells += n
        if self.cells > self.limits.cells:
            raise _CellStop(None, None, f"the package has more than {self.limits.cells:,} cells "
                            "(IMPORT_MAX_CELLS) (单元格过多)")


class _Capped(io.RawIOBase):
    """A binary stream that stops (`_Stop`) once more than a part may hold has been read from it."""

    def __init__(self, raw, part, budget):
        super().__init__()
        self._raw, self._part, self._budget, self._read = raw, part, budget, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._read += n
        self._budget.spend(self._part, n, self._read)
        return n

    def close(self):
        try:
            self._raw.close()
        finally:
            super().close()


class _Source:
    """One file of a package (a path, a file object, or a zip member), opened as often as needed."""

    def __init__(self, source, part, budget, archive=None, info=None):
        self.source, self.part, self.budget, self.archive, self.info = source, part, budget, archive, info

    def open(self):
        """A size-capped binary stream of the part, from its beginning."""
        if self.archive is not None:
            info = self.info
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _Stop(Problem("package", 1, "-", f"{self.part} is compressed with an unsupported method "
                                    "(only stored or deflated members are read) (不支持的压缩方式)"))
            # zipfile never returns more than the declared size (it stops there, then checks the CRC).
            self.budget.claim(self.part, info.file_size)
            raw = self.archive.open(info)
        elif hasattr(self.source, "read"):
            if hasattr(self.source, "seek"):
                self.source.seek(0)
            raw = _Borrowed(self.source)
        else:
            self.budget.claim(self.part, os.path.getsize(self.source))
            raw = open(self.source, "rb")
        return io.BufferedReader(_Capped(raw, self.part, self.budget), 65536)

    def read(self):
        with self.open() as fh:
            return fh.read()


class _Borrowed:
    """A caller's file object: read through, but left open."""

    def __init__(self, fh):
        self.read = fh.read

    def close(self):
        pass


# --- JSON -------------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_PIECES = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"]+){1,4096}', re.S)  # whole strings and what is between
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


def _read_json(source, budget) -> RawPackage:
    """A JSON object whose keys are sections, each a list of records (objects)."""
    limits = budget.limits
    package = RawPackage("json")
    part = getattr(source, "name", None) or "the JSON file"
    part = os.path.basename(str(part))
    try:
        text = _Source(source, part, budget).read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        package.problems.append(Problem("package", 1, "-", f"not valid JSON: {exc} (不是有效的JSON)"))
        return package
    _check_json_shape(text, limits)
    try:
        data = json.loads(text)
    except RecursionError:  # not reached with the depth checked above; never a traceback
        raise _Stop(Problem("package", 1, "-", "JSON nested too deeply (JSON嵌套过深)")) from None
    except ValueError as exc:
        package.problems.append(Problem("package", 1, "-", f"not valid JSON: {exc} (不是有效的JSON)"))
        return package
    del text
    if not isinstance(data, dict):
        package.problems.append(Problem("package", 1, "-", "must be a JSON object whose keys are sections "
                                        "(应为以表名为键的JSON对象)"))
        return package
    for section, records in data.items():
        if section not in FIELD_NAMES:
            package.problems.append(_unknown_section(section))
            continue
        if not isinstance(records, list):
            package.problems.append(Problem(section, 1, "-", "must be a list of records (应为列表)"))
            continue
        if len(records) + 1 > limits.rows:
            raise _Stop(Problem(section, limits.rows + 1, "-", f"more than {limits.rows - 1:,} records "
                                "(IMPORT_MAX_ROWS) (记录过多)"))
        rows = []
        for n, record in enumerate(records, start=2):
            if not isinstance(record, dict):
                package.problems.append(Problem(section, n, "-", "a record must be an object (记录应为对象)"))
                continue
            for key, value in record.items():
                if len(key) > 64:  # no field name is that long; keep it out of the messages
                    raise _Stop(Problem(section, n, key[:64] + "…", "not a field name (字段名无效)"))
                if _too_long(value, limits.field_chars):
                    raise _Stop(Problem(section, n, str(key)[:64], _long_message(limits.field_chars)))
            rows.append((n, record))
        package.sections[section] = rows
    return package


def _check_json_shape(text, limits):
    """Refuse, before parsing, JSON nested deeper than the limit or holding more values than cells.

    The text is taken a few thousand tokens (whole strings, or runs between them) at a time, so
    this costs memory in proportion to one such piece, not to the number of strings."""
    depth = deepest = colons = commas = 0
    for piece in _JSON_PIECES.finditer(text):
        skeleton = _JSON_STRING.sub("", piece.group())
        colons, commas = colons + skeleton.count(":"), commas + skeleton.count(",")
        if max(colons, commas) > limits.cells:
            raise _Stop(Problem("package", 1, "-", f"the JSON holds more than {limits.cells:,} values "
                                "(IMPORT_MAX_CELLS) (数据过多)"))
        steps = _NOT_BRACKET.sub("", skeleton).translate(_DEPTH_STEP).encode("latin-1")
        if steps:
            deepest = max(deepest, max(accumulate(map(sub, steps, repeat(1)), initial=depth)))
            depth += steps.count(2) - steps.count(0)
    if deepest > limits.json_depth:
        raise _Stop(Problem("package", 1, "-", f"the JSON is nested {deepest:,} levels deep; at most "
                            f"{limits.json_depth} are read (a package needs 4) (IMPORT_MAX_JSON_DEPTH) "
                            "(JSON嵌套过深)"))


def _too_long(value, limit):
    if isinstance(value, str):
        return len(value) > limit
    if isinstance(value, list):
        return any(isinstance(v, str) and len(v) > limit for v in value)
    return False


def _long_message(limit):
    return f"longer than {limit:,} characters (IMPORT_MAX_FIELD_CHARS) (内容过长)"


def _unknown_section(section):
    return Problem(str(section)[:64], 1, "-", "unknown section; sections are " + ", ".join(SECTION_ORDER)
                   + " (未知的表)")


# --- tables (CSV, xlsx) -------------------------------------------------------------------------

def _add_table(package: RawPackage, section: str, rows):
    """Add one table: `rows` yields (row number, {column index: value}), the header row first.

    A header is row 1; a table whose first row is later has none (every column is unnamed).
    """
    section = section.strip().lower()
    if section not in FIELD_NAMES:
        package.problems.append(_unknown_section(section))
        return
    if section in package.sections:
        package.problems.append(Problem(section, 1, "-", "section given twice (表重复)"))
        return
    known = FIELD_NAMES[section]
    rows = iter(rows)
    names = {}  # column index -> field name, for the messages of limits

    def stop(exc):
        column = "-" if exc.column is None else exc.field or names.get(exc.column) or _column_letters(exc.column)
        return _Stop(Problem(section, exc.row or 1, column, exc.message))

    try:
        first = next(rows, None)
        header = first[1] if first is not None and first[0] == 1 else {}
        if first is not None and first[0] != 1:
            rows = _chain(first, rows)
        columns = []  # (index, field name) of the known, first-seen columns
        seen = set()
        titled = set()  # indexes of the columns with a name: the others must stay empty
        for i in sorted(header):
            cell = header[i]
            name = "" if cell is None else str(cell).strip().lower()
            names[i] = name[:64] or _column_letters(i)
            if not name:
                continue
            titled.add(i)
            if name not in known:
                package.problems.append(Problem(section, 1, name[:64], "unknown column (未知的列)"))
            elif name in seen:
                package.problems.append(Problem(section, 1, name, "column given twice (列重复)"))
            else:
                seen.add(name)
                columns.append((i, name))
        package.columns[section] = seen
        records = []
        unnamed_reported = False
        for row, values in rows:
            if not values or all(_blank(v) for v in values.values()):
                continue
            width = max(values) + 1
            record = {name: values.get(i) for i, name in columns if i < width}
            if not unnamed_reported and any(i not in titled and not _blank(v) for i, v in values.items()):
                unnamed_reported = True
                package.problems.append(Problem(section, 1, "-", "a column with values has no name in the header "
                                                "(有数据的列缺少列名)"))
            records.append((row, record))
    except _CellStop as exc:
        raise stop(exc) from None
    package.sections[section] = records


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_letters(n):
    """'A' for column index 0, ... 'XFD' for 16383."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _chain(first, rows):
    yield first
    yield from rows


# --- CSV ----------------------------------------------------------------------------------------

class _LineTooLong(Exception):
    pass


def _add_csv(package: RawPackage, section: str, source: "_Source"):
    """One CSV file: UTF-8 with or without a BOM; GB18030 (what Chinese Excel writes as 'CSV') as a fallback."""
    problems, cells, spent = len(package.problems), source.budget.cells, source.budget.bytes
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with source.open() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
                _add_table(package, section, _csv_rows(text, source.budget.limits, source.budget))
            return
        except UnicodeDecodeError:
            # Read it again in the other encoding, as if the first attempt had not happened.
            del package.problems[problems:]
            package.sections.pop(section.strip().lower(), None)
            package.columns.pop(section.strip().lower(), None)
            source.budget.cells, source.budget.bytes = cells, spent
    package.problems.append(Problem(section, 1, "-", "not UTF-8 text (不是UTF-8文本)"))


def _csv_rows(text, limits, budget):
    """(row, {index: value}) of a CSV text stream; a quoted line break stays inside its record."""
    record_lines = []
    reader = csv.reader(_csv_lines(text, limits.line_chars, record_lines))
    row = 0
    while True:
        record_lines.clear()  # the reader asks for the lines of one record at a time
        try:
            values = next(reader, None)
        except _LineTooLong:
            raise _CellStop(row + 1, None, f"a line is longer than {limits.line_chars:,} characters "
                            "(IMPORT_MAX_LINE_CHARS) (行过长)") from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                column = _long_field("".join(record_lines), limits.field_chars)
                raise _CellStop(row + 1, column, _long_message(limits.field_chars)) from None
            raise _CellStop(row + 1, None, f"not readable as CSV: {exc} (无法读取的CSV)") from None
        if values is None:
            return
        row += 1
        if row > limits.rows:
            raise _CellStop(row, None, f"past the last row a table may have, {limits.rows:,} "
                            "(IMPORT_MAX_ROWS) (超出最大行数)")
        if len(values) > limits.columns:
            raise _CellStop(row, None, f"more than {limits.columns:,} columns (IMPORT_MAX_COLUMNS) "
                            "(超出最大列数)")
        try:
            budget.cell(len(values))
        except _CellStop as exc:
            raise _CellStop(row, None, exc.message) from None
        cells = {}
        for i, value in enumerate(values):
            if len(value) > limits.field_chars:
                raise _CellStop(row, i, _long_message(limits.field_chars))
            cells[i] = unguard_csv_text(value)
        yield row, cells


def _csv_lines(text, limit, record_lines):
    """The lines of `text`, each at most `limit` characters (without its line end); also kept in
    `record_lines` until the record they belong to is read."""
    readline = text.readline
    while True:
        line = readline(limit + 2)
        if not line:
            return
        if len(line) > limit and len(line.rstrip("\r\n")) > limit:
            raise _LineTooLong()
        record_lines.append(line)
        yield line


def _long_field(text, limit):
    """The index of the first field of a CSV record `text` longer than `limit` characters, or None."""
    column, length, quoted, i, n = 0, 0, False, 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    length += 1
                    i += 1
                else:
                    quoted = False
            else:
                length += 1
        elif ch == '"':
            quoted = True
        elif ch == ",":
            column, length = column + 1, 0
        else:
            length += 1
        if length > limit:
            return column
        i += 1
    return None


def _read_csv_folder(path, budget) -> RawPackage:
    """A folder of CSV files named after their sections (`firms.csv`, ...)."""
    package = RawPackage("csv")
    files = [e for e in sorted(Path(path).iterdir()) if e.is_file() and e.suffix.lower() == ".csv"]
    _check_file_count(len(files))
    for entry in files:
        _add_csv(package, entry.stem, _Source(entry, entry.name, budget))
    return package


def _check_file_count(n):
    if n > _MAX_SHEETS:
        raise _Stop(Problem("package", 1, "-", f"more than {_MAX_SHEETS} CSV files; a package has "
                            f"{len(SECTION_ORDER)} sections (文件过多)"))


def _read_zip(source, budget) -> RawPackage:
    """A .zip of CSV files (the web upload of a CSV folder); one folder level is allowed."""
    package = RawPackage("csv")
    try:
        with zipfile.ZipFile(source) as archive:
            members = [i for i in sorted(archive.infolist(), key=lambda i: i.filename)
                       if not (i.is_dir() or i.filename.startswith("__MACOSX/") or not i.filename.lower().endswith(".csv"))]
            _check_file_count(len(members))
            for info in members:
                _add_csv(package, Path(info.filename).stem, _Source(None, info.filename, budget, archive, info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        # A member whose data is not what its header says stops at its declared size with a bad CRC.
        raise _Stop(Problem("package", 1, "-", f"not a readable .zip file: {exc} (无法读取的压缩包)")) from None
    return package


# --- xlsx -----------------------------------------------------------------------------------------

# expat reports namespaced names as "namespace}local".
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _C, _V, _IS, _SI, _T, _RPH = (_MAIN + t for t in ("row", "c", "v", "is", "si", "t", "rPh"))
# Built-in number formats that are dates: the standard ones and the East Asian ones (27-36, 50-58).
_DATE_FORMAT_IDS = frozenset([*range(14, 18), 22, *range(27, 37), *range(50, 59)])
_MAX_SHEETS = 256  # a package has six sections; Excel's own default workbook has one sheet
_MAX_ENTRIES = 65_536  # relationships, number formats, cell styles (Excel allows 64,000 styles)
_MAX_XML_DEPTH = 64  # SpreadsheetML nests about six levels
_CHUNK = 65536


class _Malformed(Exception):
    """The workbook's XML is not what a spreadsheet program writes."""


def _read_xlsx(source, budget) -> RawPackage:
    """An .xlsx workbook, one sheet per section; empty sheets (Excel's 'Sheet1') are ignored.

    Streams the sheet XML through expat (openpyxl's per-cell objects make it several times
    slower on large sheets, and its reader has no limits); a workbook it cannot read is
    refused, never handed to another reader.
    """
    package = RawPackage("xlsx")
    try:
        with zipfile.ZipFile(source) as archive:
            for title, rows in _xlsx_sheets(archive, budget):
                _add_sheet(package, title, rows)
    except _CellStop as exc:  # a limit hit in a part that is not a sheet
        raise _Stop(Problem("package", 1, "-", exc.message)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, IndexError, TypeError, EOFError,
            NotImplementedError, RuntimeError, _Malformed) as exc:
        raise _Stop(Problem("package", 1, "-", f"not a readable .xlsx workbook: {type(exc).__name__}: "
                            f"{str(exc)[:200]} (无法读取的工作簿)")) from None
    return package


def _add_sheet(package, title, rows):
    """Add a sheet, unless it has no value at all (Excel's empty 'Sheet1')."""
    rows = iter(rows)
    try:
        for row in rows:
            if any(not _blank(v) for v in row[1].values()):
                break
        else:
            return
    except _CellStop as exc:
        column = "-" if exc.column is None else exc.field or _column_letters(exc.column)
        raise _Stop(Problem(title.strip().lower()[:64], exc.row or 1, column, exc.message)) from None
    pending = [row]
    if row[0] != 1:  # the header row is blank: the table starts without one
        pending.insert(0, (1, {}))
    _add_table(package, title, _chain_all(pending, rows))


def _chain_all(first, rows):
    yield from first
    yield from rows


def _part_path(base, target):
    import posixpath

    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_of(path):
    import posixpath

    return posixpath.join(posixpath.dirname(path), "_rels", posixpath.basename(path) + ".rels")


def _xlsx_sheets(archive, budget):
    """Yield (sheet title, rows) from the workbook's XML; each sheet's rows are read as a stream."""
    def part(name):
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise _Malformed(f"the part {name} is missing") from None
        return _Source(None, name, budget, archive, info)

    names = set(archive.namelist())
    workbook_path = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for kind, target, _ in _Relationships(part("_rels/.rels"), "").read():
            if kind == "officeDocument":
                workbook_path = target
    by_id, by_kind = {}, {}
    if _rels_of(workbook_path) in names:
        for kind, target, rid in _Relationships(part(_rels_of(workbook_path)), workbook_path).read():
            by_id[rid] = target
            by_kind.setdefault(kind, target)
    workbook = _Workbook(part(workbook_path)).read()
    shared_path = by_kind.get("sharedStrings", "xl/sharedStrings.xml")
    shared = _SharedStrings(part(shared_path)).read() if shared_path in names else []
    styles_path = by_kind.get("styles", "xl/styles.xml")
    date_styles = _Styles(part(styles_path)).read() if styles_path in names else frozenset()
    for title, rid in workbook.sheets:
        path = by_id.get(rid)
        if path is None:
            raise _Malformed(f"sheet {title!r} has no part")
        yield title, _Sheet(part(path), shared, date_styles, workbook.date1904).rows()


class _Part:
    """One XML part parsed as a stream by expat, its handlers the subclass's `start`, `end`
    and `text` methods.

    No document type (hence no entity) is accepted, nesting is bounded, and so is any one tag:
    the parser never holds more than a chunk and one tag's worth of the part. Handlers may raise
    to stop at once.
    """

    def __init__(self, source):
        self.source = source
        self.limits = source.budget.limits
        self.depth = 0

    def start(self, name, attrs):
        self.depth += 1
        if self.depth > _MAX_XML_DEPTH:
            self.too_deep()

    def end(self, name):
        self.depth -= 1

    def too_deep(self):
        raise _Malformed(f"{self.source.part} nests deeper than {_MAX_XML_DEPTH} levels")

    def text(self, data):
        pass

    def where(self):
        """(row, column) for a message about a limit hit while parsing."""
        return None, None

    def chunks(self):
        """Parse the part, yielding after each chunk."""
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        # The UTF-8 of the longest value, and its markup: no tag is longer in what spreadsheet programs write.
        longest = 4 * self.limits.field_chars + 4096
        fed = 0
        with self.source.open() as fh:
            while True:
                chunk = fh.read(_CHUNK)
                fed += len(chunk)
                try:
                    parser.Parse(chunk, not chunk)
                except expat.ExpatError as exc:
                    raise _Malformed(f"{self.source.part}: {exc}") from None
                yield
                if not chunk:
                    return
                if fed - max(parser.CurrentByteIndex, 0) > longest:  # one tag still unfinished
                    row, column = self.where()
                    raise _CellStop(row, column, f"{self.source.part} holds a tag longer than {_size(longest)} "
                                    "(IMPORT_MAX_FIELD_CHARS) (内容过长)")

    def _doctype(self, *args):
        raise _Malformed(f"{self.source.part} declares a document type or entity (SpreadsheetML has none)")

    def read(self):
        for _ in self.chunks():
            pass
        return self.result()


class _Relationships(_Part):
    """(type's last word, target path, id) of a relationships part."""

    def __init__(self, source, base):
        super().__init__(source)
        self.base, self.found = base, []

    def start(self, name, attrs):
        super().start(name, attrs)
        if name == _PKG_REL + "Relationship":
            if len(self.found) >= _MAX_ENTRIES:
                raise _Malformed(f"{self.source.part} lists more than {_MAX_ENTRIES:,} relationships")
            if attrs.get("TargetMode") != "External":
                kind = (attrs.get("Type") or "").rsplit("/", 1)[-1]
                self.found.append((kind, _part_path(self.base, attrs.get("Target") or ""), attrs.get("Id")))

    def result(self):
        return self.found


class _Workbook(_Part):
    """The sheets [(title, relationship id)] and the date system of the workbook part."""

    def __init__(self, source):
        super().__init__(source)
        self.sheets, self.date1904, self.root = [], False, None

    def start(self, name, attrs):
        super().start(name, attrs)
        if self.root is None:
            self.root = name
            if name != _MAIN + "workbook":
                raise _Malformed("not a transitional SpreadsheetML workbook")
        elif name == _MAIN + "sheet":
            if len(self.sheets) >= _MAX_SHEETS:
                raise _Malformed(f"the workbook has more than {_MAX_SHEETS} sheets")
            self.sheets.append((attrs.get("name") or "", attrs.get(_REL + "id")))
        elif name == _MAIN + "workbookPr":
            self.date1904 = attrs.get("date1904") in ("1", "true")

    def result(self):
        if self.root is None:
            raise _Malformed("the workbook part is empty")
        return self


class _Styles(_Part):
    """Indexes of the cell styles (cellXfs) whose number format is a date."""

    def __init__(self, source):
        super().__init__(source)
        self.custom, self.cell_xfs, self.in_cell_xfs = {}, [], False

    def start(self, name, attrs):
        super().start(name, attrs)
        if name == _MAIN + "numFmt":
            if len(self.custom) >= _MAX_ENTRIES:
                raise _Malformed(f"{self.source.part} has more than {_MAX_ENTRIES:,} number formats")
            self.custom[int(attrs.get("numFmtId"))] = (attrs.get("formatCode") or "")[:256]
        elif name == _MAIN + "cellXfs":
            self.in_cell_xfs = True
        elif name == _MAIN + "xf" and self.in_cell_xfs:
            if len(self.cell_xfs) >= _MAX_ENTRIES:
                raise _Malformed(f"{self.source.part} has more than {_MAX_ENTRIES:,} cell styles")
            self.cell_xfs.append(int(attrs.get("numFmtId", 0)))

    def end(self, name):
        super().end(name)
        if name == _MAIN + "cellXfs":
            self.in_cell_xfs = False

    def result(self):
        from openpyxl.styles.numbers import is_date_format

        dates = set()
        for index, fid in enumerate(self.cell_xfs):
            if fid in self.custom:
                if is_date_format(self.custom[fid]):
                    dates.add(index)
            elif fid in _DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)


class _SharedStrings(_Part):
    """The shared strings: each item's <t>, or its rich-text runs' <t>s (phonetic runs left out)."""

    def __init__(self, source):
        super().__init__(source)
        self.strings, self.pieces, self.size = [], None, 0
        self.collect, self.phonetic = False, False

    def start(self, name, attrs):
        self.depth += 1
        if self.depth > _MAX_XML_DEPTH:
            self.too_deep()
        if name == _SI:
            self.pieces, self.size = [], 0
        elif name == _T:
            self.collect = self.pieces is not None and not self.phonetic
        elif name == _RPH:
            self.phonetic = True

    def end(self, name):
        self.depth -= 1
        if name == _SI:
            if len(self.strings) >= self.limits.cells:
                raise _Stop(Problem("package", 1, "-", f"{self.source.part} holds more than {self.limits.cells:,} "
                                    "strings (IMPORT_MAX_CELLS) (共享字符串过多)"))
            self.strings.append("".join(self.pieces))
            self.pieces = None
        elif name == _T:
            self.collect = False
        elif name == _RPH:
            self.phonetic = False

    def text(self, data):
        if self.collect:
            self.pieces.append(data)
            self.size += len(data)
            if self.size > self.limits.field_chars:
                raise _Stop(Problem("package", 1, "-", f"{self.source.part} holds a string longer than "
                                    f"{self.limits.field_chars:,} characters (IMPORT_MAX_FIELD_CHARS) (内容过长)"))

    def result(self):
        return self.strings


class _Sheet(_Part):
    """The rows of one worksheet, (row number, {column index: value}) for each row with a cell,
    checked as they are met: row numbers increase and stay within the limit, cell references
    stay within the column limit, cells within the package's, text within the value length."""

    def __init__(self, source, shared, date_styles, date1904):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        super().__init__(source)
        self.shared, self.date_styles = shared, date_styles
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.budget = source.budget
        self.columns = {}  # letters -> column index, of the references met
        self.ready = []  # rows complete, not yet passed on
        self.last = 0  # the last row number
        self.number = None  # the row being read
        self.values = {}
        self.column = -1
        self.in_row = 0  # cells of the row being read
        self.cell = False  # inside a cell
        self.pieces, self.size, self.collect, self.phonetic = None, 0, False, False
        self.inline = None  # the pieces of the cell's inline string
        self.header = {}  # row 1, for the messages of limits hit before it is passed on

    def rows(self):
        try:
            for _ in self.chunks():
                if self.ready:
                    ready, self.ready = self.ready, []
                    yield from ready
        except _CellStop as exc:
            if exc.row is None:
                exc.row = self.number or self.last + 1
            name = self.header.get(exc.column) if exc.column is not None else None
            if isinstance(name, str) and name.strip():
                exc.field = name.strip().lower()[:64]
            raise

    def where(self):
        return self.number or self.last + 1, self.column if self.cell else None

    def start(self, name, attrs):
        self.depth += 1
        if self.depth > _MAX_XML_DEPTH:
            self.too_deep()
        if name == _C:
            self._start_cell(attrs)
        elif name == _V or name == _T:
            if self.cell and not self.phonetic and (name == _V or self.inline is not None):
                self.collect = True
                if self.pieces is None:
                    self.pieces, self.size = [], 0
        elif name == _ROW:
            self._start_row(attrs.get("r"))
        elif name == _IS:
            if self.cell:
                self.inline, self.pieces, self.size = True, [], 0
        elif name == _RPH:
            self.phonetic = True

    def _start_row(self, r):
        limits = self.limits
        if r is None:
            number = self.last + 1
        elif not r.isdigit() or len(r) > 12:
            raise _CellStop(self.last + 1, None, f"{r[:24]!r} is not a row number (行号无效)")
        else:
            number = int(r)
        if number > limits.rows:
            raise _CellStop(number, None, f"row {number:,} is past the last row a table may have, "
                            f"{limits.rows:,} (IMPORT_MAX_ROWS) (超出最大行数)")
        if number <= self.last:
            raise _CellStop(number, None, f"row {number:,} comes after row {self.last:,} (行号顺序错误)")
        self.number, self.values, self.column, self.in_row = number, {}, -1, 0

    def _start_cell(self, attrs):
        if self.number is None:
            raise _Malformed(f"{self.source.part}: a cell outside a row")
        limits = self.limits
        ref = attrs.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            column = self.columns.get(letters)
            if column is None:
                column = self._column_of(letters)
        else:
            column = self.column + 1
        self.in_row += 1
        if self.in_row > limits.columns or column >= limits.columns:
            raise _CellStop(self.number, None, f"more than {limits.columns:,} columns (IMPORT_MAX_COLUMNS) "
                            "(超出最大列数)")
        budget = self.budget
        budget.cells += 1
        if budget.cells > limits.cells:
            raise _CellStop(self.number, None, f"the package has more than {limits.cells:,} cells "
                            "(IMPORT_MAX_CELLS) (单元格过多)")
        self.column, self.cell = column, True
        self.kind, self.style = attrs.get("t", "n"), attrs.get("s")
        self.pieces, self.inline = None, None

    def _column_of(self, letters):
        """The column index of a cell reference's letters ('A' is 0), remembered; past the limit
        (or not letters), a `_CellStop`."""
        limit, n = self.limits.columns, 0
        for ch in letters:
            if not "A" <= ch <= "Z":
                raise _CellStop(self.number, None, f"{letters[:24]!r} is not a cell reference (单元格引用无效)")
            n = n * 26 + ord(ch) - 64
            if n > limit:
                raise _CellStop(self.number, None, f"cell {letters[:24]}{self.number} is past the last column a "
                                f"table may have, {_column_letters(limit - 1)} ({limit:,}) (IMPORT_MAX_COLUMNS) "
                                "(超出最大列数)")
        if n == 0:
            raise _CellStop(self.number, None, "a cell reference without a column (单元格引用无效)")
        self.columns[letters] = n - 1
        return n - 1

    def text(self, data):
        if self.collect:
            self.pieces.append(data)
            self.size += len(data)
            if self.size > self.limits.field_chars:
                raise _CellStop(self.number, self.column, _long_message(self.limits.field_chars))

    def end(self, name):
        self.depth -= 1
        if name == _C:
            self.cell = False
            self.values[self.column] = self._value()
        elif name == _V or name == _T:
            self.collect = False
        elif name == _ROW:
            if self.number == 1:
                self.header = self.values
            if self.values:
                self.ready.append((self.number, self.values))
            self.last, self.number = self.number, None
        elif name == _RPH:
            self.phonetic = False

    def _value(self):
        kind, pieces = self.kind, self.pieces
        if kind == "inlineStr":
            return None if self.inline is None else "".join(pieces)
        if pieces is None or self.inline is not None:
            return None
        text = "".join(pieces)
        if kind == "s":
            index = int(text)
            if index < 0:
                raise IndexError(f"shared string {index}")
            return self.shared[index]
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind in ("str", "e", "d"):
            return text  # a formula's text, an error such as #N/A, an ISO date
        value = _number(text, self.number, self.column)
        if self.date_styles and int(self.style or 0) in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(value, self.epoch)
            except (ValueError, OverflowError, TypeError):
                raise _CellStop(self.number, self.column, f"{text[:24]} is not a date (不是有效日期)") from None
        return value


def _number(text, row, column):
    """A number cell's value: an int when it is a whole number that a float holds exactly."""
    try:
        value = float(text)
    except ValueError:
        raise _CellStop(row, column, f"{text[:24]!r} is not a number (不是数字)") from None
    if value.is_integer() and abs(value) < 2 ** 53 and "." not in text and "E" not in text.upper():
        return int(value)
    return value
