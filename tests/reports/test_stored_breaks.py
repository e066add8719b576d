"""What a report run continues of the previous report's breaks (issue 14): every break's run (key,
weeks open, idle weeks) in one narrow read, the whole workflow row only of the breaks staff touched
(rows.rows_by_key); the breaks carried over from them, the resolved ones read by key, and a later
week whose breaks are all open storing that status as one literal (rows.insert_breaks)."""
import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db as _db
from matchmaker.models import Firm, Link
from matchmaker.models.report import Break, WeeklyReport
from matchmaker.services import reports
from matchmaker.services.reports import rows
from tests import factories as f

HRB1 = "230102"

#: One workflow column different from an untouched break's, one break each (the rest untouched)
TOUCHED = {"status": {"status": "reopened"}, "assignee_id": {"assignee_id": "staff"}, "manual_steps": {"manual_steps": 1},
           "note": {"note": "跟进"}, "acted": {"acted": True},
           "closed": {"status": "closed", "note": "复工"}}


@pytest.fixture
def week_of_breaks(db):
    """W10 stored with seven supplier_down breaks (one buyer each), staff in their county."""
    s = f.firm("S", region_code=HRB1, operating=False, blockers=["labour"])
    for i in range(7):
        f.link(s, f.firm(f"B{i}", region_code=HRB1), "C1", 10.0)
    staff = f.user("staff", region_code=HRB1)
    db.session.commit()
    reports.write_weekly_report("2020-W10")
    return staff


def _stored(week):
    report = _db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
    return report, _db.session.scalars(sa.select(Break).where(Break.report_id == report.id).order_by(Break.buyer)).all()


def _touch(db, breaks, staff):
    """Set one workflow column of each of the first breaks (TOUCHED's order) as staff would leave it."""
    for row, (name, values) in zip(breaks, TOUCHED.items()):
        for column, value in values.items():
            setattr(row, column, staff.id if value == "staff" else value)
    db.session.commit()
    return {row.key: name for row, name in zip(breaks, TOUCHED)}


def test_every_run_is_read_and_only_the_touched_rows_whole(db, week_of_breaks):
    report, breaks = _stored("2020-W10")
    touched = _touch(db, breaks, week_of_breaks)
    stored = rows.rows_by_key(report.id)
    assert len(stored) == len(breaks) == 7
    assert set(stored.touched) == set(touched)  # one column off its untouched value is enough
    for row in breaks:
        assert stored.runs[row.key] == (row.key, row.weeks_open, row.idle_weeks)
        assert stored.get(row.key) == (row.key, row.weeks_open, row.status, row.assignee_id, row.manual_steps,
                                       row.note, row.idle_weeks, row.acted)
    assert stored.get("no|such|break|") is None


def test_the_next_week_continues_the_touched_and_untouched_breaks(db, week_of_breaks):
    report, breaks = _stored("2020-W10")
    touched = _touch(db, breaks, week_of_breaks)
    reports.write_weekly_report("2020-W11")
    _, later = _stored("2020-W11")
    got = {touched.get(r.key, "untouched" + r.buyer): (r.status, r.assignee_id, r.manual_steps, r.note, r.acted,
                                                        r.weeks_open, r.idle_weeks, r.level) for r in later}
    staff = week_of_breaks.id
    assert got == {
        "status": ("reopened", None, 0, None, False, 2, 2, "county"),  # a reopened break stays reopened
        "assignee_id": ("open", staff, 0, None, False, 2, 2, "county"),
        "manual_steps": ("open", None, 1, None, False, 2, 2, "city"),
        "note": ("open", None, 0, None, False, 2, 2, "county"),
        "acted": ("open", None, 0, None, False, 2, 2, "county"),
        "closed": ("reopened", None, 0, None, False, 2, 2, "county"),
        "untouchedB6": ("open", None, 0, None, False, 2, 2, "county"),
    }


def test_the_resolved_breaks_are_read_by_key(db, week_of_breaks):
    gone = db.session.scalar(sa.select(Firm).where(Firm.ref == "B3"))
    db.session.delete(db.session.scalar(sa.select(Link).where(Link.buyer_id == gone.id)))  # S no longer supplies B3
    db.session.commit()
    reports.write_weekly_report("2020-W11")
    data = reports.report_data(None, "2020-W11")
    assert data["resolved"] == [{"kind": "supplier_down", "buyer": "B3", "supplier": "S", "category": "C1"}]


def test_a_later_week_with_every_break_open_stores_their_status(db, week_of_breaks):
    reports.write_weekly_report("2020-W11")  # nothing touched: every break carried over open
    _, later = _stored("2020-W11")
    assert [r.status for r in later] == ["open"] * 7
    breaks = later
    breaks[0].status = "closed"
    breaks[0].note = "复工"
    db.session.commit()
    reports.write_weekly_report("2020-W12")  # one reopened among open ones: bound row by row
    _, latest = _stored("2020-W12")
    assert [r.status for r in latest] == ["reopened"] + ["open"] * 6


def test_the_status_literal_is_quoted_as_bound(db):
    """A status the same in every row goes in as its quoted text (a quote in it doubled), not bound
    row by row (SQLite; PostgreSQL copies the rows)."""
    s = f.firm("S", region_code=HRB1, operating=False)
    f.link(s, f.firm("B", region_code=HRB1), "C1", 10.0)
    db.session.commit()
    report, _ = reports.write_weekly_report("2020-W10")
    columns = {c: [None, None] for c in rows.BREAK_COLUMNS}
    columns.update(report_id=[report.id] * 2, key=["k|B|C1|", "k|B|C2|"], kind=["supplier_down"] * 2, buyer=["B"] * 2,
                   category=["C1", "C2"], quantity=[1.0, 2.0], factors=["[]"] * 2, tier=[1] * 2, path=['["B"]'] * 2,
                   base_level=["county"] * 2, level=["county"] * 2, owner_region=[HRB1] * 2, buyer_region=[HRB1] * 2,
                   weeks_open=[1] * 2, severity=[1.0] * 2, status=["it's", "it's"], manual_steps=[0] * 2,
                   regions=["[]"] * 2, idle_weeks=[1] * 2, acted=[False] * 2)
    statements = []
    engine = db.session.connection().engine

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        rows.insert_breaks(rows.BreakColumns(2, columns))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert db.session.scalars(sa.select(Break.status).where(Break.key.like("k|%"))).all() == ["it's", "it's"]
    if engine.dialect.name == "sqlite":
        (insert,) = [x for x in statements if x.startswith("INSERT INTO")]
        assert "'it''s'" in insert
    db.session.rollback()
