"""Write a data package in its three containers.

The package is ``{section: [record]}`` with python values (text, numbers, booleans, dates,
lists, None). JSON gets one record per line; CSV is written as Excel writes it (UTF-8 with a
BOM, CRLF line ends, `;`-separated lists), every text guarded against running as a formula
(`matchmaker.infra.spreadsheets.guard_csv_text`); xlsx has one sheet per section with the
header row, typed cells (numbers, booleans, dates) and text cells (never formulas) for text.
"""
import csv
import json
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from matchmaker.infra.spreadsheets import column_letters, guard_csv_text
from matchmaker.packages.schema import SECTION_ORDER, written_names


def write_package(package: dict, path) -> str:
    """Write `package` to `path`, the container chosen by the extension (a folder for CSV)."""
    name = str(path).lower()
    if name.endswith(".json"):
        write_json(package, path)
        return "json"
    if name.endswith(".xlsx"):
        write_xlsx(package, path)
        return "xlsx"
    if os.path.splitext(name)[1] and not os.path.isdir(path):
        raise ValueError(f"cannot tell the format of {path}: use .json, .xlsx or a folder for CSV files")
    write_csv_folder(package, path)
    return "csv"


def _sections(package):
    return [s for s in SECTION_ORDER if s in package]


def _number_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def write_json(package: dict, path):
    """One object keyed by section; each record on its own line, every field present."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{")
        for i, section in enumerate(_sections(package)):
            fh.write(("," if i else "") + f"\n{json.dumps(section)}: [")
            names = written_names(section, package[section])
            for j, record in enumerate(package[section]):
                line = json.dumps({n: _json_value(record.get(n)) for n in names}, ensure_ascii=False)
                fh.write(("," if j else "") + "\n  " + line)
            fh.write("\n]" if package[section] else "]")
        fh.write("\n}\n")


def _cell_text(value):
    """A value as CSV text: numbers, booleans and dates as such (a negative number stays a
    number), text guarded so that no spreadsheet runs it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return guard_csv_text(";".join(str(v) for v in value))
    return guard_csv_text(str(value))


def write_csv_folder(package: dict, path):
    """A folder with one `<section>.csv` per section: UTF-8 with a BOM and CRLF, as Excel writes."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for section in _sections(package):
        names = written_names(section, package[section])
        with open(folder / f"{section}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(names)
            for record in package[section]:
                writer.writerow([_cell_text(record.get(n)) for n in names])


def write_xlsx(package: dict, path):
    """A workbook with one sheet per section: header row, then typed cells (text cells for codes
    and refs, number cells, boolean cells, date cells formatted yyyy-mm-dd).

    Streams the SpreadsheetML itself: openpyxl's cell objects cost about a millisecond a row.
    """
    sections = _sections(package)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sections)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("docProps/app.xml", _APP)
        archive.writestr("xl/workbook.xml", _workbook_xml(sections))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sections)))
        archive.writestr("xl/styles.xml", _STYLES)
        for n, section in enumerate(sections, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as fh:
                _write_sheet(fh, written_names(section, package[section]), package[section])


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
# Style 0: general; style 1: a date shown as yyyy-mm-dd (custom number format 164).
_STYLES = (_XML + f'<styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
           '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _content_types(n):
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


def _workbook_xml(sections):
    sheets = "".join(f'<sheet name="{s}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sections, start=1))
    return _XML + f"<workbook {_NS} {_RNS}><sheets>{sheets}</sheets></workbook>"


def _workbook_rels(n):
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/styles" Target="styles.xml"/>')
    return _XML + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = date(1899, 12, 30)


def _text_cell(ref, text):
    """A text cell (an inline string: never a formula, whatever the text begins with). A carriage
    return is written as a character reference, which XML readers keep (a raw one becomes a line feed)."""
    text = (_ILLEGAL_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _write_sheet(fh, names, records):
    columns = [column_letters(i) for i in range(len(names))]
    fh.write((_XML + f"<worksheet {_NS}><sheetData>").encode())
    header = "".join(_text_cell(f"{c}1", n) for c, n in zip(columns, names))
    fh.write(f'<row r="1">{header}</row>'.encode())
    buffer = []
    for r, record in enumerate(records, start=2):
        cells = []
        for c, name in zip(columns, names):
            value = record.get(name)
            if value is None or value == "" or value == [] or value == ():
                continue
            ref = f"{c}{r}"
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{_number_text(value) if isinstance(value, float) else value}</v></c>')
            elif isinstance(value, (date, datetime)):
                day = value.date() if isinstance(value, datetime) else value
                cells.append(f'<c r="{ref}" s="1"><v>{(day - _EPOCH).days}</v></c>')
            elif isinstance(value, (list, tuple)):
                cells.append(_text_cell(ref, ";".join(str(v) for v in value)))
            else:
                cells.append(_text_cell(ref, str(value)))
        buffer.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(buffer) >= 1000:
            fh.write("".join(buffer).encode())
            buffer = []
    fh.write(("".join(buffer) + "</sheetData></worksheet>").encode())
