"""The cells of an .xlsx workbook: its shared strings and its sheets, streamed row by row, each
row, cell reference, cell and text checked against the limits as it is met.
"""
from collections.abc import Iterator
from typing import Any

from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from matchmaker.infra.spreadsheets import column_letters
from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import CellStop, Stop, long_message
from matchmaker.packages.readers.sources import Source
from matchmaker.packages.readers.xml_parts import MAIN, MAX_XML_DEPTH, Malformed, XmlPart

__all__ = ["SharedStrings", "Sheet"]

_ROW, _C, _V, _IS, _SI, _T, _RPH = (MAIN + t for t in ("row", "c", "v", "is", "si", "t", "rPh"))


class SharedStrings(XmlPart):
    """The shared strings: each item's <t>, or its rich-text runs' <t>s (phonetic runs left out)."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.strings, self.pieces, self.size = [], None, 0
        self.collect, self.phonetic = False, False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            self.too_deep()
        if name == _SI:
            self.pieces, self.size = [], 0
        elif name == _T:
            self.collect = self.pieces is not None and not self.phonetic
        elif name == _RPH:
            self.phonetic = True

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == _SI:
            if len(self.strings) >= self.limits.cells:
                raise Stop(Problem("package", 1, "-", f"{self.source.part} holds more than {self.limits.cells:,} "
                                   "strings (IMPORT_MAX_CELLS) (共享字符串过多)"))
            self.strings.append("".join(self.pieces))
            self.pieces = None
        elif name == _T:
            self.collect = False
        elif name == _RPH:
            self.phonetic = False

    def text(self, data: str) -> None:
        if self.collect:
            self.pieces.append(data)
            self.size += len(data)
            if self.size > self.limits.field_chars:
                raise Stop(Problem("package", 1, "-", f"{self.source.part} holds a string longer than "
                                   f"{self.limits.field_chars:,} characters (IMPORT_MAX_FIELD_CHARS) (内容过长)"))

    def result(self) -> list[str]:
        """The shared strings, in order."""
        return self.strings


class Sheet(XmlPart):
    """The rows of one worksheet, (row number, {column index: value}) for each row with a cell,
    checked as they are met: row numbers increase and stay within the limit, cell references
    stay within the column limit, cells within the package's, text within the value length."""

    def __init__(self, source: Source, shared: list[str], date_styles: frozenset[int], date1904: bool):
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

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        """(row number, {column index: value}) of each row with a cell, as the part is parsed."""
        try:
            for _ in self.chunks():
                if self.ready:
                    ready, self.ready = self.ready, []
                    yield from ready
        except CellStop as exc:
            if exc.row is None:
                exc.row = self.number or self.last + 1
            name = self.header.get(exc.column) if exc.column is not None else None
            if isinstance(name, str) and name.strip():
                exc.field = name.strip().lower()[:64]
            raise

    def where(self) -> tuple[int | None, int | None]:
        return self.number or self.last + 1, self.column if self.cell else None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
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
            raise CellStop(self.last + 1, None, f"{r[:24]!r} is not a row number (行号无效)")
        else:
            number = int(r)
        if number > limits.rows:
            raise CellStop(number, None, f"row {number:,} is past the last row a table may have, "
                           f"{limits.rows:,} (IMPORT_MAX_ROWS) (超出最大行数)")
        if number <= self.last:
            raise CellStop(number, None, f"row {number:,} comes after row {self.last:,} (行号顺序错误)")
        self.number, self.values, self.column, self.in_row = number, {}, -1, 0

    def _start_cell(self, attrs):
        if self.number is None:
            raise Malformed(f"{self.source.part}: a cell outside a row")
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
            raise CellStop(self.number, None, f"more than {limits.columns:,} columns (IMPORT_MAX_COLUMNS) "
                           "(超出最大列数)")
        budget = self.budget
        budget.cells += 1
        if budget.cells > limits.cells:
            raise CellStop(self.number, None, f"the package has more than {limits.cells:,} cells "
                           "(IMPORT_MAX_CELLS) (单元格过多)")
        self.column, self.cell = column, True
        self.kind, self.style = attrs.get("t", "n"), attrs.get("s")
        self.pieces, self.inline = None, None

    def _column_of(self, letters):
        """The column index of a cell reference's letters ('A' is 0), remembered; past the limit
        (or not letters), a `CellStop`."""
        limit, n = self.limits.columns, 0
        for ch in letters:
            if not "A" <= ch <= "Z":
                raise CellStop(self.number, None, f"{letters[:24]!r} is not a cell reference (单元格引用无效)")
            n = n * 26 + ord(ch) - 64
            if n > limit:
                raise CellStop(self.number, None, f"cell {letters[:24]}{self.number} is past the last column a "
                               f"table may have, {column_letters(limit - 1)} ({limit:,}) (IMPORT_MAX_COLUMNS) "
                               "(超出最大列数)")
        if n == 0:
            raise CellStop(self.number, None, "a cell reference without a column (单元格引用无效)")
        self.columns[letters] = n - 1
        return n - 1

    def text(self, data: str) -> None:
        if self.collect:
            self.pieces.append(data)
            self.size += len(data)
            if self.size > self.limits.field_chars:
                raise CellStop(self.number, self.column, long_message(self.limits.field_chars))

    def end(self, name: str) -> None:
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
            try:
                return from_excel(value, self.epoch)
            except (ValueError, OverflowError, TypeError):
                raise CellStop(self.number, self.column, f"{text[:24]} is not a date (不是有效日期)") from None
        return value


def _number(text, row, column):
    """A number cell's value: an int when it is a whole number that a float holds exactly."""
    try:
        value = float(text)
    except ValueError:
        raise CellStop(row, column, f"{text[:24]!r} is not a number (不是数字)") from None
    if value.is_integer() and abs(value) < 2 ** 53 and "." not in text and "E" not in text.upper():
        return int(value)
    return value
