"""The ledger sections of a data package (spec/article10.md, spec/data-package.md): orders,
deliveries and payments in JSON, CSV and xlsx; all or nothing with every problem by section, row
and field; references within the package or to what is stored; upsert by ref; export."""
import copy
import csv
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models.ledger import Delivery, Order, Payment
from matchmaker.services.packages import export_package, import_package, stored_package
from tests.packages.conftest import BASE, problems, write_json  # noqa: F401 (fixture)

LEDGER = {
    "orders": [{"ref": "PO1", "link": "L1", "date": "2020-03-02", "quantity": 5}],
    "deliveries": [{"ref": "D1", "link": "L1", "date": "2020-03-05", "quantity": 5, "amount": 1200.5},
                   {"ref": "D2", "link": "L1", "date": "2020-03-09", "quantity": 1, "amount": 300}],
    "payments": [{"ref": "P1", "link": "L1", "date": "2020-03-06", "amount": 200, "delivery": "D1"},
                 {"ref": "P2", "link": "L1", "date": "2020-03-10", "amount": 100}],
}


@pytest.fixture
def package():
    return {**copy.deepcopy(BASE), **copy.deepcopy(LEDGER)}


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_package_with_the_three_sections_imports(tmp_path, app, package):
    result = import_package(write_json(tmp_path, package), reference=False)
    assert {s: result.created[s] for s in ("orders", "deliveries", "payments")} == {
        "orders": 1, "deliveries": 2, "payments": 2}
    p1 = db.session.scalar(sa.select(Payment).where(Payment.ref == "P1"))
    assert (p1.link.ref, p1.date, p1.amount, p1.delivery.ref) == ("L1", date(2020, 3, 6), 200.0, "D1")
    assert db.session.scalar(sa.select(Payment).where(Payment.ref == "P2")).delivery is None


def test_every_problem_is_reported_and_nothing_is_written(tmp_path, app, problems):
    bad = {**copy.deepcopy(BASE), **copy.deepcopy(LEDGER)}
    bad["orders"].append({"ref": "PO2", "link": "L9", "date": "2020-02-30", "quantity": 0})
    bad["deliveries"].append({"ref": "D1", "link": "L1", "date": "2020-03-05", "quantity": 1})
    bad["links"].append(dict(BASE["links"][0], ref="L2"))
    bad["deliveries"].append({"ref": "D3", "link": "L2", "date": "2020-03-05", "quantity": 1, "amount": 5})
    bad["payments"].append({"ref": "P3", "link": "L1", "date": "2020-03-06", "amount": 5, "delivery": "D3"})
    bad["payments"].append({"ref": "P4", "link": "L1", "date": "2020-03-06", "amount": 5, "delivery": "D404",
                            "note": "x"})
    got = problems(bad)
    assert ("orders", 3, "link") in got and ("orders", 3, "date") in got and ("orders", 3, "quantity") in got
    assert ("deliveries", 4, "amount") in got and ("deliveries", 4, "ref") in got  # required; duplicate of row 2
    assert ("payments", 4, "delivery") in got  # D3 is a delivery of L2
    assert ("payments", 5, "delivery") in got and ("payments", 5, "note") in got
    messages = [str(p) for p in problems(bad, with_messages=True)]
    assert "payments row 4 field delivery: delivery D3 is on link L2, not L1 (所付交货不属于该供应关系)" in messages
    assert all(_count(m) == 0 for m in (Order, Delivery, Payment))


def test_references_resolve_to_what_is_stored(tmp_path, app, package, problems):
    import_package(write_json(tmp_path, package), reference=False)
    later = {"payments": [{"ref": "P5", "link": "L1", "date": "2020-03-12", "amount": 50, "delivery": "D2"}],
             "orders": [{"ref": "PO5", "link": "L1", "date": "2020-03-12", "quantity": 1}]}
    import_package(write_json(tmp_path, later, "later.json"), reference=False)
    assert db.session.scalar(sa.select(Payment).where(Payment.ref == "P5")).delivery.ref == "D2"
    # a stored delivery of another link cannot be named, and one with payments cannot move away
    more = {"links": [dict(BASE["links"][0], ref="L2")],
            "deliveries": [{"ref": "D1", "link": "L2", "date": "2020-03-05", "quantity": 5, "amount": 1200.5}],
            "payments": [{"ref": "P6", "link": "L2", "date": "2020-03-12", "amount": 5, "delivery": "D2"}]}
    got = problems(more)
    assert sorted(got) == [("deliveries", 2, "link"), ("payments", 2, "delivery")]


def test_reimport_replaces_by_ref(tmp_path, app, package):
    import_package(write_json(tmp_path, package), reference=False)
    again = {"deliveries": [{"ref": "D1", "link": "L1", "date": "2020-03-04", "quantity": 6, "amount": 1300}],
             "payments": [{"ref": "P1", "link": "L1", "date": "2020-03-06", "amount": 200}]}
    result = import_package(write_json(tmp_path, again, "again.json"), reference=False)
    assert (result.replaced["deliveries"], result.replaced["payments"]) == (1, 1)
    db.session.expire_all()
    d1 = db.session.scalar(sa.select(Delivery).where(Delivery.ref == "D1"))
    assert (d1.date, d1.quantity, d1.amount, d1.version) == (date(2020, 3, 4), 6.0, 1300.0, 2)
    assert db.session.scalar(sa.select(Payment).where(Payment.ref == "P1")).delivery is None  # left out: none
    unchanged = import_package(write_json(tmp_path, again, "again.json"), reference=False)
    assert unchanged.unchanged == {"deliveries": 1, "payments": 1}


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out_csv"])
def test_round_trip_in_every_container(tmp_path, app, package, name):
    import_package(write_json(tmp_path, package), reference=False)
    before = stored_package()
    assert [p["delivery"] for p in before["payments"]] == ["D1", None]
    export_package(tmp_path / name)
    for model in (Payment, Delivery, Order):
        db.session.execute(sa.delete(model))
    db.session.commit()
    import_package(tmp_path / name, reference=False)
    after = stored_package()
    assert {s: after[s] for s in ("orders", "deliveries", "payments")} == {
        s: before[s] for s in ("orders", "deliveries", "payments")}


def test_csv_sections_have_the_spec_columns(tmp_path, app, package):
    import_package(write_json(tmp_path, package), reference=False)
    export_package(tmp_path / "csv")
    with open(tmp_path / "csv" / "payments.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["ref", "link", "date", "amount", "delivery"]
    assert rows[1] == ["P1", "L1", "2020-03-06", "200", "D1"] and rows[2][4] == ""
