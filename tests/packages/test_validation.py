"""Every validation rule of data-package.md: each error names its section, row and field,
and a rejected package changes nothing."""
import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Region
from matchmaker.packages.schema import SECTIONS
from tests import factories
from tests.packages.conftest import credit_code


def test_the_base_package_is_valid(load, base):
    result = load(base)
    assert result.created == {"regions": 4, "categories": 2, "products": 2, "firms": 2, "needs": 1, "offers": 1,
                              "links": 1, "orders": 1, "deliveries": 1, "payments": 1}


def test_unknown_section_is_an_error(problems, base):
    base["firm"] = []
    assert problems(base) == [("firm", 1, "-")]


def test_unknown_json_key_is_reported_at_that_records_row(problems, base):
    base["firms"][1]["colour"] = "red"
    assert problems(base) == [("firms", 3, "colour")]


@pytest.mark.parametrize("section,field", [
    (s, f.name) for s, fields in SECTIONS.items() for f in fields if f.required
])
def test_required_field(problems, base, section, field):
    del base[section][-1][field]
    found = problems(base)
    assert (section, len(base[section]) + 1, field) in found


def test_required_field_given_as_empty_text(problems, base):
    base["firms"][0]["name"] = "  "
    assert problems(base) == [("firms", 2, "name")]


@pytest.mark.parametrize("section,index,field,value", [
    ("regions", 0, "level", "state"),
    ("regions", 1, "risk", "extreme"),
    ("firms", 0, "kind", "big"),
    ("needs", 0, "status", "pending"),
    ("needs", 0, "terms", ["order_first", "cash_on_delivery"]),
    ("offers", 0, "status", "done"),
    ("offers", 0, "help_wanted", ["marketing", "luck"]),
    ("firms", 1, "blockers", ["labour", "weather"]),
])
def test_enumerations(problems, base, section, index, field, value):
    base[section][index][field] = value
    assert problems(base) == [(section, index + 2, field)]


def test_enumerations_ignore_case(load, base):
    base["firms"][0]["kind"] = "Leading"
    base["needs"][0]["terms"] = ["Pay_First"]
    load(base)
    assert db.session.scalar(sa.select(Firm.kind).where(Firm.ref == "F1")) == "leading"


def test_risk_zone_cannot_be_imported_as_a_blocker(problems, base):
    base["firms"][1]["blockers"] = ["labour", "risk_zone"]
    [problem] = problems(base, with_messages=True)
    assert (problem.section, problem.row, problem.field) == ("firms", 3, "blockers")
    assert "risk_zone" in problem.message


@pytest.mark.parametrize("section,field,value", [
    ("needs", "quantity", 0),
    ("needs", "quantity", -3),
    ("offers", "quantity", "0"),
    ("links", "quantity_per_week", 0),
    ("needs", "max_unit_price", 0),
    ("offers", "unit_price", -1.5),
])
def test_quantities_and_prices_are_positive(problems, base, section, field, value):
    base[section][0][field] = value
    assert problems(base) == [(section, 2, field)]


@pytest.mark.parametrize("field,value", [
    ("capacity_utilization", 1.2), ("capacity_utilization", -0.1), ("workers_back", "1.01"), ("workers_back", "150%"),
])
def test_ratios_are_within_0_and_1(problems, base, field, value):
    base["firms"][1][field] = value
    assert problems(base) == [("firms", 3, field)]


def test_ratios_accept_bounds_and_percent_text(load, base):
    base["firms"][0].update(capacity_utilization=0, workers_back="85%")
    base["firms"][1].update(capacity_utilization="1", workers_back=1)
    load(base)
    assert db.session.scalar(sa.select(Firm.workers_back).where(Firm.ref == "F1")) == pytest.approx(0.85)


@pytest.mark.parametrize("section,field,value", [
    ("needs", "quantity", "a lot"), ("offers", "lead_time_days", "2.5"), ("offers", "delivery_radius_km", -1),
    ("regions", "lat", "north"), ("regions", "lat", 91),
])
def test_numbers_parse(problems, base, section, field, value):
    index = 2 if section == "regions" else 0
    base[section][index][field] = value
    assert problems(base) == [(section, index + 2, field)]


@pytest.mark.parametrize("section,field,value", [
    ("needs", "needed_by", "2020-13-01"), ("needs", "needed_by", "next week"), ("offers", "available_from", "1/3/2020"),
    ("offers", "available_until", 20200301),
])
def test_dates_parse(problems, base, section, field, value):
    base[section][0][field] = value
    assert problems(base) == [(section, 2, field)]


def test_available_until_is_not_before_available_from(problems, base, load):
    base["offers"][0]["available_until"] = "2020-02-29"
    assert problems(base) == [("offers", 2, "available_until")]
    base["offers"][0]["available_until"] = "2020-03-01"  # the same day is fine
    load(base)


