"""A report read a page at a time (issue 14): the report API's pages and the SQL counts answer
what the whole report file answers, for every reader."""
import json

import pytest

from matchmaker.models import User
from matchmaker.services import reports
from tests import factories as f

COUNTIES = ("230102", "230103", "230202")


@pytest.fixture
def busy_report(db):
    """A report with breaks of several kinds, counties and equal severities (ties to order)."""
    for code in COUNTIES:
        f.region(code)
    f.category("C1")
    f.category("C2", inputs=["C1"])
    buyers = [f.firm(f"B{i}", kind="leading" if i % 2 else "sme", region_code=COUNTIES[i % 3]) for i in range(6)]
    downs = [f.firm(f"S{i}", region_code=COUNTIES[(i + 1) % 3], operating=i % 2 == 0,
                    blockers=[("labour", "funds", "transport")[i % 3]]) for i in range(6)]
    for i, b in enumerate(buyers):
        f.link(downs[i], b, "C1", 40.0)             # equal quantities: equal severities
        f.link(downs[(i + 1) % 6], b, "C1", 40.0)
        f.link(b, buyers[(i + 1) % 6], "C2", 10.0 + i)  # upstream breaks one tier on
    f.need(buyers[0], "C2", quantity=30.0)
    staff = {code: f.user("staff", region_code=code, email=f"s{code}@example.cn") for code in ("230102", "230100")}
    admin = f.user("admin", email="admin@example.cn")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return [None, admin, *staff.values()]


def test_pages_put_together_are_the_report_file(db, busy_report):
    for actor in busy_report:
        whole = reports.report_data(actor, "2020-W12")
        assert len(whole["breaks"]) > 5 or actor is not None
        paged, total = reports.report_page(actor, "2020-W12", 1, 10**6)
        assert paged == whole and total == len(whole["breaks"])
        pieces = []
        for page in range(1, total // 3 + 3):
            data, n = reports.report_page(actor, "2020-W12", page, 3)
            assert n == total and {k: v for k, v in data.items() if k != "breaks"} == \
                {k: v for k, v in whole.items() if k != "breaks"}
            pieces += data["breaks"]
        assert pieces == whole["breaks"]


def test_the_report_api_gives_its_breaks_a_page_at_a_time(client, db, busy_report):
    from matchmaker.services import auth

    admin = db.session.get(User, busy_report[1].id)
    h = {"Authorization": f"Bearer {auth.issue_token(admin)}"}
    whole = reports.report_data(admin, "2020-W12")
    first = client.get("/api/v1/reports/2020-W12?page_size=4", headers=h)
    second = client.get("/api/v1/reports/latest?page=2&page_size=4", headers=h)
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == len(whole["breaks"]) and meta["page"] == 1 and meta["next_page"] == 2
    assert first.json["breaks"] + second.json["breaks"] == whole["breaks"][:8]
    assert first.json["summary"] == whole["summary"] and first.json["resolved"] == whole["resolved"]
    default = client.get("/api/v1/reports/2020-W12", headers=h)
    assert default.json == whole and json.loads(default.headers["X-Pagination"])["total"] == len(whole["breaks"])


def _cells(book):
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_the_streamed_files_are_the_report_file_and_its_workbook(app, db, busy_report, tmp_path):
    from openpyxl import load_workbook

    from matchmaker.infra.labels import report_vocabulary

    words = report_vocabulary()
    for actor in busy_report:
        whole = reports.report_data(actor, "2020-W12")
        done = reports.export_report(actor, "2020-W12", tmp_path / "r.json")
        assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == whole
        assert done == {"week": "2020-W12", "as_of": "2020-03-16", "open_breaks": len(whole["breaks"]),
                        "resolved": len(whole["resolved"])}
        reports.export_report(actor, "2020-W12", tmp_path / "r.xlsx", words)
        streamed = _cells(load_workbook(tmp_path / "r.xlsx"))
        assert streamed == _cells(load_workbook(reports.report_workbook(whole, words)))
        assert len(streamed["断链清单"]) == len(whole["breaks"]) + 1


def test_the_command_prints_what_it_computed_and_streams_the_file(app, db, busy_report, runner, tmp_path,
                                                                  monkeypatch):
    expected = None

    def no_read_back(*args, **kwargs):
        raise AssertionError("the command read the whole report back")

    reports.write_weekly_report("2020-W13")
    expected = reports.report_data(None, "2020-W13")
    monkeypatch.setattr(reports, "report_data", no_read_back)
    out = tmp_path / "w13.json"
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W13"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"2020-W13 (as of 2020-03-23): {len(expected['breaks'])} open breaks, "
                                     f"{len(expected['resolved'])} resolved")
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W13", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"resolved; written to {out}")
    assert json.loads(out.read_text(encoding="utf-8")) == expected
