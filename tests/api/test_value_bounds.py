"""Issue 11, finding 9: `needed_by` accepted 0001-01-01, 9999-12-31 and `2020-W18-1`, and a
quantity accepted 1e-320; the API, the services and the data-package import refuse them now."""
import pytest

from matchmaker.rules import check_date, check_number
from matchmaker.packages.cells import BadCell, _coerce_date  # noqa: F401  (the package's coercion)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "2020-W18-1", "20200316", "2020-3-16"])
def test_out_of_range_or_non_iso_dates_are_refused_by_the_rules(text):
    errors = {}
    check_date({"needed_by": text}, "needed_by", errors)
    assert "needed_by" in errors


def test_a_plain_iso_date_in_range_is_kept():
    data, errors = {"needed_by": "2020-04-13"}, {}
    check_date(data, "needed_by", errors)
    assert not errors and data["needed_by"].isoformat() == "2020-04-13"


@pytest.mark.parametrize("value", [1e-320, 5e-324, 0.0009])
def test_vanishing_quantities_are_refused(value):
    errors = {}
    check_number({"quantity": value}, "quantity", errors, positive=True)
    assert errors["quantity"] == ["must be at least 0.001"]


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "2020-W18-1"])
def test_the_package_reader_refuses_them_too(text):
    with pytest.raises(BadCell):
        _coerce_date(text, None, True)


def test_the_api_refuses_them(client, db):
    from matchmaker.services.auth import issue_token
    from tests import factories

    factories.region("230102", lat=45.7567, lon=126.6424)
    firm = factories.firm("B1", kind="leading", region_code="230102")
    factories.category("C1")
    token = issue_token(factories.user(role="firm", firm_row=firm))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for needed_by in ("0001-01-01", "9999-12-31", "2020-W18-1"):
        r = client.post("/api/v1/needs", json={"category": "C1", "quantity": 10, "needed_by": needed_by},
                        headers=headers)
        assert r.status_code == 422 and "needed_by" in str(r.get_json()["errors"]), needed_by
    r = client.post("/api/v1/needs", json={"category": "C1", "quantity": 1e-320, "needed_by": "2099-01-01"},
                    headers=headers)
    assert r.status_code == 422 and "quantity" in str(r.get_json()["errors"])
    r = client.post("/api/v1/needs", json={"category": "C1", "quantity": 10, "needed_by": "2099-01-01"},
                    headers=headers)
    assert r.status_code == 201, r.get_json()
