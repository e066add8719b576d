"""The .xlsx container: a workbook, one sheet per section, read by streaming its XML through
expat (see `xml_parts` and `xlsx_sheet`); empty sheets (Excel's 'Sheet1') are ignored.
"""
import os
import posixpath
import zipfile
from itertools import chain
from typing import BinaryIO

from matchmaker.infra.spreadsheets import column_letters
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import Budget, CellStop, Stop
from matchmaker.packages.readers.sources import Source
from matchmaker.packages.readers.tables import RawPackage, add_table, blank
from matchmaker.packages.readers.xlsx_sheet import SharedStrings, Sheet
from matchmaker.packages.readers.xml_parts import Malformed, Relationships, Styles, Workbook

__all__ = ["read_xlsx"]


def read_xlsx(source: str | os.PathLike | BinaryIO, budget: Budget) -> RawPackage:
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
    except CellStop as exc:  # a limit hit in a part that is not a sheet
        raise Stop(Problem("package", 1, "-", exc.message)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, IndexError, TypeError, EOFError,
            NotImplementedError, RuntimeError, Malformed) as exc:
        raise Stop(Problem("package", 1, "-", f"not a readable .xlsx workbook: {type(exc).__name__}: "
                           f"{str(exc)[:200]} (无法读取的工作簿)")) from None
    return package


def _add_sheet(package, title, rows):
    """Add a sheet, unless it has no value at all (Excel's empty 'Sheet1')."""
    rows = iter(rows)
    try:
        for row in rows:
            if any(not blank(v) for v in row[1].values()):
                break
        else:
            return
    except CellStop as exc:
        column = "-" if exc.column is None else exc.field or column_letters(exc.column)
        raise Stop(Problem(title.strip().lower()[:64], exc.row or 1, column, exc.message)) from None
    pending = [row]
    if row[0] != 1:  # the header row is blank: the table starts without one
        pending.insert(0, (1, {}))
    add_table(package, title, chain(pending, rows))


def _rels_of(path):
    return posixpath.join(posixpath.dirname(path), "_rels", posixpath.basename(path) + ".rels")


def _xlsx_sheets(archive, budget):
    """Yield (sheet title, rows) from the workbook's XML; each sheet's rows are read as a stream."""
    def part(name):
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise Malformed(f"the part {name} is missing") from None
        return Source(None, name, budget, archive, info)

    names = set(archive.namelist())
    workbook_path = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for kind, target, _ in Relationships(part("_rels/.rels"), "").read():
            if kind == "officeDocument":
                workbook_path = target
    by_id, by_kind = {}, {}
    if _rels_of(workbook_path) in names:
        for kind, target, rid in Relationships(part(_rels_of(workbook_path)), workbook_path).read():
            by_id[rid] = target
            by_kind.setdefault(kind, target)
    workbook = Workbook(part(workbook_path)).read()
    shared_path = by_kind.get("sharedStrings", "xl/sharedStrings.xml")
    shared = SharedStrings(part(shared_path)).read() if shared_path in names else []
    styles_path = by_kind.get("styles", "xl/styles.xml")
    date_styles = Styles(part(styles_path)).read() if styles_path in names else frozenset()
    for title, rid in workbook.sheets:
        path = by_id.get(rid)
        if path is None:
            raise Malformed(f"sheet {title!r} has no part")
        yield title, Sheet(part(path), shared, date_styles, workbook.date1904).rows()
