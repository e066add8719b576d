"""Leading-firm and SME pages: needs, capacity, status; messages at the field; permissions."""
import re

from matchmaker.models import Firm, Need, Offer
from tests import factories


def _field_error(html, field_id):
    m = re.search(rf'<p class="field-error" id="{field_id}-error" role="alert">(.*?)</p>', html, re.S)
    return m.group(1).strip() if m else None


def test_leading_firm_posts_a_need_with_terms(as_user, world, db):
    c = as_user("lead")
    page = c.get("/firm/needs/new").text
    assert '<label for="quantity">' in page  # every input labelled
    resp = c.post("/firm/needs/new", data={"category": "C1", "quantity": "120", "needed_by": world["soon"].isoformat(),
                                           "terms": ["order_first", "pay_first"], "note": "急需"})
    assert resp.status_code == 302
    need = db.session.scalar(db.select(Need))
    assert (need.firm_id, need.quantity, need.terms) == (world["lead"].id, 120.0, ["order_first", "pay_first"])
    listing = c.get("/firm/needs").text
    assert need.ref in listing and "先付款" in listing


def test_wrong_quantity_shows_message_at_the_field_in_chinese(as_user, world, db):
    c = as_user("lead")
    resp = c.post("/firm/needs/new", data={"category": "C1", "quantity": "-3", "needed_by": world["soon"].isoformat()})
    assert resp.status_code == 422
    assert _field_error(resp.text, "quantity") == "请输入大于 0 的数字。"
    assert db.session.scalar(db.select(Need)) is None


def test_wrong_value_message_is_in_english_after_switch(as_user, world):
    c = as_user("lead")
    c.post("/language", data={"lang": "en"})
    resp = c.post("/firm/needs/new", data={"category": "C1", "quantity": "lots", "needed_by": "31/12/2020"})
    assert _field_error(resp.text, "quantity") == "Enter a number, e.g. 12.5."
    assert _field_error(resp.text, "needed_by") == "Enter a date as YYYY-MM-DD."


def test_edit_and_close_a_need(as_user, world, db):
    need = factories.need(world["lead"], "C1", quantity=10, needed_by=world["soon"])
    db.session.commit()
    c = as_user("lead")
    form = c.get(f"/firm/needs/{need.id}/edit").text
    assert 'value="10.0"' in form or 'value="10"' in form
    resp = c.post(f"/firm/needs/{need.id}/edit", data={"category": "C1", "quantity": "25",
                                                       "needed_by": world["soon"].isoformat(), "terms": ["supply_first"]})
    assert resp.status_code == 302
    db.session.refresh(need)
    assert need.quantity == 25.0 and need.terms == ["supply_first"]
    assert c.post(f"/firm/needs/{need.id}/close").status_code == 302
    db.session.refresh(need)
    assert need.status == "closed"


def test_a_firm_cannot_edit_another_firms_need(as_user, world, db):
    other = factories.firm("L2", kind="leading", region_code="230102")
    need = factories.need(other, "C1", needed_by=world["soon"])
    db.session.commit()
    c = as_user("lead")
    assert c.get(f"/firm/needs/{need.id}/edit").status_code == 404
    assert c.post(f"/firm/needs/{need.id}/close").status_code == 302
    db.session.refresh(need)
    assert need.status == "open"


def test_sme_posts_capacity_with_help_wanted(as_user, world, db):
    c = as_user("sme")
    resp = c.post("/firm/offers/new", data={"category": "C1", "quantity": "80", "available_from": world["today"].isoformat(),
                                            "lead_time_days": "3", "delivery_radius_km": "150",
                                            "help_wanted": ["funds", "orders"]})
    assert resp.status_code == 302, resp.text[-800:]
    offer = db.session.scalar(db.select(Offer))
    assert offer.help_wanted == ["funds", "orders"] and offer.delivery_radius_km == 150.0


def test_offer_until_before_from_is_rejected_at_the_field(as_user, world):
    c = as_user("sme")
    resp = c.post("/firm/offers/new", data={"category": "C1", "quantity": "5", "available_from": "2020-03-10",
                                            "available_until": "2020-03-01"})
    assert resp.status_code == 422
    assert _field_error(resp.text, "available_until") == "不能早于可供起始日期。"


def test_sme_reports_status_as_percentages(as_user, world, db):
    c = as_user("sme")
    resp = c.post("/firm/status", data={"capacity_utilization": "60", "workers_back": "75",
                                        "blockers": ["labour", "transport"]})
    assert resp.status_code == 302
    firm = db.session.get(Firm, world["sme"].id)
    assert (firm.operating, firm.capacity_utilization, firm.workers_back, firm.blockers) == (
        False, 0.6, 0.75, ["labour", "transport"])
    page = c.get("/firm/status").text
    assert 'value="60"' in page
    assert re.search(r'<input checked id="blockers-\d" name="blockers" type="checkbox" value="labour">', page)


def test_status_out_of_range_is_reported_at_the_field(as_user, world):
    resp = as_user("sme").post("/firm/status", data={"operating": "y", "capacity_utilization": "150"})
    assert resp.status_code == 422
    assert _field_error(resp.text, "capacity_utilization") == "请输入 0 到 100 之间的数字。"


def test_risk_zone_is_not_a_reportable_blocker(as_user, world):
    resp = as_user("sme").post("/firm/status", data={"operating": "y", "blockers": ["risk_zone"]})
    assert resp.status_code == 422


def test_staff_may_not_open_firm_pages(as_user):
    assert as_user("county").get("/firm/needs").status_code == 403


def test_needs_list_is_paginated(as_user, world, db):
    for i in range(23):
        factories.need(world["lead"], "C1", quantity=i + 1, needed_by=world["soon"], ref=f"NEED{i:02d}")
    db.session.commit()
    c = as_user("lead")
    first = c.get("/firm/needs").text
    assert "NEED00" in first and "NEED22" not in first and 'rel="next"' in first
    second = c.get("/firm/needs?page=2").text
    assert "NEED22" in second and "NEED00" not in second


def test_a_due_date_before_today_is_refused_at_the_field(as_user, world, db, app):
    """Issue 13: a need due before the service's today was accepted and listed as open."""
    c = as_user("lead")
    resp = c.post("/firm/needs/new", data={"category": "C1", "quantity": "5", "needed_by": "2020-03-15"})
    assert resp.status_code == 422 and _field_error(resp.text, "needed_by") == "不能早于今天"
    assert db.session.scalar(db.select(Need)) is None
    c = as_user("sme")
    resp = c.post("/firm/offers/new", data={"category": "C1", "quantity": "5", "available_from": "2020-03-01",
                                            "available_until": "2020-03-10", "lead_time_days": "0"})
    assert resp.status_code == 422 and _field_error(resp.text, "available_until") == "不能早于今天"
