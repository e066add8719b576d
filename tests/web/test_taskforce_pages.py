"""Task-force pages: the weekly report with filters, the break workflow, charts, .xlsx, what-if."""
import io
import re

import openpyxl
import pytest

from matchmaker.models.report import Break
from matchmaker.services import reports
from tests import factories


@pytest.fixture
def report(world, db):
    """A stopped supplier (S2, same county as L1) and a strained one (S3, the next county); this week's report."""
    s2 = factories.firm("S2", kind="sme", region_code="230102", name="停产供应商", operating=False,
                        blockers=["labour"], industry="C", park="道里工业园")
    s3 = factories.firm("S3", kind="sme", region_code="230103", name="受阻供应商", blockers=["transport"],
                        industry="F", park="南岗园")
    factories.link(s2, world["lead"], "C1", quantity_per_week=30)
    factories.link(s3, world["lead"], "C2", quantity_per_week=5)
    db.session.commit()
    reports.write_weekly_report(as_of=world["today"])
    return db.session.scalars(db.select(Break)).all()


def _row_kinds(html):
    return re.findall(r'<tr class="sev-\w+" data-kind="(\w+)">', html)


def test_report_lists_breaks_by_severity_for_the_officials_region(as_user, report):
    page = as_user("county").get("/taskforce/report").text
    kinds = _row_kinds(page)
    assert "supplier_down" in kinds
    assert "停产供应商" in page and "员工返岗" in page
    # the city task force sees the city's breaks too (the strained one is city level)
    city_kinds = _row_kinds(as_user("city").get("/taskforce/report").text)
    assert set(kinds) <= set(city_kinds) and "supplier_strained" in city_kinds


def test_report_filters(as_user, report):
    c = as_user("city")
    assert set(_row_kinds(c.get("/taskforce/report?kind=supplier_down").text)) == {"supplier_down"}
    assert set(_row_kinds(c.get("/taskforce/report?factor=transport").text)) == {"supplier_strained"}
    assert _row_kinds(c.get("/taskforce/report?level=province").text) == []
    assert "supplier_down" in _row_kinds(c.get("/taskforce/report?state=new").text)
    assert _row_kinds(c.get("/taskforce/report?state=continuing").text) == []
    assert "supplier_down" in _row_kinds(c.get("/taskforce/report?industry=C&park=哈经开区").text)


def test_assign_escalate_and_close_a_break(as_user, world, report, db):
    down = next(b for b in report if b.kind == "supplier_down")
    c = as_user("county")
    page = c.get(f"/taskforce/breaks/{down.id}").text
    assert 'id="assign-form"' in page and 'id="close-form"' in page
    staff_id = world["users"]["county"].id
    resp = c.post(f"/taskforce/breaks/{down.id}/assign", data={"assign-assignee": str(staff_id), "assign-note": "请跟进"})
    assert resp.status_code == 302
    db.session.refresh(down)
    assert (down.status, down.assignee_id) == ("assigned", staff_id)
    assert re.search(r'id="assigned-count">1<', c.get("/").text)
    resp = c.post(f"/taskforce/breaks/{down.id}/escalate", data={"escalate-note": "县里解决不了"})
    assert resp.status_code == 302
    db.session.refresh(down)
    assert down.level == "city"
    # Now the city owns it: the county may no longer act on it.
    assert 'id="close-form"' not in c.get(f"/taskforce/breaks/{down.id}").text
    city = as_user("city")
    # Closing needs a note: the message is at the field.
    resp = city.post(f"/taskforce/breaks/{down.id}/close", data={"close-note": ""})
    assert resp.status_code == 422 and 'id="close-note-error"' in resp.text
    resp = city.post(f"/taskforce/breaks/{down.id}/close", data={"close-note": "已协调复工"})
    assert resp.status_code == 302
    db.session.refresh(down)
    assert down.status == "closed" and down.note == "已协调复工"
    history = as_user("city").get(f"/taskforce/breaks/{down.id}").text
    assert "已协调复工" in history and 'id="close-form"' not in history


def test_firm_users_cannot_see_the_report(as_user, report):
    assert as_user("lead").get("/taskforce/report").status_code == 403


def test_xlsx_download_opens_with_openpyxl(as_user, report):
    resp = as_user("county").get("/taskforce/report.xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=weekly-report-")
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert len(book.sheetnames) >= 2
    text = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    assert "S2" in text


def test_charts_page_draws_svg(as_user, report):
    page = as_user("city").get("/taskforce/charts").text
    for chart in ("chart-industry", "chart-park", "chart-weeks"):
        assert f'id="{chart}"' in page
    assert page.count('class="bar-fill"') >= 4 and "<polyline" in page


def test_firm_breaks_page_and_chain_map_mark_the_stopped_supplier(as_user, report):
    c = as_user("lead")
    assert "停产供应商" in c.get("/firm/breaks").text
    chain = c.get("/firm/chain").text
    assert "data-graph=" in chain and "供应商停产" in chain


def test_what_if_shows_the_cascade(as_user, world, report):
    c = as_user("city")
    form = c.get("/taskforce/what-if").text
    assert '<option value="S3">' in form.replace(' selected', '') or 'value="S3"' in form
    resp = c.post("/taskforce/what-if", data={"counties": ["230103"]})
    assert resp.status_code == 200
    assert 'id="whatif-map"' in resp.text and 'id="whatif-breaks"' in resp.text
    resp = c.post("/taskforce/what-if", data={})
    assert resp.status_code == 422 and 'id="firms-error"' in resp.text


def test_report_page_before_any_report(as_user, world):
    page = as_user("county").get("/taskforce/report").text
    assert 'id="no-report"' in page


def test_what_if_takes_typed_refs_where_a_list_would_be_too_long(as_user, report, monkeypatch):
    from matchmaker.web import taskforce

    monkeypatch.setattr(taskforce, "PICK_LIST_MAX", 1)
    c = as_user("city")
    form = c.get("/taskforce/what-if").text
    assert 'id="firm_refs"' in form and 'id="firms"' not in form
    resp = c.post("/taskforce/what-if", data={"firm_refs": "S3, NOPE"})
    assert resp.status_code == 422 and 'id="firm_refs-error"' in resp.text and "NOPE" in resp.text
    assert "未知企业 NOPE" in resp.text  # the service's message in the user's language (issue 13)
    resp = c.post("/taskforce/what-if", data={"firm_refs": "S3"})
    assert resp.status_code == 200 and 'id="whatif-breaks"' in resp.text
