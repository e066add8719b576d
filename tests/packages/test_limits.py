"""Reading a package is bounded work (issue 11, finding 2 and the package half of finding 8).

Each bomb of the probe, and others of the same classes, is built here; the reader must refuse
it with a clear error naming the part, or the section, row and field, and must do so within a
fixed memory and CPU budget: the bombs are read in a subprocess with RLIMIT_AS = 512 MiB and
RLIMIT_CPU = 60 s (`tests/packages/bounded_read.py`), which the old reader blew through (3.6 GB,
then 100 s of CPU in its openpyxl fallback). No assertion is about time.
"""
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from matchmaker import ROOT
from matchmaker.packages.problems import PackageInvalid
from matchmaker.packages.readers import Limits, read_package
from tests.packages import bombs
from tests.packages.conftest import counts

DEEP = 100_000


_BOMBS = {}  # name -> (build(folder) -> path, limits other than the defaults)


def bomb(name, **limits):
    """Register a bomb: all are built once and read by ONE capped subprocess (fixture `bounded`)."""
    def register(build):
        _BOMBS[name] = (build, limits)
        return build
    return register


@pytest.fixture(scope="module")
def bounded(tmp_path_factory):
    """Every registered bomb read in a process capped at 512 MiB and 60 s of CPU in all."""
    folder = tmp_path_factory.mktemp("bombs")
    jobs = [{"name": name, "path": str(build(folder)), "limits": limits} for name, (build, limits) in _BOMBS.items()]
    (folder / "jobs.json").write_text(json.dumps(jobs))
    proc = subprocess.run([sys.executable, "-m", "tests.packages.bounded_read", str(folder / "jobs.json")], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    results = {}
    for line in proc.stdout.splitlines():
        result = json.loads(line)
        results[result["name"]] = result
    return proc, results, {job["name"]: job["path"] for job in jobs}


def bounded_read(bounded, name):
    """The problems of bomb `name` as tuples; fails when the capped reader died before answering."""
    proc, results, paths = bounded
    assert name in results, (f"the reader did not get through {name} within its limits (exit {proc.returncode}):\n"
                             f"{proc.stderr[-3000:]}")
    return [tuple(p) for p in results[name]["problems"]]


def bomb_size(bounded, name):
    from pathlib import Path

    return Path(bounded[2][name]).stat().st_size


def refused(path, limits=None, filename=None):
    """The one problem reading `path` stops at, as (section, row, field, message)."""
    with pytest.raises(PackageInvalid) as info:
        read_package(path, filename=filename, limits=limits)
    assert len(info.value.problems) == 1, info.value.problems
    return tuple(info.value.problems[0])


# --- xlsx -------------------------------------------------------------------------------------------

@bomb("rows")
def _rows(folder):
    return bombs.workbook(folder / "rows.xlsx", bombs.sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>F1</t></is></c></row>'
        '<row r="2000000000"><c r="A2000000000" t="inlineStr"><is><t>F2</t></is></c></row>'))


def test_a_row_number_past_excels_last_row_is_refused_in_bounded_work(bounded):
    """The probe's 1.8 KB sheet: <row r="2000000000"> took 3.6 GB, then 100 s of CPU in the fallback."""
    assert bomb_size(bounded, "rows") < 2048
    section, row, field, message = bounded_read(bounded, "rows")[0]
    assert (section, row, field) == ("firms", 2000000000, "-")
    assert "past the last row" in message and "1,048,576" in message


@bomb("columns")
def _columns(folder):
    return bombs.workbook(folder / "columns.xlsx", bombs.sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>F1</t></is></c>'
        '<c r="AAAAAA2" t="inlineStr"><is><t>x</t></is></c></row>'))


def test_a_cell_past_excels_last_column_is_refused_in_bounded_work(bounded):
    """The probe's cell AAAAAA2 (column 321,272,407) peaked at 2.5 GB."""
    section, row, field, message = bounded_read(bounded, "columns")[0]
    assert (section, row, field) == ("firms", 2, "-")
    assert "AAAAAA2" in message and "XFD" in message


@bomb("shared")
def _shared(folder):
    return bombs.workbook(folder / "strings.xlsx", bombs.sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                          shared=(f"<sst {bombs.MAIN}>", "<si><t>" + "A" * 65536 + "</t></si>", 7300, "</sst>"))


