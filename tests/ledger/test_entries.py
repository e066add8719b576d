"""Recording and reading the ledger (issue 13): the buyer records orders and payments, the supplier
deliveries, the buyer confirms a delivery; both sides and the staff of their regions read; the
rules of each field; the REST API over the same services."""
from datetime import date

import pytest

from matchmaker.services import ledger
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound


def _user(world, name):
    return world["users"][name]


def test_each_side_records_its_own_kind_of_entry(ledger_world):
    w = ledger_world
    order = ledger.record_order(_user(w, "buyer"), {"link": "L1", "date": "2020-03-02", "quantity": 5})
    delivery = ledger.record_delivery(_user(w, "supplier"), {"link": "L1", "date": "2020-03-05", "quantity": 5,
                                                             "amount": 1200.0})
    payment = ledger.record_payment(_user(w, "buyer"), {"link": "L1", "date": date(2020, 3, 6), "amount": 200.0,
                                                        "delivery": delivery.ref})
    assert (order.link.ref, order.date, order.quantity) == ("L1", date(2020, 3, 2), 5)
    assert order.ref.startswith("PO-") and delivery.ref.startswith("D-") and payment.ref.startswith("PAY-")
    assert payment.delivery.ref == delivery.ref
    for name, section in (("supplier", "orders"), ("supplier", "payments"), ("buyer", "deliveries"),
                          ("buyer_county", "orders"), ("other_firm", "deliveries")):
        data = {"link": "L1", "date": "2020-03-02", "quantity": 1, "amount": 1}
        data = {k: v for k, v in data.items() if k in ledger.entries.rules.ENTRY_FIELDS[section]}
        with pytest.raises((Forbidden, Invalid)) as info:
            ledger.record_entry(_user(w, name), section, data)
        if name == "other_firm":  # a link it cannot read: as if there were none
            assert info.value.errors == {"link": ["unknown link"]}
        else:
            assert isinstance(info.value, Forbidden)


def test_field_rules_are_all_reported(ledger_world):
    buyer = _user(ledger_world, "buyer")
    with pytest.raises(Invalid) as info:
        ledger.record_payment(buyer, {"link": "L1", "date": "2020-03-21", "amount": -3, "ref": "P9", "extra": 1})
    assert set(info.value.errors) == {"date", "amount", "ref", "extra"}
    assert info.value.errors["date"] == ["must not be after today"]
    with pytest.raises(Invalid) as info:
        ledger.record_payment(buyer, {"link": "L9", "date": "2020-03-01"})
    assert set(info.value.errors) == {"link", "amount"}


def test_a_payment_names_a_delivery_of_its_own_link(ledger_world):
    w = ledger_world
    admin = _user(w, "admin")
    ledger.record_delivery(admin, {"ref": "D1", "link": "L1", "date": "2020-03-05", "quantity": 1, "amount": 10})
    ledger.record_delivery(admin, {"ref": "D2", "link": "L2", "date": "2020-03-05", "quantity": 1, "amount": 10})
    with pytest.raises(Invalid) as info:
        ledger.record_payment(_user(w, "buyer"), {"link": "L1", "date": "2020-03-06", "amount": 5, "delivery": "D2"})
    assert info.value.errors == {"delivery": ["not a delivery of this link"]}
    with pytest.raises(Conflict):
        ledger.record_delivery(admin, {"ref": "D1", "link": "L1", "date": "2020-03-05", "quantity": 1, "amount": 10})


def test_reading_is_for_both_sides_and_the_staff_of_either_region(ledger_world):
    w = ledger_world
    d = ledger.record_delivery(_user(w, "supplier"), {"link": "L1", "date": "2020-03-05", "quantity": 1, "amount": 9})
    for name in ("buyer", "supplier", "buyer_county", "supplier_county", "admin"):
        assert ledger.get_entry(_user(w, name), "deliveries", d.id).ref == d.ref
        rows, total = ledger.list_entries(_user(w, name), "deliveries", {"link": "L1"})
        assert total == 1 and rows[0].ref == d.ref
    for name in ("other_firm", "other_province"):
        with pytest.raises(NotFound):
            ledger.get_entry(_user(w, name), "deliveries", d.id)
        assert ledger.list_entries(_user(w, name), "deliveries")[1] == 0


def test_the_buyer_confirms_a_delivery_once(ledger_world):
    w = ledger_world
    d = ledger.record_delivery(_user(w, "supplier"), {"link": "L1", "date": "2020-03-05", "quantity": 1, "amount": 9})
    with pytest.raises(Forbidden):
        ledger.confirm_delivery(_user(w, "supplier"), d.id)
    first = ledger.confirm_delivery(_user(w, "buyer"), d.id)
    when = first.confirmed_at
    assert when is not None and first.confirmed_by == "buyer@example.cn"
    assert ledger.confirm_delivery(_user(w, "buyer"), d.id).confirmed_at == when


