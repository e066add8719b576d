"""The printable report page agrees with the report file."""

from matchmaker.services import reports
from tests import factories as f
from tests.reports.test_report_vocabulary import PAPER_WORDS


def _login(client, email):
    assert client.post("/login", data={"email": email, "password": "correct horse 1"}).status_code == 302
    return client


def test_print_page_lists_the_breaks_of_the_region(app, db):
    b = f.firm("B", kind="leading", region_code="230102", industry="C", park="哈经开区")
    s = f.firm("S", region_code="230102", operating=False, blockers=["labour"])
    f.link(s, b, "C1", 40.0)
    f.user("staff", region_code="230102", email="county@example.cn")
    f.user("firm", firm_row=b, email="lead@example.cn")
    db.session.commit()
    client = _login(app.test_client(), "county@example.cn")
    assert client.get("/reports/latest/print").status_code == 404
    reports.write_weekly_report("2020-W12")
    page = client.get("/reports/2020-W12/print")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = reports.report_data(None, "2020-W12")
    assert html.count("<tr><td>") >= len(data["breaks"])
    for brk in data["breaks"]:
        assert PAPER_WORDS["kind"][brk["kind"]] in html
    assert "供应商停产" in html and "用工" in html and "哈经开区" in html
    lead = _login(app.test_client(), "lead@example.cn")
    assert lead.get("/reports/2020-W12/print").status_code == 403