def test_a_shared_strings_part_that_expands_past_the_part_limit_is_refused_in_bounded_work(bounded):
    """The probe's 205 KB shared-strings part expanded to 456 MB."""
    assert bomb_size(bounded, "shared") < 1024 * 1024
    section, row, field, message = bounded_read(bounded, "shared")[0]
    assert (section, row, field) == ("package", 1, "-")
    assert "xl/sharedStrings.xml expands to" in message and "256 MiB" in message


@bomb("many strings", cells=300_000)
def _many_strings(folder):
    return bombs.workbook(folder / "many.xlsx", bombs.sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                          shared=(f"<sst {bombs.MAIN}>", "<si><t>a</t></si>" * 1000, 301, "</sst>"))


def test_shared_strings_past_the_cell_limit_are_refused_in_bounded_work(bounded):
    """Within the size limit, but more strings than the package may have cells."""
    section, row, field, message = bounded_read(bounded, "many strings")[0]
    assert (section, field) == ("package", "-") and "more than 300,000 strings" in message


@bomb("long string")
def _long_string(folder):
    return bombs.workbook(folder / "long.xlsx", bombs.sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                          shared=(f"<sst {bombs.MAIN}><si><t>", "A" * 65536, 3200, "</t></si></sst>"))


def test_one_huge_shared_string_is_refused_while_it_streams(bounded):
    """One <t> of 200 MB: refused once it passes a cell's length, not after it is in memory."""
    section, row, field, message = bounded_read(bounded, "long string")[0]
    assert (section, field) == ("package", "-") and "longer than 32,767 characters" in message


