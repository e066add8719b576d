"""The report file is written whole or not at all, as one snapshot with the stored report, and a
file that cannot be written says so without hiding that the report is stored (issue 14 review)."""
import json
import os

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db as ext_db
from matchmaker.infra.files import replacing
from matchmaker.models.report import Break, WeeklyReport
from matchmaker.services import reports
from matchmaker.services.reports import export
from tests import factories as f
from tests.reports.test_weekly_report import down_supplier  # noqa: F401 - the fixture


def test_an_out_folder_that_does_not_exist_is_refused_before_the_run(db, runner, down_supplier, tmp_path):  # noqa: F811
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--out", str(tmp_path / "no" / "r.json")])
    assert result.exit_code == 2 and "cannot write in" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WeeklyReport)) == 0


@pytest.mark.parametrize("name", ["r.json", "r.xlsx"])
def test_a_file_failing_midway_leaves_the_previous_file_and_says_the_report_is_stored(
        db, runner, down_supplier, tmp_path, monkeypatch, name):  # noqa: F811
    out = tmp_path / name
    out.write_bytes(b"the previous file")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_json" if name.endswith(".json") else "_write_workbook", full_disk)
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--out", str(out)])
    assert result.exit_code == 1
    assert "the report is stored, but" in result.output and "No space left on device" in result.output
    assert out.read_bytes() == b"the previous file"
    assert os.listdir(tmp_path) == [name]  # no half-written temporary file left behind
    db.session.rollback()
    assert db.session.scalar(sa.select(WeeklyReport.week)) == "2020-W12"


def test_replacing_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "r.json"
    with replacing(out, "w") as fh:
        fh.write("first")
    assert (out.read_text(), out.stat().st_mode & 0o777) == ("first", 0o644)
    out.chmod(0o600)
    with replacing(out, "w") as fh:
        fh.write("second")
    assert (out.read_text(), out.stat().st_mode & 0o777) == ("second", 0o600)


def test_the_json_file_is_one_snapshot_with_the_rows_it_stores(db, tmp_path, monkeypatch):
    """A break closed by staff between the run's commit and the file's writing: the file is the
    report as committed (the break open, not also among the week's closed breaks)."""
    f.region("230102")
    buyer = f.firm("B", kind="leading", region_code="230102")
    f.link(f.firm("S", region_code="230102", operating=False, blockers=["labour"]), buyer, "C1", 40.0)
    staff = f.user("staff", region_code="230100", email="s@example.cn")
    db.session.commit()
    session, real_commit, closed = ext_db.session, ext_db.session.commit, []

    def commit_then_a_staff_close():
        real_commit()
        if not closed:  # what a web request may commit in between
            closed.append(session.scalar(sa.select(Break.id).join(WeeklyReport).where(WeeklyReport.week == "2020-W12")
                                         .where(Break.kind == "supplier_down")))
            reports.close_break(staff, closed[0], "done")

    monkeypatch.setattr(session, "commit", commit_then_a_staff_close)
    out = tmp_path / "w.json"
    reports.write_weekly_report("2020-W12", out=str(out))
    assert closed
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert ("supplier_down", "B") in {(b["kind"], b["buyer"]) for b in doc["breaks"]}
    assert not doc["closed"]
