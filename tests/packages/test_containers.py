"""The three containers: rows counted as a spreadsheet user counts them, CSV as Excel writes it,
typed xlsx cells, and lossless round trips."""
import io
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Need, Offer, Region
from matchmaker.packages.readers import read_package
from matchmaker.services.packages import export_package, import_package

FIRM_HEADER = "ref,name,kind,region,operating,blockers,park"


def write_csv(folder, section, text, bom=True, crlf=True):
    folder.mkdir(exist_ok=True)
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = text.encode("utf-8")
    (folder / f"{section}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return folder


@pytest.fixture
def stored_regions(load, base):
    load({"regions": base["regions"], "categories": base["categories"]})


def test_csv_rows_count_a_quoted_line_break_as_one_row(tmp_path, stored_regions, problems):
    folder = write_csv(tmp_path / "pkg", "firms", FIRM_HEADER + "\n"
                       'F1,"甲\n第二行",leading,230102,true,,"园区\n一"\n'
                       "F2,乙,huge,230102,true,,\n")
    assert problems(path=folder) == [("firms", 3, "kind")]


def test_csv_with_bom_and_crlf_imports(tmp_path, stored_regions):
    folder = write_csv(tmp_path / "pkg", "firms", FIRM_HEADER + "\nF1,甲,leading,230102,是,labour;funds,一园\n")
    assert (folder / "firms.csv").read_bytes().startswith(b"\xef\xbb\xbfref,")
    assert b"\r\n" in (folder / "firms.csv").read_bytes()
    import_package(folder, reference=False)
    firm = db.session.scalar(sa.select(Firm))
    assert (firm.ref, firm.operating, firm.blockers, firm.park) == ("F1", True, ["labour", "funds"], "一园")


def test_csv_without_bom_and_with_blank_lines(tmp_path, stored_regions, problems):
    folder = write_csv(tmp_path / "pkg", "firms", FIRM_HEADER + "\n\nF1,甲,leading,230102,,,\nF2,,sme,230102,,,\n",
                       bom=False, crlf=False)
    assert problems(path=folder) == [("firms", 4, "name")]  # the blank line is row 2


def test_csv_lists_are_semicolon_separated(tmp_path, load, base):
    load(base)
    folder = write_csv(tmp_path / "pkg", "needs", "ref,firm,category,quantity,needed_by,terms\n"
                       "N1,F1,C1,10,2020-04-01,order_first; pay_first\n")
    import_package(folder, reference=False)
    assert db.session.scalar(sa.select(Need.terms)) == ["order_first", "pay_first"]


def test_unknown_csv_column_is_reported_at_row_1(tmp_path, stored_regions, problems):
    folder = write_csv(tmp_path / "pkg", "firms", "ref,name,kind,region,colour\nF1,甲,sme,230102,red\n")
    assert problems(path=folder) == [("firms", 1, "colour")]


def test_unknown_csv_file_is_an_unknown_section(tmp_path, stored_regions, problems):
    folder = write_csv(tmp_path / "pkg", "firm", "ref,name,kind,region\nF1,甲,sme,230102\n")
    assert problems(path=folder) == [("firm", 1, "-")]


def test_missing_required_column_is_reported_once_at_row_1(tmp_path, stored_regions, problems):
    folder = write_csv(tmp_path / "pkg", "firms", "ref,name,region\nF1,甲,230102\nF2,乙,230102\n")
    assert problems(path=folder) == [("firms", 1, "kind")]


def test_zip_of_csv_files(tmp_path, stored_regions):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("package/firms.csv", "\ufeff" + FIRM_HEADER + "\r\nF1,甲,sme,230102,否,,\r\n")
    buffer.seek(0)
    result = import_package(buffer, filename="upload.zip", reference=False)
    assert result.created == {"firms": 1}
    assert db.session.scalar(sa.select(Firm.operating)) is False


def _workbook(path, sheets):
    wb = Workbook()
    wb.remove(wb.active)
    wb.create_sheet("Sheet1")  # an empty sheet, as Excel leaves one, is ignored
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_xlsx_typed_cells(tmp_path, load, base):
    load(base)
    path = _workbook(tmp_path / "p.xlsx", {
        "firms": [["ref", "name", "kind", "region", "operating", "capacity_utilization", "blockers"],
                  ["F5", "戊", "sme", 230102, False, 0.75, "labour;transport"]],
        "offers": [["ref", "firm", "category", "quantity", "available_from", "available_until", "lead_time_days"],
                   [1001, "F5", "C1", 12.5, datetime(2020, 3, 2), date(2020, 4, 30), 3]],
    })
    import_package(path, reference=False)
    firm = db.session.scalar(sa.select(Firm).where(Firm.ref == "F5"))
    assert (firm.operating, firm.capacity_utilization, firm.region_code) == (False, 0.75, "230102")
    assert firm.blockers == ["labour", "transport"]
    offer = db.session.scalar(sa.select(Offer).where(Offer.ref == "1001"))
    assert (offer.quantity, offer.available_from, offer.available_until, offer.lead_time_days) == (
        12.5, date(2020, 3, 2), date(2020, 4, 30), 3)


def test_xlsx_rows_and_unknown_columns(tmp_path, load, base, problems):
    load(base)
    path = _workbook(tmp_path / "p.xlsx", {
        "firms": [["ref", "name", "kind", "region", "colour"],
                  ["F5", "戊", "sme", "230102", None],
                  [None, None, None, None, None],
                  ["F6", "己", "sme", "230100", None]],
        "widgets": [["a"], [1]],
    })
    assert problems(path=path) == [("widgets", 1, "-"), ("firms", 1, "colour"), ("firms", 4, "region")]


def test_reading_counts_rows_in_every_container(tmp_path):
    (tmp_path / "p.json").write_text('{"firms": [{"ref": "a"}, {"ref": "b"}]}')
    assert [row for row, _ in read_package(tmp_path / "p.json").sections["firms"]] == [2, 3]


def test_upsert_replaces_the_record_with_defaults_for_fields_left_out(load, base):
    base["firms"][1].update(operating=False, blockers=["labour"], park="一园", capacity_utilization=0.3)
    base["offers"][0].update(lead_time_days=5, status="closed", note="备注", help_wanted=["funds"])
    load(base)
    version = db.session.scalar(sa.select(Firm.version).where(Firm.ref == "F2"))
    firm_id = db.session.scalar(sa.select(Firm.id).where(Firm.ref == "F2"))
    result = load({
        "firms": [{"ref": "F2", "name": "中小乙改", "kind": "sme", "region": "230102", "park": ""}],
        "offers": [{"ref": "O1", "firm": "F2", "category": "C2", "quantity": 7, "available_from": "2020-03-05"}],
    })
    assert result.replaced == {"firms": 1, "offers": 1} and result.created == {"firms": 0, "offers": 0}
    db.session.expire_all()
    firm = db.session.scalar(sa.select(Firm).where(Firm.ref == "F2"))
    assert (firm.id, firm.name, firm.region_code) == (firm_id, "中小乙改", "230102")
    assert (firm.operating, firm.blockers, firm.park, firm.capacity_utilization) == (True, [], None, None)
    assert firm.version == version + 1
    offer = db.session.scalar(sa.select(Offer).where(Offer.ref == "O1"))
    assert (offer.lead_time_days, offer.status, offer.note, offer.help_wanted, offer.category_code) == (
        0, "open", None, [], "C2")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Firm)) == 2


