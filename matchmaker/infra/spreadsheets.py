"""Spreadsheets the service writes are opened by people: no value in them may run as a formula.

- .xlsx: every text is a text cell. `text_cell` (or `append_row`, a row of them) is the one way a
  text becomes a cell of an openpyxl sheet: openpyxl alone turns a string that starts with ``=``
  into a live formula. The data packages and the weekly report's workbook are streamed as
  SpreadsheetML by `matchmaker.infra.xlsx`, every text an inline string (`text_cell_xml`).
- CSV: a text that a spreadsheet would run (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) is written with one leading apostrophe (`guard_csv_text`), and reading removes
  it again (`unguard_csv_text`), as data-package.md says. A text that already begins with
  apostrophes followed by such a character gets one more, so the round trip is lossless.
"""
import re


#: What makes a spreadsheet program read a CSV value as a formula (OWASP's list; data-package.md).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"'+[=+\-@\t\r]")


def guard_csv_text(text: str) -> str:
    """`text` as written to a CSV file: with one more leading apostrophe when a spreadsheet would
    otherwise run it (or when it already starts with apostrophes before such a character).

    >>> guard_csv_text("=1+1"), guard_csv_text("-5 pieces"), guard_csv_text("'=x"), guard_csv_text("'already")
    ("'=1+1", "'-5 pieces", "''=x", "'already")
    """
    return "'" + text if _GUARDED.match(text) else text


def unguard_csv_text(text: str) -> str:
    """The text a CSV value written by `guard_csv_text` stands for: one leading apostrophe fewer
    when apostrophes are followed by a formula character.

    >>> unguard_csv_text("'=1+1"), unguard_csv_text("''=x"), unguard_csv_text("'already"), unguard_csv_text("-5")
    ('=1+1', "'=x", "'already", '-5')
    """
    return text[1:] if _UNGUARD.match(text) else text


def column_letters(n: int) -> str:
    """A column's letters from its index: 'A' for 0, ... 'XFD' for 16383.

    >>> column_letters(0), column_letters(25), column_letters(26), column_letters(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(sheet, text):
    """A cell of the openpyxl worksheet `sheet` holding `text` as text (written as an inline
    string), never a formula, whatever it starts with; characters XML cannot hold are dropped
    (openpyxl would refuse the whole workbook). Append it, e.g. ``sheet.append([text_cell(...)])``."""
    from openpyxl.cell.cell import Cell  # here: openpyxl is loaded when a workbook is written (start-up, issue 14)

    cell = Cell(sheet, row=1, column=1, value=_XML_ILLEGAL.sub("", text))  # placed where appended (write-only too)
    cell.data_type = "s"  # openpyxl made a text starting with "=" a formula
    return cell


def append_row(sheet, values):
    """Append `values` to an openpyxl worksheet as one row, every string as a `text_cell`."""
    sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