def test_a_link_ledger_settles_as_of_today(ledger_world):
    w = ledger_world
    supplier, buyer = _user(w, "supplier"), _user(w, "buyer")
    d1 = ledger.record_delivery(supplier, {"link": "L1", "date": "2020-03-02", "quantity": 2, "amount": 1000})
    ledger.record_delivery(supplier, {"link": "L1", "date": "2020-03-10", "quantity": 1, "amount": 500})
    ledger.record_payment(buyer, {"link": "L1", "date": "2020-03-12", "amount": 1200})
    view = ledger.link_ledger(_user(w, "buyer_county"), w["link"].id)
    rows = {d["entry"].ref: d for d in view["deliveries"]}
    assert rows[d1.ref]["paid_on"] == date(2020, 3, 12) and rows[d1.ref]["unpaid"] == 0.0
    other = next(r for ref, r in rows.items() if ref != d1.ref)
    assert (other["unpaid"], other["due"], other["term"]) == (300.0, date(2020, 3, 25), "pay_first")
    # no order since 2020-03-01: order_first was due on the 8th, 12 days ago
    assert view["commitments"] == [{"term": "order_first", "link": "L1", "buyer": "B1", "supplier": "S1",
                                    "delivery": None, "due": "2020-03-08", "days_overdue": 12, "unpaid": 0.0,
                                    "owner_region": "230102"}]
    assert view["totals"]["unpaid"] == 300.0
    assert view["may"] == {"orders": False, "deliveries": False, "payments": False, "confirm": False}


# --- the API -----------------------------------------------------------------------------------

def test_api_records_and_lists_entries(client, ledger_world, bearer):
    resp = client.post("/api/v1/deliveries", json={"link": "L1", "date": "2020-03-05", "quantity": 2, "amount": 800},
                       headers=bearer("supplier"))
    assert resp.status_code == 201, resp.json
    delivery = resp.json
    assert (delivery["link"], delivery["amount"], delivery["confirmed_at"]) == ("L1", 800.0, None)
    resp = client.post("/api/v1/payments", json={"link": "L1", "date": "2020-03-06", "amount": 300,
                                                 "delivery": delivery["ref"]}, headers=bearer("buyer"))
    assert resp.status_code == 201 and resp.json["delivery"] == delivery["ref"]
    resp = client.post(f"/api/v1/deliveries/{delivery['id']}/confirm", headers=bearer("buyer"))
    assert resp.status_code == 200 and resp.json["confirmed_at"]
    listed = client.get("/api/v1/payments?link=L1", headers=bearer("supplier_county"))
    assert listed.status_code == 200 and [p["amount"] for p in listed.json] == [300.0]
    ledger_view = client.get(f"/api/v1/links/{ledger_world['link'].id}/ledger", headers=bearer("supplier"))
    assert ledger_view.status_code == 200
    assert ledger_view.json["deliveries"][0]["unpaid"] == 500.0
    assert ledger_view.json["deliveries"][0]["due"] == "2020-03-20"


@pytest.mark.parametrize("name, body, status", [
    ("supplier", {"link": "L1", "date": "2020-03-05", "quantity": 2}, 403),
    ("buyer", {"link": "L1", "date": "2020-03-05", "quantity": 0}, 422),
    ("buyer", {"link": "L1", "date": "05/03/2020", "quantity": 2}, 422),
    ("buyer", {"link": "L1", "quantity": 2}, 422),
    ("other_firm", {"link": "L1", "date": "2020-03-05", "quantity": 2}, 422),
    ("buyer_county", {"link": "L1", "date": "2020-03-05", "quantity": 2}, 403),
])
def test_api_refuses_what_the_rules_refuse(client, ledger_world, bearer, name, body, status):
    resp = client.post("/api/v1/orders", json=body, headers=bearer(name))
    assert resp.status_code == status, resp.json
    assert set(resp.json) >= {"code", "status", "message"}


def test_api_hides_entries_of_links_you_cannot_read(client, ledger_world, bearer):
    resp = client.post("/api/v1/orders", json={"link": "L1", "date": "2020-03-05", "quantity": 2},
                       headers=bearer("buyer"))
    order_id = resp.json["id"]
    assert client.get(f"/api/v1/orders/{order_id}", headers=bearer("other_province")).status_code == 404
    assert client.get(f"/api/v1/links/{ledger_world['link'].id}/ledger",
                      headers=bearer("other_firm")).status_code == 404
    assert client.get(f"/api/v1/orders/{order_id}").status_code == 401


def test_entries_are_audited_under_the_buyers_county(ledger_world):
    import sqlalchemy as sa

    from matchmaker.infra.extensions import db
    from matchmaker.models import AuditEntry

    d = ledger.record_delivery(_user(ledger_world, "supplier"), {"link": "L1", "date": "2020-03-05", "quantity": 1,
                                                                 "amount": 9})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "ledger_delivery"))
    assert (entry.action, entry.entity_id, entry.region_code) == ("create", d.ref, "230102")
