"""A body sent to the API is checked once: its shape by the schema, its values by the rules in the
service.  Hostile text in a ref or code is refused before any look-up reaches the database."""
import pytest
from flask_babel import refresh

from matchmaker import rules
from matchmaker.schemas.need import NeedCreateSchema
from matchmaker.schemas.offer import OfferCreateSchema

NEED = {"category": "C1", "quantity": 10, "needed_by": "2020-05-01"}


@pytest.fixture
def record_rule_calls(monkeypatch):
    """Count the calls of each record rule, as the services make them (through `matchmaker.rules`)."""
    calls = {}
    for name in ("check_need", "check_offer", "check_link", "check_firm", "check_account"):
        original = getattr(rules, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            calls[_name] = calls.get(_name, 0) + 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(rules, name, counting)
    return calls


def test_a_need_posted_through_the_api_meets_its_rules_once(client, as_role, record_rule_calls):
    resp = client.post("/api/v1/needs", json=NEED, headers=as_role("firm_own"))
    assert resp.status_code == 201, resp.get_json()
    assert record_rule_calls == {"check_need": 1}


@pytest.mark.parametrize("field,value,message", [
    ("quantity", -1, "must be greater than 0"),
    ("note", "a\x00b", "contains control characters"),
    ("note", "长" * 4001, "at most 4000 characters"),
    ("terms", ["pay_later"], "must be one of: order_first, supply_first, pay_first"),
    ("status", "maybe", "must be one of: open, closed"),
])
def test_value_errors_come_from_the_rules_not_the_schema(client, as_role, record_rule_calls, field, value, message):
    english = {**as_role("firm_own"), "Accept-Language": "en-GB,en;q=0.8"}
    body = client.post("/api/v1/needs", json={**NEED, field: value}, headers=english).get_json()
    assert body["code"] == 422 and body["errors"] == {field: [message]}
    assert record_rule_calls == {"check_need": 1}


@pytest.mark.parametrize("field,value", [("quantity", "lots"), ("needed_by", "2020-02-30"), ("colour", "red"),
                                         ("terms", "pay_first"), ("status", None), ("ref", "")])
def test_shape_errors_stop_at_the_schema(client, as_role, record_rule_calls, field, value):
    body = client.post("/api/v1/needs", json={**NEED, field: value}, headers=as_role("firm_own")).get_json()
    assert body["code"] == 422 and list(body["errors"]) == [field]
    assert record_rule_calls == {}


def test_schemas_check_shape_only():
    need = NeedCreateSchema().load({**NEED, "quantity": -1, "note": "a\x00b", "terms": ["pay_later"]})
    assert need["quantity"] == -1 and need["terms"] == ["pay_later"]
    offer = OfferCreateSchema().load({"category": "C1", "quantity": 1, "available_from": "2020-03-02",
                                      "available_until": "2020-03-01"})
    assert offer["available_until"] < offer["available_from"]  # the cross-field rule is the service's


def test_the_offer_dates_rule_answers_through_the_api(client, as_role):
    body = client.post("/api/v1/offers", json={"category": "C1", "quantity": 1, "available_from": "2020-03-02",
                                               "available_until": "2020-03-01"}, headers=as_role("firm_own")).get_json()
    assert body["errors"] == {"available_until": ["不能早于可供起始日期"]}  # the user's language, Chinese by default
    refresh()  # the locale is cached on the app context the fixture keeps pushed
    body = client.post("/api/v1/offers", json={"category": "C1", "quantity": 1, "available_from": "2020-03-22",
                                               "available_until": "2020-03-21"},
                       headers={**as_role("firm_own"), "Accept-Language": "en"}).get_json()
    assert body["errors"] == {"available_until": ["must not be before available_from"]}


@pytest.mark.parametrize("text", ["F\x00", "\ud800", "F" * 65])
def test_hostile_refs_are_unknown_not_looked_up(client, world, as_role, text):
    h = {**as_role("admin"), "Accept-Language": "en"}
    body = client.post("/api/v1/links", json={"supplier": text, "buyer": "F-OWN", "category": "C1",
                                              "quantity_per_week": 1}, headers=h).get_json()
    assert body["code"] == 422 and body["errors"]["supplier"] == ["unknown firm"]
    body = client.post("/api/v1/needs", json={**NEED, "firm": text}, headers=h).get_json()
    assert body["code"] == 422 and body["errors"] == {"firm": ["unknown firm"]}
    body = client.post("/api/v1/needs", json={**NEED, "category": text}, headers=as_role("firm_own")).get_json()
    assert body["code"] == 422 and body["errors"] == {"category": ["unknown category"]}
    body = client.post("/api/v1/users", json={"email": "x@example.cn", "password": "long enough", "role": "firm",
                                              "firm": text}, headers=h).get_json()
    assert body["code"] == 422 and "firm" in body["errors"]
