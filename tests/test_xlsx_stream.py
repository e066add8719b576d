"""The streamed workbook (matchmaker.infra.xlsx) as openpyxl reads it back: typed cells, text never a
formula, a bold frozen header row and column widths when asked, several sheets in order."""
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from matchmaker.infra.xlsx import StreamingWorkbook


def _book(*sheets, **options):
    buf = io.BytesIO()
    with StreamingWorkbook(buf) as wb:
        for title, headers, rows in sheets:
            wb.sheet(title, headers, iter(rows), **options)
    buf.seek(0)
    return load_workbook(buf)


def test_cells_keep_their_types_and_text_is_never_a_formula():
    rows = [["=SUM(A1)", 2.5, 40.0, 7, True, date(2020, 3, 16), datetime(2020, 3, 17, 9, 30), ["a", "b"]],
            ["a\x01b\rc", None, "", -1.25, False, None, None, ()]]
    ws = _book(("名单", list("ABCDEFGH"), rows))["名单"]
    first = [c.value for c in ws[2]]
    assert first[:5] == ["=SUM(A1)", 2.5, 40, 7, True]
    assert first[5].date() == date(2020, 3, 16) and first[6].date() == date(2020, 3, 17)
    assert ws["F2"].number_format == "yyyy-mm-dd" and first[7] == "a;b"
    assert ws["A2"].data_type == "s"
    second = [c.value for c in ws[3]]
    assert second[0] == "ab\rc"  # characters XML cannot hold are dropped, a carriage return kept
    assert second[1] is None and second[2] is None and second[3] == -1.25 and second[4] is False


def test_a_header_row_can_be_bold_and_frozen_with_column_widths():
    buf = io.BytesIO()
    with StreamingWorkbook(buf) as wb:
        wb.sheet("断链清单", ["严重度", "需方"], iter([[1.5, "B&<x>"]]), header_style=True, widths=[8, 30.5])
        wb.sheet("plain", ["a"], iter([]))
    buf.seek(0)
    book = load_workbook(buf)
    assert book.sheetnames == ["断链清单", "plain"]
    ws = book["断链清单"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and not ws["A2"].font.b
    assert ws.column_dimensions["B"].width == 30.5 and ws["B2"].value == "B&<x>"
    plain = book["plain"]
    assert plain.freeze_panes is None and not plain["A1"].font.b and plain.max_row == 1


def test_a_failure_inside_the_workbook_raises_and_writes_no_sheet_list():
    buf = io.BytesIO()

    def rows():
        yield ["ok"]
        raise RuntimeError("the rows failed")

    try:
        with StreamingWorkbook(buf) as wb:
            wb.sheet("s", ["a"], rows())
    except RuntimeError as exc:
        assert "the rows failed" in str(exc)
    else:  # pragma: no cover - the with block must raise
        raise AssertionError("no error")
    import zipfile
    assert "xl/workbook.xml" not in zipfile.ZipFile(buf).namelist()


def test_what_xml_cannot_hold_is_left_out_and_the_file_still_opens():
    buf = io.BytesIO()
    with StreamingWorkbook(buf) as wb:
        wb.sheet("s", ["text", "nan", "inf"], iter([["park\uffff\ufffe\x0b\ud800名", float("nan"), float("-inf")]]))
    buf.seek(0)
    ws = load_workbook(buf)["s"]
    assert [c.value for c in ws[2]][:1] == ["park名"] and ws["B2"].value is None and ws["C2"].value is None


def test_the_workbook_declares_the_view_its_sheets_refer_to():
    import zipfile

    buf = io.BytesIO()
    with StreamingWorkbook(buf) as wb:
        wb.sheet("a", ["x"], iter([]), header_style=True)
    xml = zipfile.ZipFile(buf).read("xl/workbook.xml").decode()
    assert '<bookViews><workbookView activeTab="0"/></bookViews><sheets>' in xml


@pytest.mark.parametrize("title", ["", "x" * 32, "a/b", "a[1]", "q?", "dup"])
def test_a_sheet_name_excel_refuses_is_refused(title):
    with StreamingWorkbook(io.BytesIO()) as wb:
        wb.sheet("dup", ["x"], iter([]))
        with pytest.raises(ValueError):
            wb.sheet(title, ["x"], iter([]))
