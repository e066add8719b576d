"""Time to survive and recover (issue 13, item 6): days of stock and restart dates make breaks critical."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link
from matchmaker.models.report import Break
from matchmaker.services import firms, needs, survival
from matchmaker.services.reports import write_weekly_report
from matchmaker.services.support.errors import Forbidden, Invalid, NotFound
from tests import factories
from matchmaker.infra.config import TestConfig

SERVICE_TODAY = date.fromisoformat(TestConfig.TODAY)  # the service's day the tests pin, not the machine's

TODAY = SERVICE_TODAY


@pytest.fixture
def scene(app):
    """B1's suppliers D1 and D2 are both down; B1 also needs C2 soon, uncovered."""
    factories.region("230102")
    factories.category("C1", unit="t")
    factories.category("C2", unit="t")
    b1 = factories.firm("B1", kind="leading")
    d1 = factories.firm("D1", operating=False)
    d2 = factories.firm("D2", operating=False)
    other = factories.firm("X1", kind="leading")
    links = {"d1": factories.link(d1, b1, ref="L1"), "d2": factories.link(d2, b1, ref="L2", category_code="C2")}
    users = {"b1": factories.user("firm", b1), "d1": factories.user("firm", d1), "x1": factories.user("firm", other)}
    db.session.commit()
    return users, {k: v.id for k, v in links.items()}


def _by_kind_supplier():
    write_weekly_report(as_of=TODAY)
    found = survival.survival_by_break()
    rows = db.session.execute(sa.select(Break.key, Break.kind, Break.supplier)).all()
    return {(kind, supplier): found.get(key) for key, kind, supplier in rows}


def test_a_supplier_back_after_the_buyer_runs_out_is_critical(scene):
    users, links = scene
    survival.set_link_days_of_stock(users["b1"], links["d1"], 5)
    survival.set_link_days_of_stock(users["b1"], links["d2"], 5)
    firms.update_firm_status(users["d1"], db.session.scalar(sa.select(Firm.id).where(Firm.ref == "D1")),
                             {"expected_restart": (TODAY + timedelta(days=9)).isoformat()})
    d2 = db.session.scalar(sa.select(Firm).where(Firm.ref == "D2"))
    d2.expected_restart = TODAY + timedelta(days=3)
    db.session.commit()
    got = _by_kind_supplier()
    assert got[("supplier_down", "D1")].critical and got[("supplier_down", "D1")].recovers == TODAY + timedelta(days=9)
    assert not got[("supplier_down", "D2")].critical
    assert got[("supplier_down", "D1")].runs_out == TODAY + timedelta(days=5)


def test_a_need_due_after_the_stock_runs_out_is_critical(scene):
    users, _ = scene
    needs.create_need(users["b1"], {"category": "C2", "quantity": 5, "needed_by": TODAY + timedelta(days=10),
                                    "days_of_stock": 4})
    got = _by_kind_supplier()
    s = got[("chain_gap", None)]  # B1 has no live supplier of C2 and no offer fits
    assert (s.critical, s.days_left, s.recovers) == (True, 4, TODAY + timedelta(days=10))


def test_only_the_buyer_states_its_days_of_stock(scene):
    users, links = scene
    with pytest.raises(Forbidden):
        survival.set_link_days_of_stock(users["d1"], links["d1"], 3)
    with pytest.raises(NotFound):
        survival.set_link_days_of_stock(users["x1"], links["d1"], 3)
    with pytest.raises(Invalid):
        survival.set_link_days_of_stock(users["b1"], links["d1"], -1)
    assert survival.set_link_days_of_stock(users["b1"], links["d1"], None).days_of_stock is None
    with pytest.raises(Invalid):
        needs.create_need(users["b1"], {"category": "C1", "quantity": 5, "needed_by": TODAY + timedelta(days=10),
                                        "days_of_stock": "many"})


def test_rows_for_pages_come_critical_first(scene):
    users, links = scene
    survival.set_link_days_of_stock(users["b1"], links["d2"], 2)  # D2 down, no restart date: critical
    rows = [{"kind": "supplier_down", "buyer": "B1", "supplier": s, "category": c}
            for s, c in (("D1", "C1"), ("D2", "C2"))]
    out = survival.with_survival(rows)
    assert [r["supplier"] for r in out] == ["D2", "D1"]
    assert out[0]["survival"]["critical"] and out[1]["survival"] is None