def test_a_firms_region_is_a_county(problems, base):
    base["firms"][0]["region"] = "230100"
    base["firms"][1]["region"] = "239999"
    assert problems(base) == [("firms", 2, "region"), ("firms", 3, "region")]


def test_credit_code_check_digit(problems, base):
    good = credit_code()
    base["firms"][0]["credit_code"] = good[:17] + ("0" if good[17] != "0" else "1")
    [problem] = problems(base, with_messages=True)
    assert (problem.section, problem.row, problem.field) == ("firms", 2, "credit_code")
    assert f"expected {good[17]}" in problem.message
    assert str(problem).startswith("firms row 2 field credit_code: check digit is wrong")


@pytest.mark.parametrize("value", ["91230102MA1B2C3D4", "91230102MA1B2C3DIO", "91230102MA1B2C3D4XX"])
def test_credit_code_shape(problems, base, value):
    base["firms"][0]["credit_code"] = value
    assert problems(base) == [("firms", 2, "credit_code")]


def test_credit_code_is_accepted_in_lower_case(load, base):
    base["firms"][0]["credit_code"] = credit_code().lower()
    load(base)
    assert db.session.scalar(sa.select(Firm.credit_code).where(Firm.ref == "F1")) == credit_code()


def test_credit_code_unique_within_the_package_names_the_earlier_row(problems, base):
    base["firms"][1]["credit_code"] = credit_code()
    [problem] = problems(base, with_messages=True)
    assert (problem.section, problem.row, problem.field) == ("firms", 3, "credit_code")
    assert "row 2" in problem.message


def test_credit_code_unique_against_stored_firms(problems, base, load, app):
    factories.firm(ref="OLD", credit_code=credit_code("91230102MA1B2C3D9"))
    db.session.commit()
    base["firms"][1]["credit_code"] = credit_code("91230102MA1B2C3D9")
    [problem] = problems(base, with_messages=True)
    assert (problem.section, problem.row, problem.field) == ("firms", 3, "credit_code")
    assert "OLD" in problem.message
    # The stored firm itself may be re-imported with its own code.
    base["firms"][1]["credit_code"] = None
    base["firms"].append({"ref": "OLD", "name": "旧", "kind": "sme", "region": "230102",
                          "credit_code": credit_code("91230102MA1B2C3D9")})
    load(base)


def test_credit_codes_may_move_between_re_imported_firms(load, base):
    other = credit_code("91230102MA1B2C3D9")
    base["firms"][1]["credit_code"] = other
    load(base)
    base["firms"][0]["credit_code"], base["firms"][1]["credit_code"] = other, credit_code()
    load(base)
    assert dict(db.session.execute(sa.select(Firm.ref, Firm.credit_code)).all()) == {"F1": other, "F2": credit_code()}


@pytest.mark.parametrize("section", ["firms", "needs", "offers", "links", "categories", "regions"])
def test_duplicate_ref_at_the_later_row_naming_the_earlier(problems, base, section):
    base[section].append(dict(base[section][-1]))
    [problem] = problems(base, with_messages=True)
    row = len(base[section]) + 1
    key = "code" if section in ("regions", "categories") else "ref"
    assert (problem.section, problem.row, problem.field) == (section, row, key)
    assert f"row {row - 1}" in problem.message


def test_short_and_long_region_codes_count_as_duplicates(problems, base):
    base["regions"].append({"code": "23", "name": "黑龙江", "level": "province"})
    assert problems(base) == [("regions", 6, "code")]


@pytest.mark.parametrize("section,field,value", [
    ("needs", "firm", "F9"), ("needs", "category", "C9"), ("offers", "firm", "F9"), ("offers", "category", "C9"),
    ("links", "supplier", "F9"), ("links", "buyer", "F9"), ("links", "category", "C9"),
    ("categories", "inputs", ["C1", "C9"]), ("categories", "substitutes", ["C9"]),
    ("regions", "parent", "239900"),
])
def test_references_resolve(problems, base, section, field, value):
    base[section][-1][field] = value
    assert problems(base) == [(section, len(base[section]) + 1, field)]


def test_references_resolve_to_stored_rows(load, base):
    load(base)
    later = {
        "firms": [{"ref": "F3", "name": "丙", "kind": "sme", "region": "230102"}],
        "needs": [{"ref": "N2", "firm": "F1", "category": "C2", "quantity": 1, "needed_by": "2020-05-01"}],
        "links": [{"ref": "L2", "supplier": "F3", "buyer": "F1", "category": "C2", "quantity_per_week": 1}],
        "categories": [{"code": "C3", "name": "零件", "unit": "piece", "inputs": ["C2", "C1"]}],
        "regions": [{"code": "230104", "name": "道外区", "level": "county", "parent": "230100", "lat": 45.8,
                     "lon": 126.7}],
    }
    result = load(later)
    assert result.created == {"regions": 1, "categories": 1, "firms": 1, "needs": 1, "links": 1}


