"""Workbooks streamed as SpreadsheetML, a row at a time: the .xlsx files the service writes for people
(data packages, the weekly report's paper).

openpyxl's cells cost about a millisecond a row of twenty (a province's weekly report, 2 x 10^5
breaks, took two minutes to write through its write-only sheets); here a row is one formatted
string. Every text is an inline string, never a formula, whatever it begins with
(:mod:`matchmaker.infra.spreadsheets`); numbers are number cells, booleans boolean cells, dates
day numbers shown as yyyy-mm-dd; None and empty texts leave the cell out. A sheet may have a bold,
frozen header row and column widths.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with StreamingWorkbook(buf) as wb:
...     wb.sheet("名单", ["企业", "数量"], iter([["=1+1", 2.5], ["A&B", None]]), header_style=True)
2
>>> "xl/worksheets/sheet1.xml" in zipfile.ZipFile(buf).namelist()
True
"""
import math
import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape

from matchmaker.infra.spreadsheets import column_letters

__all__ = ["StreamingWorkbook", "text_cell_xml", "number_text"]

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_ROOT_RELS = (_XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'officeDocument" Target="xl/workbook.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'extended-properties" Target="docProps/app.xml"/></Relationships>')
_APP = (_XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        '<Application>matchmaker</Application></Properties>')
#: Cell styles: 0 general; 1 a date shown as yyyy-mm-dd (custom number format 164); 2 bold (headers).
DATE_STYLE, BOLD_STYLE = 1, 2
_STYLES = (_XML + f'<styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
           '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_FROZEN_HEADER = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                  'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>')

#: What XML 1.0 cannot hold: C0 controls but tab, LF, CR; lone surrogates; U+FFFE and U+FFFF
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What Excel refuses in a sheet's name (which has at most 31 characters)
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_EPOCH = date(1899, 12, 30)
#: Rows buffered before a write (a few hundred KB of XML)
_ROWS_PER_WRITE = 1000


def number_text(value) -> str:
    """A number as a cell holds it: a whole float without its ``.0`` (below 10^15), else its repr.

    >>> number_text(40.0), number_text(2.5), number_text(7), number_text(1e20)
    ('40', '2.5', '7', '1e+20')
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def text_cell_xml(ref: str, text: str, style: int = 0) -> str:
    """A text cell (an inline string: never a formula, whatever the text begins with); characters
    XML cannot hold are dropped. A carriage return is written as a character reference, which XML
    readers keep (a raw one becomes a line feed).

    >>> text_cell_xml("A1", "=1+1")
    '<c r="A1" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>'
    """
    escaped = _ESCAPED.get(text)
    if escaped is None:
        escaped = escape(_ILLEGAL_XML.sub("", text)).replace("\r", "&#13;")
        # a report's short texts repeat (kinds, regions, firms, categories): each escaped once
        if len(text) <= _ESCAPED_LENGTH and len(_ESCAPED) < _ESCAPED_KEPT:
            _ESCAPED[text] = escaped
    if style:
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


#: short text -> its escaped XML, for the texts met first (bounded: a few MB at most, in every process;
#: a race of two threads only escapes a text twice)
_ESCAPED: dict[str, str] = {}
_ESCAPED_KEPT, _ESCAPED_LENGTH = 20_000, 64


def value_cell_xml(ref: str, value) -> str | None:
    """The cell of a value (text, number, boolean, date; a list or tuple as its items joined by
    ``;``), or None for None and empty texts (the cell is left out)."""
    kind = type(value)
    if kind is str:
        return text_cell_xml(ref, value) if value else None
    if kind is int or (kind is float and math.isfinite(value)):
        return f'<c r="{ref}"><v>{number_text(value)}</v></c>'
    if kind is float:  # NaN or infinite: no number a cell can hold, left out
        return None
    if value is None or value == [] or value == ():
        return None
    if isinstance(value, str):
        return text_cell_xml(ref, value) if value else None
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{number_text(value)}</v></c>' if math.isfinite(value) else None
    if isinstance(value, (date, datetime)):
        day = value.date() if isinstance(value, datetime) else value
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(day - _EPOCH).days}</v></c>'
    if isinstance(value, (list, tuple)):
        return text_cell_xml(ref, ";".join(str(v) for v in value))
    return text_cell_xml(ref, str(value))


class StreamingWorkbook:
    """An .xlsx workbook written to a binary file as its sheets come (:meth:`sheet`), each streamed
    from an iterator of rows; the workbook's parts that list the sheets are written when it closes.
    Use it as a context manager (or call :meth:`close`)."""

    def __init__(self, fh):
        # the fastest deflate: a province's sheet is ~10^8 bytes of XML, its inline strings repetitive
        self._zip = zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.close()
        else:
            self._zip.close()

    def sheet(self, title: str, headers: list[str], rows, *, header_style: bool = False,
              widths: list[float] | None = None) -> int:
        """Add a sheet: the header row (bold and frozen with *header_style*), then *rows* (lists of
        values, :func:`value_cell_xml`), columns as wide as *widths* (characters) when given.
        Returns the number of rows after the header. A title Excel would refuse (empty, over 31
        characters, holding one of ``[]:*?/\\``, or the name of a sheet already added) raises
        ValueError."""
        if not title or len(title) > 31 or _BAD_TITLE.search(title) or title in self._titles:
            raise ValueError(f"not a sheet name Excel takes: {title!r}")
        self._titles.append(title)
        columns = [column_letters(i) for i in range(max(len(headers), 1))]
        n = 0
        with self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w") as fh:
            head = [_XML, f"<worksheet {_NS}>"]
            if header_style:
                head.append(_FROZEN_HEADER)
            if widths:
                head.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                               for i, w in enumerate(widths, start=1)) + "</cols>")
            style = BOLD_STYLE if header_style else 0
            cells = "".join(text_cell_xml(f"{c}1", h, style) for c, h in zip(columns, headers))
            head.append(f'<sheetData><row r="1">{cells}</row>')
            fh.write("".join(head).encode())
            buffer = []
            for r, row in enumerate(rows, start=2):
                if len(row) > len(columns):
                    columns += [column_letters(i) for i in range(len(columns), len(row))]
                cells = [value_cell_xml(f"{c}{r}", v) for c, v in zip(columns, row)]
                buffer.append(f'<row r="{r}">{"".join([x for x in cells if x is not None])}</row>')
                n += 1
                if len(buffer) >= _ROWS_PER_WRITE:
                    fh.write("".join(buffer).encode())
                    buffer = []
            fh.write(("".join(buffer) + "</sheetData></worksheet>").encode())
        return n

    def close(self) -> None:
        """Write the parts that list the sheets and close the archive."""
        n = len(self._titles)
        z = self._zip
        z.writestr("[Content_Types].xml", _content_types(n))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("docProps/app.xml", _APP)
        sheets = "".join(f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, t in enumerate(self._titles, start=1))
        # the workbook view its sheets' views refer to (workbookViewId 0), the first sheet active
        z.writestr("xl/workbook.xml", _XML + f'<workbook {_NS} {_RNS}><bookViews><workbookView activeTab="0"/>'
                   f"</bookViews><sheets>{sheets}</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(n))
        z.writestr("xl/styles.xml", _STYLES)
        z.close()


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    return (_XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>' + sheets + '</Types>')


def _workbook_rels(n: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/styles" Target="styles.xml"/>')
    return _XML + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
