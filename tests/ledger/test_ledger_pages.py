"""The ledger page of a link (issue 13): both sides see the entries, what each delivery still owes
and what is overdue; the buyer records orders and payments and confirms deliveries, the supplier
records deliveries; errors show at the field; staff of either region read it."""
import re

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models.ledger import Delivery
from tests.web.conftest import login


def _page(client, link):
    resp = client.get(f"/firm/links/{link.id}")
    assert resp.status_code == 200, resp.text[:300]
    return resp.text


def test_the_supplier_records_a_delivery_and_the_buyer_pays_and_confirms(app, ledger_world):
    link = ledger_world["link"]
    supplier = login(app.test_client(), "supplier@example.cn")
    page = _page(supplier, link)
    assert 'id="delivery-form"' in page and 'id="order-form"' not in page and 'id="payment-form"' not in page
    resp = supplier.post(f"/firm/links/{link.id}/deliveries", data={
        "deliveries-date": "2020-03-02", "deliveries-quantity": "3", "deliveries-amount": "1500"})
    assert resp.status_code == 302
    delivery = db.session.scalar(sa.select(Delivery))
    buyer = login(app.test_client(), "buyer@example.cn")
    page = _page(buyer, link)
    assert 'id="order-form"' in page and 'id="payment-form"' in page and 'id="delivery-form"' not in page
    assert f'<option value="{delivery.ref}">' in page
    # pay_first: due 15 days after 2020-03-02, i.e. 2020-03-17; today is 2020-03-20
    row = re.search(rf'<tr id="delivery-{delivery.id}"[^>]*>.*?</tr>', page, re.S).group(0)
    assert 'class="overdue"' in row and "1,500" in row
    resp = buyer.post(f"/firm/links/{link.id}/payments", data={
        "payments-date": "2020-03-19", "payments-amount": "500", "payments-delivery": delivery.ref})
    assert resp.status_code == 302
    resp = buyer.post(f"/firm/links/{link.id}/deliveries/{delivery.id}/confirm")
    assert resp.status_code == 302
    page = _page(buyer, link)
    row = re.search(rf'<tr id="delivery-{delivery.id}"[^>]*>.*?</tr>', page, re.S).group(0)
    assert "1,000" in row and "Confirm receipt" not in row and "确认收货" not in row
    assert 'id="ledger-totals"' in page


def test_errors_show_at_the_field(app, ledger_world):
    link = ledger_world["link"]
    buyer = login(app.test_client(), "buyer@example.cn")
    resp = buyer.post(f"/firm/links/{link.id}/orders", data={"orders-date": "2020-03-25", "orders-quantity": "-1"})
    assert resp.status_code == 422
    assert 'id="orders-quantity-error"' in resp.text
    resp = buyer.post(f"/firm/links/{link.id}/orders", data={"orders-date": "2020-03-25", "orders-quantity": "2"})
    assert resp.status_code == 422 and 'id="orders-date-error"' in resp.text
    assert "不得晚于今天" in resp.text or "must not be after today" in resp.text


def test_staff_read_and_strangers_do_not(app, ledger_world):
    link = ledger_world["link"]
    staff = login(app.test_client(), "county2@example.cn")
    page = _page(staff, link)
    assert "L1" in page and "<form method=\"post\" action=\"/firm/links" not in page
    other = login(app.test_client(), "other@example.cn")
    assert other.get(f"/firm/links/{link.id}").status_code == 404
    assert other.post(f"/firm/links/{link.id}/orders", data={"orders-date": "2020-03-02",
                                                           "orders-quantity": "1"}).status_code == 404


def test_the_links_list_leads_to_the_ledger(app, ledger_world):
    buyer = login(app.test_client(), "buyer@example.cn")
    page = buyer.get("/firm/links").text
    assert f'href="/firm/links/{ledger_world["link"].id}"' in page