@bomb("edge")
def _edge(folder):
    return bombs.workbook(folder / "edge.xlsx", bombs.sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>F1</t></is></c><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'))


def test_sparse_rows_at_excels_edge_cost_no_memory_for_the_gaps(bounded):
    """Within the limits (row 1,048,576, column XFD) nothing is allocated for the empty cells between."""
    assert bounded_read(bounded, "edge") == [("firms", 1, "-", "a column with values has no name in the header (有数据的列缺少列名)")]


def test_too_many_cells_are_refused_at_the_row_where_the_limit_is_passed(tmp_path):
    row = "".join(bombs.cell(f"{c}{{r}}", "x") for c in "ABCD")
    path = bombs.workbook(tmp_path / "cells.xlsx", bombs.sheet("".join(
        f'<row r="{r}">{row.format(r=r)}</row>' for r in range(2, 40))))
    section, row, field, message = refused(path, Limits(cells=100))
    assert (section, row, field) == ("firms", 26, "-") and "more than 100 cells" in message  # 4 cells a row


@pytest.mark.parametrize("rows_xml, expected", [
    ('<row r="5"><c r="A5" t="inlineStr"><is><t>F1</t></is></c></row><row r="3"></row>', (3, "-", "comes after")),
    ('<row r="2x"></row>', (2, "-", "not a row number")),
    ('<row r="2"><c r="a2" t="inlineStr"><is><t>F1</t></is></c></row>', (2, "-", "not a cell reference")),
    ('<row r="2"><c r="B2"><v>1e999999999999999999</v></c><c r="C2"><v>12abc</v></c></row>', (2, "kind", "not a number")),
    ('<row r="2">' + "".join(f'<c t="inlineStr"><is><t>{i}</t></is></c>' for i in range(20)) + "</row>",
     (2, "-", "more than 16 columns")),
])
def test_malformed_rows_and_cells_are_refused_where_they_are(tmp_path, rows_xml, expected):
    path = bombs.workbook(tmp_path / "bad.xlsx", bombs.sheet(rows_xml))
    section, row, field, message = refused(path, Limits(columns=16))
    assert (section, row, field) == ("firms",) + expected[:2] and expected[2] in message


def test_a_long_cell_is_refused_naming_its_row_and_field(tmp_path):
    path = bombs.workbook(tmp_path / "long.xlsx", bombs.sheet(
        '<row r="2">' + bombs.cell("A2", "F1") + bombs.cell("B2", "名" * 32_768) + "</row>"))
    assert refused(path) == ("firms", 2, "name", "longer than 32,767 characters (IMPORT_MAX_FIELD_CHARS) (内容过长)")


XML_BOMBS = [
    # a document type with entities (the "billion laughs"), in a sheet
    {"xl/worksheets/sheet1.xml": '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
                                 '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                 f'<worksheet {bombs.MAIN}><sheetData><row r="1"><c t="inlineStr"><is><t>&b;</t>'
                                 "</is></c></row></sheetData></worksheet>"},
    # nesting 100,000 deep
    {"xl/worksheets/sheet1.xml": (f"<worksheet {bombs.MAIN}>", "<x>", 100_000, "")},
    # one attribute of 300 MB (expat would hold the whole tag)
    {"xl/worksheets/sheet1.xml": (f'<worksheet {bombs.MAIN}><sheetData><row r="1" spans="', "1" * 65536, 4000, '"/>')},
    # a workbook part listing a million sheets
    {"xl/workbook.xml": (f'<workbook {bombs.MAIN} xmlns:r="{bombs.REL}"><sheets>',
                         '<sheet name="s" sheetId="1" r:id="rId1"/>', 1_000_000, "</sheets></workbook>")},
    # styles with a million cell formats
    {"xl/styles.xml": (f"<styleSheet {bombs.MAIN}><cellXfs>", '<xf numFmtId="14"/>', 1_000_000, "</cellXfs></styleSheet>")},
    # not XML at all
    {"xl/worksheets/sheet1.xml": "PK\x03\x04 not xml"},
]
for _n, _extra in enumerate(XML_BOMBS):
    bomb(f"xml {_n}")(lambda folder, n=_n, extra=_extra: bombs.workbook(folder / f"xml{n}.xlsx", bombs.sheet(""),
                                                                      extra=extra))


@pytest.mark.parametrize("n", range(len(XML_BOMBS)))
def test_other_xml_bombs_are_refused_in_bounded_work(bounded, n):
    problems = bounded_read(bounded, f"xml {n}")
    assert len(problems) == 1
    section, row, field, message = problems[0]
    assert section in ("package", "firms") and field == "-"
    assert ("not a readable .xlsx workbook" in message or "longer than" in message), message


def test_a_workbook_the_reader_cannot_read_is_refused_never_handed_to_openpyxl(tmp_path, monkeypatch):
    """The old reader fell back to openpyxl after any error, limits included: a second, unbounded
    reader. Now a file the streaming reader refuses is refused."""
    import openpyxl

    def no_fallback(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read the upload")

    monkeypatch.setattr(openpyxl, "load_workbook", no_fallback)
    monkeypatch.setattr("openpyxl.reader.excel.load_workbook", no_fallback)
    for name, sheet_xml in (("limit.xlsx", bombs.sheet('<row r="1048577"></row>')),
                            ("broken.xlsx", bombs.sheet("<row r='2'><c r='A2'><v>1</v></row>"))):
        section, row, field, message = refused(bombs.workbook(tmp_path / name, sheet_xml))
        assert "1,048,576" in message or "not a readable .xlsx workbook" in message
    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 nothing")
    assert "not a readable .xlsx workbook" in refused(tmp_path / "not.xlsx")[3]


def test_the_declared_size_of_a_part_is_checked_before_reading_and_the_total_while_reading(tmp_path):
    path = bombs.workbook(tmp_path / "big.xlsx", bombs.sheet(
        "".join(f'<row r="{r}">{bombs.cell(f"A{r}", "F" + str(r))}</row>' for r in range(2, 5000))))
    assert "expands to" in refused(path, Limits(part_bytes=64 * 1024))[3]
    assert "the package expands to more than" in refused(path, Limits(total_bytes=64 * 1024))[3]


# --- zip of CSV files ----------------------------------------------------------------------------------

@bomb("zip")
def _zip(folder):
    return bombs.zip_of(folder / "bomb.zip", {"firms.csv": ("ref,name,kind,region\r\n", "a" * 65536, 4400, "")})


def test_a_zip_member_with_a_huge_compression_ratio_is_refused_in_bounded_work(bounded):
    assert bomb_size(bounded, "zip") < 1024 * 1024
    section, row, field, message = bounded_read(bounded, "zip")[0]
    assert (section, row, field) == ("package", 1, "-")
    assert "firms.csv expands to 275 MiB, more than the 256 MiB" in message


@bomb("zip liar")
def _zip_liar(folder):
    return bombs.zip_of(folder / "liar.zip", {"firms.csv": ("ref,name,kind,region\r\nF1,", "a" * 65536, 4400, "")},
                        declare={"firms.csv": 1000})


def test_a_zip_member_longer_than_it_declares_is_refused_in_bounded_work(bounded):
    section, row, field, message = bounded_read(bounded, "zip liar")[0]
    assert (section, field) == ("package", "-") and "not a readable .zip file" in message


def test_too_many_csv_files_in_a_zip_are_refused(tmp_path):
    path = bombs.zip_of(tmp_path / "many.zip", {f"s{i}.csv": "a\r\n" for i in range(300)})
    assert "more than 256 CSV files" in refused(path)[3]


# --- CSV ----------------------------------------------------------------------------------------------

def _csv(tmp_path, text, name="firms.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("length", [32_768, 200_000])
def test_a_huge_csv_field_is_refused_naming_its_row_and_field(tmp_path, length):
    """Past Excel's 32,767 characters, and past the csv module's own limit (once an uncaught csv.Error)."""
    path = _csv(tmp_path, 'ref,name,kind,region\r\nF1,ok,sme,230102\r\nF2,"' + "长\n" * (length // 2) + '",sme,230102\r\n')
    assert refused(path) == ("firms", 3, "name", "longer than 32,767 characters (IMPORT_MAX_FIELD_CHARS) (内容过长)")


@bomb("csv field")
def _csv_field(folder):
    path = folder / "firms.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("ref,name,kind,region\r\nF1,")
        for _ in range(3000):
            fh.write("a" * 65536)
    return path


def test_a_huge_csv_field_is_refused_in_bounded_work(bounded):
    section, row, field, message = bounded_read(bounded, "csv field")[0]
    assert (section, row, field) == ("firms", 2, "-") and "a line is longer than 1,048,576 characters" in message


def test_csv_rows_columns_lines_and_cells_are_capped(tmp_path):
    rows = _csv(tmp_path, "ref,name,kind,region\r\n" + "F,n,sme,230102\r\n" * 20)
    assert refused(rows, Limits(rows=10))[:3] == ("firms", 11, "-")
    assert refused(rows, Limits(cells=30))[:3] == ("firms", 8, "-")
    wide = _csv(tmp_path, "ref,name,kind,region\r\n" + ",".join(["x"] * 40) + "\r\n", "wide.csv")
    assert refused(wide, Limits(columns=16), filename="firms.csv")[:3] == ("firms", 2, "-")
    line = _csv(tmp_path, "ref,name,kind,region\r\nF1," + "n" * 200 + ",sme,230102\r\n", "line.csv")
    assert refused(line, Limits(line_chars=100), filename="firms.csv")[:3] == ("firms", 2, "-")


def test_a_file_object_is_capped_while_it_streams(tmp_path):
    """An upload read from a stream (no size known in advance) stops once it passes the part limit."""
    data = ("ref,name,kind,region\r\n" + "F1,n,sme,230102\r\n" * 100_000).encode()
    assert "holds more than" in refused(io.BytesIO(data), Limits(part_bytes=1024 * 1024), filename="firms.csv")[3]


# --- JSON ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, depth", [('{"firms": ' + "[" * DEEP + "]" * DEEP + "}", DEEP + 1),
                                         ('{"firms": [' + '{"a":' * DEEP + "1" + "}" * DEEP + "]}", DEEP + 2),
                                         ("[" * DEEP, DEEP),  # never closed
                                         ('{"a": "' + "[" * DEEP + '"}', None)])  # inside a string: no nesting
def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(tmp_path, text, depth):
    path = _csv(tmp_path, text, "deep.json")
    if depth is None:
        assert [p.field for p in read_package(path).problems] == ["-"]  # just an unknown section
        return
    assert refused(path) == ("package", 1, "-", f"the JSON is nested {depth:,} levels deep; at most 20 are read "
                             "(a package needs 4) (IMPORT_MAX_JSON_DEPTH) (JSON嵌套过深)")


@bomb("json")
def _json(folder):
    return _csv(folder, '{"firms": ' + "[" * DEEP + "]" * DEEP + "}", "deep.json")


def test_deeply_nested_json_is_refused_in_bounded_work(bounded):
    assert "the JSON is nested 100,001 levels deep" in bounded_read(bounded, "json")[0][3]


def test_json_nesting_within_the_limit_is_read_and_strings_do_not_count(tmp_path):
    path = _csv(tmp_path, json.dumps({"firms": [{"ref": "[[[[[[{{{{{{" * 10, "blockers": [["x"]]}]}), "ok.json")
    raw = read_package(path, limits=Limits(json_depth=5))  # package, section, record, list, list
    assert raw.sections["firms"][0][1]["ref"].startswith("[[[[")
    assert "levels deep" in refused(path, Limits(json_depth=4))[3]


def test_json_values_records_and_lengths_are_capped(tmp_path):
    many = _csv(tmp_path, json.dumps({"firms": [{"ref": str(i)} for i in range(50)]}), "many.json")
    assert "more than 40 values" in refused(many, Limits(cells=40))[3]
    assert refused(many, Limits(rows=20))[:3] == ("firms", 21, "-")
    items = _csv(tmp_path, json.dumps({"firms": [{"ref": "F1", "blockers": ["x"] * 100}]}), "items.json")
    assert "more than 40 values" in refused(items, Limits(cells=40))[3]
    long = _csv(tmp_path, json.dumps({"firms": [{"ref": "F1"}, {"ref": "F2", "note": "x" * 40_000}]}), "long.json")
    assert refused(long)[:3] == ("firms", 3, "note")
    key = _csv(tmp_path, json.dumps({"firms": [{"k" * 100_000: 1}]}), "key.json")
    assert refused(key)[:2] == ("firms", 2) and len(refused(key)[2]) < 70


def test_a_5000_digit_number_is_a_clear_error(tmp_path):
    path = _csv(tmp_path, '{"firms": [{"ref": "F1", "workers_back": ' + "9" * 5000 + "}]}", "digits.json")
    raw = read_package(path)
    assert [p.message.split(":")[0] for p in raw.problems] == ["not valid JSON"]


# --- the limits themselves -----------------------------------------------------------------------------

def test_limits_from_config_default_and_can_only_be_lowered_past_excels():
    assert Limits.from_config({}) == Limits()
    limits = Limits.from_config({"IMPORT_MAX_ROWS": "5000000", "IMPORT_MAX_COLUMNS": "100", "IMPORT_MAX_CELLS": "7",
                                 "IMPORT_MAX_PART_MB": "2", "IMPORT_MAX_TOTAL_MB": "", "IMPORT_MAX_JSON_DEPTH": 6})
    assert (limits.rows, limits.columns, limits.cells, limits.part_bytes, limits.total_bytes, limits.json_depth) == (
        1_048_576, 100, 7, 2 * 1024 * 1024, Limits().total_bytes, 6)
    with pytest.raises(ValueError):
        Limits.from_config({"IMPORT_MAX_CELLS": "0"})


def test_import_reads_with_the_configured_limits(app, tmp_path, base, monkeypatch):
    from matchmaker.services.packages import import_package

    monkeypatch.setitem(app.config, "IMPORT_MAX_CELLS", "5")
    path = _csv(tmp_path, json.dumps(base), "p.json")
    before = counts()
    with pytest.raises(PackageInvalid) as info:
        import_package(path, reference=False)
    assert "more than 5 values (IMPORT_MAX_CELLS)" in str(info.value.problems[0])
    assert counts() == before


# --- `matchmaker import` --------------------------------------------------------------------------------

def test_cli_import_of_deep_json_prints_a_clear_error_not_a_traceback(runner, tmp_path):
    path = _csv(tmp_path, '{"firms": ' + "[" * DEEP + "]" * DEEP + "}", "deep.json")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.splitlines()[0].startswith(f"package row 1 field -: the JSON is nested {DEEP + 1:,} levels deep")
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_cli_import_of_a_sheet_past_excels_rows_prints_the_row(runner, tmp_path):
    path = bombs.workbook(tmp_path / "rows.xlsx", bombs.sheet(
        '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>F1</t></is></c></row>'))
    before = counts()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.splitlines()[0].startswith("firms row 1048577 field -: row 1,048,577 is past the last row")
    assert counts() == before


def test_cli_import_of_a_zip_bomb_prints_the_member(runner, tmp_path):
    path = bombs.zip_of(tmp_path / "bomb.zip", {"pkg/firms.csv": ("ref\r\n", "a" * 65536, 4400, "")})
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("package row 1 field -: pkg/firms.csv expands to 275 MiB")


def test_zip_members_are_read_only_when_stored_or_deflated(tmp_path):
    path = tmp_path / "bz.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("firms.csv", "ref\r\nF1\r\n")
    assert "unsupported method" in refused(path)[3]