def test_links_between_distinct_firms(problems, base):
    base["links"][0]["buyer"] = "F2"
    assert problems(base) == [("links", 2, "buyer")]


def test_region_codes_accept_short_and_12_digit_forms(load, base):
    base["regions"] = [
        {"code": "23", "name": "黑龙江省", "level": "province"},
        {"code": "2301", "name": "哈尔滨市", "level": "city", "parent": "23"},
        {"code": "230102000000", "name": "道里区", "level": "county", "parent": "230100000000", "lat": 45.76,
         "lon": 126.61},
        {"code": 230103, "name": "南岗区", "level": "county", "parent": 2301, "lat": 45.75, "lon": 126.66},
    ]
    base["firms"][0]["region"] = "230102000000"
    load(base)
    assert sorted(db.session.scalars(sa.select(Region.code))) == ["230000", "230100", "230102", "230103"]
    assert db.session.get(Region, "230102").parent_code == "230100"
    assert db.session.scalar(sa.select(Firm.region_code).where(Firm.ref == "F1")) == "230102"


@pytest.mark.parametrize("code", ["230102001000", "230", "2301020", "23010a"])
def test_region_codes_of_other_shapes_are_errors(problems, base, code):
    base["firms"][0]["region"] = code
    assert problems(base) == [("firms", 2, "region")]


def test_county_needs_a_location(problems, base):
    del base["regions"][2]["lat"]
    base["regions"][3]["lon"] = ""
    assert problems(base) == [("regions", 4, "lat"), ("regions", 5, "lon")]


def test_parent_required_below_province_and_above_the_region(problems, base):
    del base["regions"][1]["parent"]
    base["regions"][3]["parent"] = "230102"  # a county is no county's parent
    assert problems(base) == [("regions", 3, "parent"), ("regions", 5, "parent")]


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("TRUE", True), ("True", True), ("1", True), ("yes", True), ("YES", True), ("是", True),
    (True, True), (1, True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("No", False), ("否", False), (False, False),
])
def test_booleans_in_every_spelling(load, base, text, expected):
    base["firms"][0]["operating"] = text
    base["links"][0]["active"] = text
    load(base)
    assert db.session.scalar(sa.select(Firm.operating).where(Firm.ref == "F1")) is expected


@pytest.mark.parametrize("text", ["maybe", "2", "y", "真"])
def test_other_booleans_are_errors(problems, base, text):
    base["firms"][0]["operating"] = text
    assert problems(base) == [("firms", 2, "operating")]


@pytest.mark.parametrize("code,stored", [("C1441", "C1441"), ("c1441", "C1441"), ("C", "C"), ("1441", "C1441")])
def test_industry_codes_of_gbt4754(load, base, code, stored):
    base["firms"][0]["industry"] = code
    load(base)
    assert db.session.scalar(sa.select(Firm.industry).where(Firm.ref == "F1")) == stored


@pytest.mark.parametrize("code", ["Z", "C9999", "A1441", "dairy"])
def test_unknown_industry_codes_are_errors(problems, base, code):
    base["firms"][0]["industry"] = code
    assert problems(base) == [("firms", 2, "industry")]


def test_list_fields_are_arrays_in_json(load, base, problems):
    base["needs"][0]["terms"] = ["order_first", "pay_first"]
    base["firms"][1]["blockers"] = ["labour", "funds"]
    load(base)
    assert db.session.scalar(sa.select(Firm.blockers).where(Firm.ref == "F2")) == ["labour", "funds"]
    base["needs"][0]["terms"] = {"order_first": True}
    assert problems(base) == [("needs", 2, "terms")]


def test_contact_email_is_an_address(problems, base):
    base["firms"][1]["contact_email"] = "not an address"
    assert problems(base) == [("firms", 3, "contact_email")]


def test_text_longer_than_its_column_is_an_error(problems, base):
    base["firms"][0]["name"] = "长" * 201
    assert problems(base) == [("firms", 2, "name")]


def test_errors_in_several_rows_are_all_reported_and_nothing_is_written(problems, base, load, app):
    load(base)
    before = db.session.execute(sa.select(Firm.ref, Firm.name, Firm.version)).all()
    base["firms"][0]["name"] = "改名"  # a valid change that must not be written either
    base["firms"][1]["kind"] = "huge"
    base["needs"][0]["quantity"] = -1
    base["needs"].append({"ref": "N2", "firm": "F7", "category": "C1", "quantity": 1, "needed_by": "someday"})
    base["offers"][0]["available_until"] = "2019-01-01"
    found = problems(base)
    assert found == [("firms", 3, "kind"), ("needs", 2, "quantity"), ("needs", 3, "needed_by"),
                     ("needs", 3, "firm"), ("offers", 2, "available_until")]
    assert db.session.execute(sa.select(Firm.ref, Firm.name, Firm.version)).all() == before
