"""What every reader produces, a `RawPackage`, and how a table (a CSV file or a sheet) becomes
one of its sections: the header row names the columns, unknown or repeated columns and unnamed
columns with values are reported at row 1, blank rows are skipped.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from matchmaker.infra.spreadsheets import column_letters
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import CellStop, Stop
from matchmaker.packages.schema import FIELD_NAMES, SECTION_ORDER

__all__ = ["TABULAR", "RawPackage", "add_table", "blank", "unknown_section"]

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


def unknown_section(section: object) -> Problem:
    """The problem of a file, sheet or key that names no section."""
    return Problem(str(section)[:64], 1, "-", "unknown section; sections are " + ", ".join(SECTION_ORDER)
                   + " (未知的表)")


def add_table(package: RawPackage, section: str, rows: Iterable[tuple[int, dict[int, Any]]]) -> None:
    """Add one table: `rows` yields (row number, {column index: value}), the header row first.

    A header is row 1; a table whose first row is later has none (every column is unnamed).
    """
    section = section.strip().lower()
    if section not in FIELD_NAMES:
        package.problems.append(unknown_section(section))
        return
    if section in package.sections:
        package.problems.append(Problem(section, 1, "-", "section given twice (表重复)"))
        return
    known = FIELD_NAMES[section]
    rows = iter(rows)
    names = {}  # column index -> field name, for the messages of limits

    def stop(exc):
        column = "-" if exc.column is None else exc.field or names.get(exc.column) or column_letters(exc.column)
        return Stop(Problem(section, exc.row or 1, column, exc.message))

    try:
        first = next(rows, None)
        header = first[1] if first is not None and first[0] == 1 else {}
        if first is not None and first[0] != 1:
            rows = chain([first], rows)
        columns = []  # (index, field name) of the known, first-seen columns
        seen = set()
        titled = set()  # indexes of the columns with a name: the others must stay empty
        for i in sorted(header):
            cell = header[i]
            name = "" if cell is None else str(cell).strip().lower()
            names[i] = name[:64] or column_letters(i)
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
            if not values or all(blank(v) for v in values.values()):
                continue
            width = max(values) + 1
            record = {name: values.get(i) for i, name in columns if i < width}
            if not unnamed_reported and any(i not in titled and not blank(v) for i, v in values.items()):
                unnamed_reported = True
                package.problems.append(Problem(section, 1, "-", "a column with values has no name in the header "
                                                "(有数据的列缺少列名)"))
            records.append((row, record))
    except CellStop as exc:
        raise stop(exc) from None
    package.sections[section] = records


def blank(value: Any) -> bool:
    """Whether a cell holds nothing (None, or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())
