"""The rules of fields (`matchmaker.rules`) on plain dicts: each broken rule named by its field,
every bad field reported at once, and the same rules across fields for services and packages."""
from datetime import date

import pytest

from matchmaker import rules
from matchmaker.errors import Invalid


def _errors(check, data, *args):
    errors = {}
    check(data, errors, *args)
    return errors


def test_a_good_need_breaks_no_rule_and_its_terms_lose_repeats():
    data = {"category": "C1", "quantity": 5, "needed_by": "2020-05-01", "terms": ["pay_first", "pay_first"]}
    assert _errors(rules.check_need, data, True) == {}
    assert data["needed_by"] == date(2020, 5, 1) and data["terms"] == ["pay_first"]


def test_every_broken_need_rule_is_reported_at_once():
    data = {"ref": "N\x00", "quantity": 0, "needed_by": "someday", "max_unit_price": -1, "terms": "pay_first",
            "status": "pending", "note": "长" * 4001, "colour": "red"}
    assert _errors(rules.check_need, data, True) == {
        "colour": ["unknown field"], "ref": ["contains control characters"], "quantity": ["must be greater than 0"],
        "needed_by": ["not a date (YYYY-MM-DD)"], "max_unit_price": ["must be greater than 0"],
        "terms": ["must be a list"], "status": ["must be one of: open, closed"], "note": ["at most 4000 characters"],
    }


def test_required_fields_only_when_creating():
    assert _errors(rules.check_need, {}, True) == {"quantity": ["required"], "needed_by": ["required"]}
    assert _errors(rules.check_need, {}, False) == {}
    assert _errors(rules.check_need, {"quantity": None}, False) == {"quantity": ["required"]}


def test_an_offers_dates_count_against_the_stored_ones():
    class Stored:
        available_from, available_until = date(2020, 3, 10), None

    assert _errors(rules.check_offer, {"available_until": date(2020, 3, 9)}, Stored()) == {
        "available_until": ["must not be before available_from"]}
    assert _errors(rules.check_offer, {"available_until": date(2020, 3, 10)}, Stored()) == {}
    assert _errors(rules.check_offer, {"delivery_radius_km": rules.MAX_RADIUS_KM + 1}, Stored()) == {
        "delivery_radius_km": ["must be at most 50000"]}


def test_firm_rules():
    data = {"ref": "F1", "name": "甲", "kind": "sme", "credit_code": "91350100m000100y43", "blockers": ["labour"],
            "contact_email": "li@example.cn", "capacity_utilization": 1}
    assert _errors(rules.check_firm, data, True) == {}
    assert data["credit_code"] == "91350100M000100Y43"
    assert _errors(rules.check_firm, {"blockers": ["risk_zone"], "operating": "yes", "workers_back": 1.5,
                                      "contact_email": "nobody", "credit_code": "91350100M000100Y44"}, False) == {
        "blockers": ["risk_zone is derived from the county's risk, never reported"],
        "operating": ["must be true or false"], "workers_back": ["must be within 0..1"],
        "contact_email": ["not an e-mail address"],
        "credit_code": ["not a valid unified social credit code (check digit)"],
    }


def test_account_rules_follow_the_role():
    assert _errors(rules.check_account, {"email": "a@b.cn", "password": "x" * 8, "role": "staff", "firm": "F1",
                                         "locale": "fr"}) == {
        "locale": ["must be one of: zh_CN, en"], "firm": ["not used for role staff"]}
    assert _errors(rules.check_account, {"email": "a@b.cn", "password": "x" * 8, "role": "admin",
                                         "region": "23\x00"}) == {
        "region": ["contains control characters", "not used for role admin"]}


def test_rules_across_fields():
    assert rules.ends_before_start(date(2020, 3, 2), date(2020, 3, 1))
    assert not rules.ends_before_start(date(2020, 3, 2), date(2020, 3, 2))
    assert rules.supplies_itself("F1", "F1") and not rules.supplies_itself(None, None)
    assert rules.reported_risk_zone(["labour", "risk_zone"]) and not rules.reported_risk_zone(None)


@pytest.mark.parametrize("value,storable", [("F-1", True), ("F\x00", False), ("\ud800", False), ("F" * 65, False),
                                            (7, False), ("a\tb\nc", True)])
def test_storable_text(value, storable):
    assert rules.is_storable_text(value, 64) is storable


def test_raise_if_names_every_field():
    rules.raise_if({})
    with pytest.raises(Invalid) as exc:
        rules.raise_if({"a": ["x"], "b": ["y"]}, "invalid need")
    assert (exc.value.message, exc.value.errors) == ("invalid need", {"a": ["x"], "b": ["y"]})


def test_the_package_reads_the_same_vocabulary_and_limits():
    from matchmaker.packages.schema import FIELDS

    assert FIELDS["needs"]["terms"].choices == rules.TERMS
    assert FIELDS["firms"]["blockers"].choices == rules.REPORTABLE_BLOCKERS
    assert rules.PACKAGE_MAX_LENGTH == {**rules.MAX_LENGTH, "note": 10000}


@pytest.mark.parametrize("module", ["values", "records", "creditcode"])
def test_the_examples_in_the_rules_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"matchmaker.rules.{module}"))
    assert result.attempted > 0 and result.failed == 0
