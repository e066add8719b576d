"""CSV files: a folder of them, one file, or a .zip of them (the web upload of a folder), each
file a section named after it; UTF-8 with or without a BOM, GB18030 as a fallback.

Lines and fields are bounded as they are read; a quoted line break stays inside its record.
"""
import csv
import io
import zipfile
import os
from pathlib import Path
from typing import BinaryIO

from matchmaker.infra.spreadsheets import unguard_csv_text
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import MAX_SHEETS, Budget, CellStop, Stop, long_message
from matchmaker.packages.readers.sources import Source
from matchmaker.packages.readers.tables import RawPackage, add_table
from matchmaker.packages.schema import SECTION_ORDER

__all__ = ["add_csv", "read_csv_folder", "read_zip"]

class _LineTooLong(Exception):
    pass


def add_csv(package: RawPackage, section: str, source: Source) -> None:
    """One CSV file: UTF-8 with or without a BOM; GB18030 (what Chinese Excel writes as 'CSV') as a fallback."""
    problems, cells, spent = len(package.problems), source.budget.cells, source.budget.bytes
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with source.open() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
                add_table(package, section, _csv_rows(text, source.budget.limits, source.budget))
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
            raise CellStop(row + 1, None, f"a line is longer than {limits.line_chars:,} characters "
                           "(IMPORT_MAX_LINE_CHARS) (行过长)") from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                column = _long_field("".join(record_lines), limits.field_chars)
                raise CellStop(row + 1, column, long_message(limits.field_chars)) from None
            raise CellStop(row + 1, None, f"not readable as CSV: {exc} (无法读取的CSV)") from None
        if values is None:
            return
        row += 1
        if row > limits.rows:
            raise CellStop(row, None, f"past the last row a table may have, {limits.rows:,} "
                           "(IMPORT_MAX_ROWS) (超出最大行数)")
        if len(values) > limits.columns:
            raise CellStop(row, None, f"more than {limits.columns:,} columns (IMPORT_MAX_COLUMNS) "
                           "(超出最大列数)")
        try:
            budget.cell(len(values))
        except CellStop as exc:
            raise CellStop(row, None, exc.message) from None
        cells = {}
        for i, value in enumerate(values):
            if len(value) > limits.field_chars:
                raise CellStop(row, i, long_message(limits.field_chars))
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


def read_csv_folder(path: str | os.PathLike, budget: Budget) -> RawPackage:
    """A folder of CSV files named after their sections (`firms.csv`, ...)."""
    package = RawPackage("csv")
    files = [e for e in sorted(Path(path).iterdir()) if e.is_file() and e.suffix.lower() == ".csv"]
    _check_file_count(len(files))
    for entry in files:
        add_csv(package, entry.stem, Source(entry, entry.name, budget))
    return package


def _check_file_count(n):
    if n > MAX_SHEETS:
        raise Stop(Problem("package", 1, "-", f"more than {MAX_SHEETS} CSV files; a package has "
                           f"{len(SECTION_ORDER)} sections (文件过多)"))


def read_zip(source: str | os.PathLike | BinaryIO, budget: Budget) -> RawPackage:
    """A .zip of CSV files (the web upload of a CSV folder); one folder level is allowed."""
    package = RawPackage("csv")
    try:
        with zipfile.ZipFile(source) as archive:
            members = [i for i in sorted(archive.infolist(), key=lambda i: i.filename)
                       if not (i.is_dir() or i.filename.startswith("__MACOSX/") or not i.filename.lower().endswith(".csv"))]
            _check_file_count(len(members))
            for info in members:
                add_csv(package, Path(info.filename).stem, Source(None, info.filename, budget, archive, info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        # A member whose data is not what its header says stops at its declared size with a bad CRC.
        raise Stop(Problem("package", 1, "-", f"not a readable .zip file: {exc} (无法读取的压缩包)")) from None
    return package
