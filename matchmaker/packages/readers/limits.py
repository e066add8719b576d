"""What reading a package may cost (`Limits`), what has been spent of it (`Budget`), and the two
ways reading stops: `Stop` (with the problem to report) and `CellStop` (inside a table, before
the section and field are known).
"""
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from matchmaker.packages.problems import Problem

__all__ = ["EXCEL_ROWS", "EXCEL_COLUMNS", "EXCEL_CELL_CHARS", "MAX_SHEETS", "Limits", "Stop", "CellStop", "Budget",
           "size", "long_message"]

#: Excel's own limits: rows and columns of a sheet, characters in a cell.
EXCEL_ROWS, EXCEL_COLUMNS, EXCEL_CELL_CHARS = 1_048_576, 16_384, 32_767
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What reading one package may cost at most. The defaults (documented in
    docs/data-packages.md, configured by `MATCHMAKER_IMPORT_MAX_*`) hold about three times the
    110,000-record benchmark package and keep one import's reading under about 1 GiB."""

    rows: int = EXCEL_ROWS  # last row of a sheet or CSV file (the header is row 1); JSON: records + 1
    columns: int = EXCEL_COLUMNS  # columns of a row
    cells: int = 3_000_000  # cells read in the whole package (xlsx cells, CSV fields, JSON values)
    part_bytes: int = 256 * MIB  # decompressed size of one part (sheet, shared strings, CSV or JSON file)
    total_bytes: int = 512 * MIB  # decompressed size of everything read
    field_chars: int = EXCEL_CELL_CHARS  # characters of one value
    line_chars: int = MIB  # characters of one CSV line
    json_depth: int = 20  # nesting of JSON arrays and objects (a package needs 4)

    #: Config key of each limit (sizes in MiB in the config).
    CONFIG = {"rows": "IMPORT_MAX_ROWS", "columns": "IMPORT_MAX_COLUMNS", "cells": "IMPORT_MAX_CELLS",
              "part_bytes": "IMPORT_MAX_PART_MB", "total_bytes": "IMPORT_MAX_TOTAL_MB",
              "field_chars": "IMPORT_MAX_FIELD_CHARS", "line_chars": "IMPORT_MAX_LINE_CHARS",
              "json_depth": "IMPORT_MAX_JSON_DEPTH"}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Limits":
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
            values[f.name] = number * MIB if f.name.endswith("_bytes") else number
        for name, excel in (("rows", EXCEL_ROWS), ("columns", EXCEL_COLUMNS), ("field_chars", EXCEL_CELL_CHARS)):
            values[name] = min(values.get(name, excel), excel)
        return cls(**values)


MAX_SHEETS = 256  # a package has six sections; Excel's own default workbook has one sheet


class Stop(Exception):
    """A limit was hit, or the file cannot be read: stop reading; `problem` says where and why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


class CellStop(Exception):
    """A limit hit inside a table, before the section and field are known (filled in by `add_table`);
    `field` is the column's name when the reader already knows the header."""

    def __init__(self, row, column, message):
        super().__init__(message)
        self.row, self.column, self.message, self.field = row, column, message, None


def size(n: int) -> str:
    """A size in bytes as people read it (MiB from one MiB up)."""
    return f"{n / MIB:,.0f} MiB" if n >= MIB else f"{n:,} bytes"


class Budget:
    """The limits of one read, and what has been spent of the package-wide ones."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.bytes = 0
        self.cells = 0

    def claim(self, part: str, declared: int) -> None:
        """Refuse a part whose declared (decompressed) size is past a limit, before reading it."""
        if declared > self.limits.part_bytes:
            raise Stop(Problem("package", 1, "-", f"{part} expands to {size(declared)}, more than the "
                               f"{size(self.limits.part_bytes)} a part may hold (IMPORT_MAX_PART_MB) "
                               "(文件解压后过大)"))
        if self.bytes + declared > self.limits.total_bytes:
            self._total(part)

    def spend(self, part: str, n: int, so_far: int) -> None:
        """Count `n` bytes read of `part` (`so_far` of it in all); past a limit, `Stop`."""
        self.bytes += n
        if so_far > self.limits.part_bytes:
            raise Stop(Problem("package", 1, "-", f"{part} holds more than {size(self.limits.part_bytes)} "
                               "(IMPORT_MAX_PART_MB) (文件解压后过大)"))
        if self.bytes > self.limits.total_bytes:
            self._total(part)

    def _total(self, part):
        raise Stop(Problem("package", 1, "-", f"the package expands to more than "
                           f"{size(self.limits.total_bytes)} (IMPORT_MAX_TOTAL_MB), at {part} (数据包解压后过大)"))

    def cell(self, n: int = 1) -> None:
        """Count n cells; past the limit, raise `CellStop` (the caller knows the row)."""
        self.cells += n
        if self.cells > self.limits.cells:
            raise CellStop(None, None, f"the package has more than {self.limits.cells:,} cells "
                           "(IMPORT_MAX_CELLS) (单元格过多)")


def long_message(limit: int) -> str:
    """The problem message of a value longer than `limit` characters."""
    return f"longer than {limit:,} characters (IMPORT_MAX_FIELD_CHARS) (内容过长)"
