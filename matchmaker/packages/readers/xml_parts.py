"""The XML parts of an .xlsx workbook other than its sheets, each parsed as a stream by expat:
the relationships, the workbook (its sheets and date system) and the styles (which cell
styles are dates); `XmlPart`, the bounded streaming parser they and the sheets share.
"""
import posixpath
from collections.abc import Iterator
from typing import Any, NoReturn
from xml.parsers import expat

from openpyxl.styles.numbers import is_date_format

from matchmaker.packages.readers.limits import MAX_SHEETS, CellStop, size
from matchmaker.packages.readers.sources import Source

__all__ = ["MAIN", "REL", "PKG_REL", "MAX_XML_DEPTH", "Malformed", "XmlPart", "Relationships", "Workbook", "Styles"]

# expat reports namespaced names as "namespace}local".
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates: the standard ones and the East Asian ones (27-36, 50-58).
_DATE_FORMAT_IDS = frozenset([*range(14, 18), 22, *range(27, 37), *range(50, 59)])
_MAX_ENTRIES = 65_536  # relationships, number formats, cell styles (Excel allows 64,000 styles)
MAX_XML_DEPTH = 64  # SpreadsheetML nests about six levels
_CHUNK = 65536


class Malformed(Exception):
    """The workbook's XML is not what a spreadsheet program writes."""


class XmlPart:
    """One XML part parsed as a stream by expat, its handlers the subclass's `start`, `end`
    and `text` methods.

    No document type (hence no entity) is accepted, nesting is bounded, and so is any one tag:
    the parser never holds more than a chunk and one tag's worth of the part. Handlers may raise
    to stop at once.
    """

    def __init__(self, source: Source):
        self.source = source
        self.limits = source.budget.limits
        self.depth = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            self.too_deep()

    def end(self, name: str) -> None:
        self.depth -= 1

    def too_deep(self) -> NoReturn:
        raise Malformed(f"{self.source.part} nests deeper than {MAX_XML_DEPTH} levels")

    def text(self, data: str) -> None:
        pass

    def where(self) -> tuple[int | None, int | None]:
        """(row, column) for a message about a limit hit while parsing."""
        return None, None

    def chunks(self) -> Iterator[None]:
        """Parse the part, yielding after each chunk."""
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
                    raise Malformed(f"{self.source.part}: {exc}") from None
                yield
                if not chunk:
                    return
                if fed - max(parser.CurrentByteIndex, 0) > longest:  # one tag still unfinished
                    row, column = self.where()
                    raise CellStop(row, column, f"{self.source.part} holds a tag longer than {size(longest)} "
                                   "(IMPORT_MAX_FIELD_CHARS) (内容过长)")

    def _doctype(self, *args):
        raise Malformed(f"{self.source.part} declares a document type or entity (SpreadsheetML has none)")

    def read(self) -> Any:
        """Parse the whole part; what the subclass's `result` makes of it."""
        for _ in self.chunks():
            pass
        return self.result()


def _part_path(base, target):
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


class Relationships(XmlPart):
    """(type's last word, target path, id) of a relationships part."""

    def __init__(self, source: Source, base: str):
        super().__init__(source)
        self.base, self.found = base, []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if name == PKG_REL + "Relationship":
            if len(self.found) >= _MAX_ENTRIES:
                raise Malformed(f"{self.source.part} lists more than {_MAX_ENTRIES:,} relationships")
            if attrs.get("TargetMode") != "External":
                kind = (attrs.get("Type") or "").rsplit("/", 1)[-1]
                self.found.append((kind, _part_path(self.base, attrs.get("Target") or ""), attrs.get("Id")))

    def result(self) -> list[tuple[str, str, str | None]]:
        """(type's last word, target path, id) of each internal relationship."""
        return self.found


class Workbook(XmlPart):
    """The sheets [(title, relationship id)] and the date system of the workbook part."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.sheets, self.date1904, self.root = [], False, None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if self.root is None:
            self.root = name
            if name != MAIN + "workbook":
                raise Malformed("not a transitional SpreadsheetML workbook")
        elif name == MAIN + "sheet":
            if len(self.sheets) >= MAX_SHEETS:
                raise Malformed(f"the workbook has more than {MAX_SHEETS} sheets")
            self.sheets.append((attrs.get("name") or "", attrs.get(REL + "id")))
        elif name == MAIN + "workbookPr":
            self.date1904 = attrs.get("date1904") in ("1", "true")

    def result(self) -> "Workbook":
        """The workbook itself, its `sheets` and `date1904` read."""
        if self.root is None:
            raise Malformed("the workbook part is empty")
        return self


class Styles(XmlPart):
    """Indexes of the cell styles (cellXfs) whose number format is a date."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.custom, self.cell_xfs, self.in_cell_xfs = {}, [], False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if name == MAIN + "numFmt":
            if len(self.custom) >= _MAX_ENTRIES:
                raise Malformed(f"{self.source.part} has more than {_MAX_ENTRIES:,} number formats")
            self.custom[int(attrs.get("numFmtId"))] = (attrs.get("formatCode") or "")[:256]
        elif name == MAIN + "cellXfs":
            self.in_cell_xfs = True
        elif name == MAIN + "xf" and self.in_cell_xfs:
            if len(self.cell_xfs) >= _MAX_ENTRIES:
                raise Malformed(f"{self.source.part} has more than {_MAX_ENTRIES:,} cell styles")
            self.cell_xfs.append(int(attrs.get("numFmtId", 0)))

    def end(self, name: str) -> None:
        super().end(name)
        if name == MAIN + "cellXfs":
            self.in_cell_xfs = False

    def result(self) -> frozenset[int]:
        """Indexes of the cell styles whose number format is a date."""
        dates = set()
        for index, fid in enumerate(self.cell_xfs):
            if fid in self.custom:
                if is_date_format(self.custom[fid]):
                    dates.add(index)
            elif fid in _DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)
