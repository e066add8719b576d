"""Breaks stay per category and name the products at stake, each with its unit (issue 10, item 7):
the report file, the stored report's pages, the workbook, the printable page and what-if."""
import io
import json
from datetime import date

from openpyxl import load_workbook

from matchmaker.infra.labels import report_vocabulary
from matchmaker.services import reports
from tests import factories as f

HRB = "230102"


def _world(db):
    """A dairy B buying raw milk (t) and heifers (head) from a stopped farm S in one category
    (C1), and by category only from T (live, strained); an uncovered need for raw milk."""
    f.category("C1", unit="t")
    f.product("P-MILK", "C1", name_zh="生鲜乳", name_en="raw milk")
    f.product("P-HEIFER", "C1", unit="head", name_zh="奶牛", name_en="heifers")
    b = f.firm("B", kind="leading", region_code=HRB)
    s = f.firm("S", region_code=HRB, operating=False, blockers=["labour"])
    t = f.firm("T", region_code=HRB, blockers=["funds"])
    f.link(s, b, "C1", 30.0, product_code="P-MILK")
    f.link(s, b, "C1", 10.0, product_code="P-MILK")
    f.link(s, b, "C1", 4.0, product_code="P-HEIFER")
    f.link(t, b, "C1", 25.0)
    f.need(b, "C1", quantity=12.0, needed_by=date(2020, 3, 30), ref="N-MILK", product_code="P-MILK")
    f.user("staff", region_code=HRB, email="county@example.cn")
    db.session.commit()


def _by_kind(data):
    return {(b["kind"], b["supplier"]): b for b in data["breaks"]}


def test_breaks_stay_per_category_and_name_the_products_at_stake_with_units(db, tmp_path):
    _world(db)
    reports.write_weekly_report("2020-W12")
    data = reports.report_data(None, "2020-W12")
    found = _by_kind(data)
    down = found["supplier_down", "S"]
    # one break for the category: the edge S -> B in C1, its quantity the sum as before
    assert (down["category"], down["quantity"]) == ("C1", 44.0)
    assert down["unit"] is None  # t and head: no one unit for the quantity
    assert down["products"] == [{"product": "P-HEIFER", "unit": "head", "quantity": 4.0},
                                {"product": "P-MILK", "unit": "t", "quantity": 40.0}]
    strained = found["supplier_strained", "T"]
    assert strained["unit"] == "t" and strained["products"] == [{"product": None, "unit": "t", "quantity": 25.0}]
    need = next(b for b in data["breaks"] if b["kind"] in ("uncovered_need", "chain_gap"))
    assert need["unit"] == "t" and need["products"] == [{"product": "P-MILK", "unit": "t", "quantity": 12.0}]
    # the file written a row at a time says the same as the report data
    out = tmp_path / "r.json"
    reports.export_report(None, "2020-W12", out)
    assert json.loads(out.read_text(encoding="utf-8"))["breaks"] == data["breaks"]
    # the workbook: the unit beside the quantity, the products named with theirs
    book = load_workbook(io.BytesIO(reports.report_xlsx(None, "2020-W12", report_vocabulary())[0].getvalue()))
    rows = {(r[1], r[3]): r for r in book["断链清单"].iter_rows(min_row=2, values_only=True)}
    assert rows["供应商停产", "S"][5:8] == (44, None, "奶牛 4 头；生鲜乳 40 吨")
    assert rows["供应商受阻", "T"][5:8] == (25, "吨", "按品类 25 吨")


def test_pages_print_and_what_if_name_the_products_with_their_units(app, db):
    _world(db)
    reports.write_weekly_report("2020-W12")
    client = app.test_client()
    assert client.post("/login", data={"email": "county@example.cn",
                                       "password": "correct horse 1"}).status_code == 302
    page = client.get("/taskforce/report?week=2020-W12").get_data(as_text=True)
    assert "生鲜乳" in page and "40 吨" in page and "4 头" in page and "25 吨" in page
    assert "12 吨" in page  # the need not covered, in its product's unit
    assert '按品类 <span class="muted">25' not in page  # goods by category only: the quantity says it all
    html = client.get("/reports/2020-W12/print").get_data(as_text=True)
    assert "奶牛 4 头；生鲜乳 40 吨" in html and "按品类 25 吨" in html
    stored = reports.list_breaks(None, "2020-W12", {"kind": "supplier_down"})[0]
    detail = client.get(f"/taskforce/breaks/{stored['id']}").get_data(as_text=True)
    assert 'id="break-products"' in detail and "生鲜乳" in detail and "4 头" in detail
    what_if = reports.what_if(None, ["T"], as_of=date(2020, 3, 16))
    new = {(b["kind"], b["supplier"]): b for b in what_if["new"]}
    assert new["supplier_down", "T"]["products"] == [{"product": None, "unit": "t", "quantity": 25.0}]
    assert new["supplier_down", "T"]["unit"] == "t"