def test_region_upsert_keeps_what_the_package_does_not_hold(load, base):
    load(base)
    region = db.session.get(Region, "230102")
    region.approx_location = True
    db.session.commit()
    base["regions"][2]["risk"] = "high"
    load({"regions": base["regions"]})
    db.session.expire_all()
    region = db.session.get(Region, "230102")
    assert (region.risk, region.approx_location) == ("high", True)  # same point: still approximate
    load({"regions": [dict(base["regions"][2], lat=45.0, risk=None)]})
    db.session.expire_all()
    region = db.session.get(Region, "230102")
    assert (region.risk, region.approx_location, region.lat) == ("low", False, 45.0)


def test_category_upsert_replaces_inputs(load, base):
    load(base)
    load({"categories": [{"code": "C1", "name": "原料", "unit": "kg", "inputs": ["C2"]},
                         {"code": "C2", "name": "产品", "unit": "piece"}]})
    from matchmaker.services.packages import stored_package

    categories = {c["code"]: c for c in stored_package()["categories"]}
    assert categories["C1"]["inputs"] == ["C2"] and categories["C1"]["unit"] == "kg"
    assert categories["C2"]["inputs"] == []


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out_csv"])
def test_small_package_round_trip(tmp_path, load, base, name, app):
    base["firms"][0].update(operating="否", blockers=["labour", "ppe"], capacity_utilization=0.123456789,
                            park="哈尔滨经开区", contact_email="a@b.cn")
    base["needs"][0].update(terms=["pay_first", "order_first"], note='多行\n"引号", 逗号', max_unit_price=12.5)
    base["offers"][0].update(available_until="2020-05-01", delivery_radius_km=250, help_wanted=["funds"])
    base["links"][0]["active"] = False
    load(base)
    first, second = tmp_path / ("a_" + name), tmp_path / ("b_" + name)
    export_package(first)
    exported = _snapshot()
    _empty()
    import_package(first, reference=False)
    assert _snapshot() == exported
    export_package(second)
    assert _files(first) == _files(second)


