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

The readers, one module a container: `from_json`, `from_csv` (a folder, a file or a .zip of
CSV files) and `from_xlsx` (the expat-based streaming reader over `xml_parts` and
`xlsx_sheet`); what they share: `limits` (`Limits`, the `Budget`, how reading stops),
`sources` (size-capped streams of a file or zip member) and `tables` (`RawPackage`, and a
table's header and rows into a section).
"""
import gc
import os
from pathlib import Path
from typing import BinaryIO

from matchmaker.packages.problems import PackageInvalid, Problem
from matchmaker.packages.readers.from_csv import add_csv, read_csv_folder, read_zip
from matchmaker.packages.readers.from_json import read_json
from matchmaker.packages.readers.from_xlsx import read_xlsx
from matchmaker.packages.readers.limits import EXCEL_CELL_CHARS, EXCEL_COLUMNS, EXCEL_ROWS, Budget, Limits, Stop
from matchmaker.packages.readers.sources import Source
from matchmaker.packages.readers.tables import TABULAR, RawPackage

__all__ = ["EXCEL_CELL_CHARS", "EXCEL_COLUMNS", "EXCEL_ROWS", "TABULAR", "Limits", "RawPackage", "container_of",
           "read_package"]


def container_of(name: str | os.PathLike) -> str:
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


def read_package(source: str | os.PathLike | BinaryIO, filename: str | None = None,
                 limits: Limits | None = None) -> RawPackage:
    """Read a package from a path (file or CSV folder), or from a file object named `filename`.

    Raises `PackageInvalid` with one problem when a `Limits` cap is hit (see the module's doc).
    """
    name = filename if filename is not None else source
    kind = container_of(name)
    budget = Budget(limits or Limits())
    collecting = gc.isenabled()
    # Reading makes millions of short-lived acyclic objects (cells, rows, records), which the
    # cyclic collector would walk again and again (about two thirds of the time of a large sheet).
    gc.disable()
    try:
        if kind == "json":
            return read_json(source, budget=budget)
        if kind == "xlsx":
            return read_xlsx(source, budget=budget)
        if kind == "zip":
            return read_zip(source, budget=budget)
        if kind == "csv-file":
            package = RawPackage("csv")
            add_csv(package, Path(str(name)).stem, Source(source, Path(str(name)).name, budget))
            return package
        return read_csv_folder(source, budget=budget)
    except Stop as stop:
        raise PackageInvalid([stop.problem]) from None
    finally:
        if collecting:
            gc.enable()
