"""On the shipped demo data: every kind of break, JSON, xlsx and page agree, and what-if."""
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from graphs import KINDS
from matchmaker.infra.labels import report_vocabulary
from matchmaker.models import Firm
from matchmaker.services import reports


@pytest.fixture
def demo(app, db):
    from matchmaker.services.demo import load_demo

    load_demo()
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return reports.report_data(None, "2020-W12")


def test_demo_report_names_every_kind_and_exports_agree(app, db, demo, tmp_path):
    assert {b["kind"] for b in demo["breaks"]} == set(KINDS)
    severities = [b["severity"] for b in demo["breaks"]]
    assert severities == sorted(severities, reverse=True)
    assert sum(demo["summary"]["by_kind"].values()) == len(demo["breaks"])
    assert sum(demo["summary"]["by_level"].values()) == len(demo["breaks"])
    up = [b for b in demo["breaks"] if b["kind"] == "upstream_break"]
    assert all(len(set(b["path"])) == len(b["path"]) and b["tier"] >= 2 for b in up)
    reports.write_report_file(demo, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == demo
    wb = load_workbook(io.BytesIO(reports.report_workbook(demo, report_vocabulary()).getvalue()))
    rows = list(wb["断链清单"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3] or None, r[4], r[5]) for r in rows] == [
        (b["buyer"], b["supplier"], b["category"], b["quantity"]) for b in demo["breaks"]]
    client = app.test_client()
    assert client.post("/login", data={"email": "province@demo.example.cn",
                                       "password": _demo_password()}).status_code == 302
    html = client.get("/reports/2020-W12/print?limit=100000").get_data(as_text=True)
    table = html[html.index('id="print-breaks"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr><td>") == len(demo["breaks"])
    for b in demo["breaks"][:20]:
        assert f"<td>{b['buyer']}</td>" in table


def _demo_password():
    from matchmaker.services import demo as d

    return getattr(d, "DEMO_PASSWORD", None) or "demo-password"


def test_what_if_on_the_demo_data(app, db, demo):
    # stop the SME that supplies the most leading firms: its buyers' supply breaks, and the cascade
    sup = db.session.execute(sa.text(
        "SELECT f.ref FROM link l JOIN firm f ON f.id = l.supplier_id JOIN firm b ON b.id = l.buyer_id "
        "WHERE l.active AND f.operating AND b.kind = 'leading' GROUP BY f.ref ORDER BY count(*) DESC, f.ref LIMIT 1"
    )).scalar()
    res = reports.what_if(None, firms=[sup], as_of=reports.week_monday("2020-W12"))
    kinds = {(b["kind"], b["supplier"]) for b in res["new"]}
    assert ("supplier_down", sup) in kinds
    buyers = {b for b, in db.session.execute(sa.text(
        "SELECT b.ref FROM link l JOIN firm f ON f.id = l.supplier_id JOIN firm b ON b.id = l.buyer_id "
        "WHERE l.active AND f.ref = :s"), {"s": sup})}
    assert {b["buyer"] for b in res["new"] if b["kind"] == "supplier_down" and b["supplier"] == sup} == buyers
    assert all(b["supplier"] != sup or b["kind"] not in ("supplier_strained",) for b in res["new"])
    assert db.session.scalar(sa.select(Firm.operating).where(Firm.ref == sup)) is True  # nothing stored