def _snapshot():
    from matchmaker.services.packages import stored_package

    return stored_package()


def _empty():
    from tests.conftest import _empty_tables

    db.session.rollback()
    _empty_tables()


def _files(path):
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    return path.read_bytes()


def test_export_writes_csv_as_excel_does(tmp_path, load, base):
    load(base)
    export_package(tmp_path / "out")
    raw = (tmp_path / "out" / "regions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcode,name,level,parent,lat,lon,risk\r\n")
    assert b"\r\n230102," in raw
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "categories.csv", "deliveries.csv", "firms.csv", "links.csv", "needs.csv", "offers.csv", "orders.csv",
        "payments.csv", "products.csv", "regions.csv"]


def _openpyxl_sections(path):
    """The sections as openpyxl (read-only, cached values) reads the workbook: the reference the
    service's streaming reader is held to (the service itself never hands a file to openpyxl)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sections = {}
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()
            rows = list(sheet.iter_rows(values_only=True))
            if not any(v is not None and str(v).strip() for row in rows for v in row):
                continue
            header = ["" if h is None else str(h).strip().lower() for h in rows[0]]
            sections[sheet.title] = [
                (n, {name: row[i] for i, name in enumerate(header) if name and i < len(row)})
                for n, row in enumerate(rows[1:], start=2)
                if any(v is not None and str(v).strip() for v in row)]
    finally:
        workbook.close()
    return sections


def test_exported_xlsx_reads_the_same_with_openpyxl(tmp_path, load, base):
    from openpyxl import load_workbook

    base["offers"][0].update(available_until="2020-05-01", note="=SUM(A1)  <b>&")
    load(base)
    export_package(tmp_path / "out.xlsx")
    fast = read_package(tmp_path / "out.xlsx")
    assert fast.sections == _openpyxl_sections(tmp_path / "out.xlsx") and not fast.problems
    sheet = load_workbook(tmp_path / "out.xlsx")["offers"]
    assert [c.value for c in sheet[1]][:6] == ["ref", "firm", "category", "product", "quantity", "available_from"]
    row = {h.value: c for h, c in zip(sheet[1], sheet[2])}
    assert row["available_from"].is_date and row["available_from"].value.date() == date(2020, 3, 1)
    assert row["quantity"].value == 40 and row["note"].value == "=SUM(A1)  <b>&"
    assert row["note"].data_type == "s"


def test_csv_saved_by_chinese_excel_as_gb18030_is_read(tmp_path, stored_regions):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "firms.csv").write_bytes((FIRM_HEADER + "\r\nF1,哈尔滨甲企业,sme,230102,是,,\r\n").encode("gb18030"))
    import_package(folder, reference=False)
    assert db.session.scalar(sa.select(Firm.name)) == "哈尔滨甲企业"


def test_progress_is_reported_up_to_the_total(load, base):
    calls = []
    load(base, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(b[0] >= a[0] for a, b in zip(calls, calls[1:]))


def _excel_like_workbook(path):
    """A workbook as Excel writes it: shared strings (one rich text), a built-in date style,
    a boolean, a formula's cached string, sparse cells and a gap row."""
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {main} xmlns:r="{rel}"><sheets>'
        '<sheet name="offers" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {main}>' + "".join(
            f"<si><t>{s}</t></si>" for s in ["ref", "firm", "category", "quantity", "available_from", "status",
                                              "note", "O7", "F1", "C1"])
        + "<si><r><t>多</t></r><r><rPr><b/></rPr><t>格式</t></r></si></sst>",
        "xl/styles.xml": f'<?xml version="1.0"?><styleSheet {main}><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {main}><sheetData>'
        '<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEFG")) + "</row>"
        '<row r="3"><c r="A3" t="s"><v>7</v></c><c r="B3" t="s"><v>8</v></c><c r="C3" t="s"><v>9</v></c>'
        '<c r="D3"><v>12.5</v></c><c r="E3" s="1"><v>43891</v></c><c r="F3" t="str"><f>LOWER("OPEN")</f>'
        '<v>open</v></c><c r="G3" t="s"><v>10</v></c></row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_xlsx_as_excel_writes_it(tmp_path, load, base, problems):
    load(base)
    path = _excel_like_workbook(tmp_path / "excel.xlsx")
    raw = read_package(path)
    assert raw.sections["offers"] == [(3, {"ref": "O7", "firm": "F1", "category": "C1", "quantity": 12.5,
                                           "available_from": datetime(2020, 3, 1), "status": "open",
                                           "note": "多格式"})]
    assert _openpyxl_sections(path) == raw.sections
    import_package(path, reference=False)
    offer = db.session.scalar(sa.select(Offer).where(Offer.ref == "O7"))
    assert (offer.quantity, offer.available_from, offer.note) == (12.5, date(2020, 3, 1), "多格式")
