"""Links carry `terms` and `since` (spec/article10.md, issue 13): a pairing's link takes the need's
terms and starts on the day the second side accepted; a confirmed link request starts on the day
it was confirmed; packages read and write both (default: no terms, the day of the import)."""
import copy
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Delivery, Link, Order, Payment
from matchmaker.models.pairing import Pairing
from matchmaker.services import links, matching
from matchmaker.services.packages import export_package, import_package, stored_package
from tests import factories
from tests.packages.conftest import BASE, problems, write_json  # noqa: F401 (fixture)


@pytest.fixture
def today(app):
    """Pin the service's clock; returns a setter."""
    def set_today(day):
        app.config["TODAY"] = day.isoformat()

    yield set_today
    app.config["TODAY"] = None


def test_a_pairing_link_takes_the_need_terms_and_starts_when_the_second_side_accepts(db, today):
    buyer = factories.firm("B1", kind="leading")
    supplier = factories.firm("S1", kind="sme")
    factories.need(buyer, "C1", quantity=50.0, needed_by=date(2020, 4, 13), ref="N1", terms=["pay_first", "order_first"])
    factories.offer(supplier, "C1", quantity=50.0, ref="O1")
    ub, us = factories.user(firm_row=buyer), factories.user(firm_row=supplier)
    db.session.commit()
    matching.run_matching(date(2020, 3, 16))
    pairing = db.session.scalars(sa.select(Pairing)).one()
    today(date(2020, 3, 16))
    matching.accept_pairing(ub, pairing.id)
    today(date(2020, 3, 18))
    done = matching.accept_pairing(us, pairing.id)
    assert done.link.terms == ["pay_first", "order_first"]
    assert done.link.since == date(2020, 3, 18)


def test_a_confirmed_link_request_starts_on_the_day_it_is_confirmed(db, today):
    buyer = factories.firm("B1", kind="leading")
    supplier = factories.firm("S1", kind="sme")
    factories.category("C1")
    ub, us = factories.user(firm_row=buyer), factories.user(firm_row=supplier)
    db.session.commit()
    today(date(2020, 3, 2))
    req = links.create_link(us, {"supplier": "S1", "buyer": "B1", "category": "C1", "quantity_per_week": 3.0,
                                 "terms": ["pay_first"]})
    today(date(2020, 3, 5))
    done = links.confirm_link_request(ub, req.id)
    assert (done.link.since, done.link.terms) == (date(2020, 3, 5), ["pay_first"])


def _link(ref="L1"):
    db.session.expire_all()
    return db.session.scalar(sa.select(Link).where(Link.ref == ref))


def test_package_links_default_to_no_terms_and_the_day_of_the_import(tmp_path, app, today):
    today(date(2020, 3, 9))
    import_package(write_json(tmp_path, BASE), reference=False)
    assert (_link().terms, _link().since) == ([], date(2020, 3, 9))


def test_package_links_take_terms_and_since_and_keep_the_day_when_reimported_without_it(tmp_path, app, today):
    package = copy.deepcopy(BASE)
    package["links"][0].update(terms=["order_first", "pay_first"], since="2020-02-20")
    today(date(2020, 3, 9))
    import_package(write_json(tmp_path, package), reference=False)
    assert (_link().terms, _link().since) == (["order_first", "pay_first"], date(2020, 2, 20))
    # a corrected row without `since` keeps the stored day; without `terms` it has none (a whole record)
    today(date(2020, 3, 30))
    import_package(write_json(tmp_path, {"links": [dict(BASE["links"][0], quantity_per_week=6)]}), reference=False)
    assert (_link().terms, _link().since, _link().quantity_per_week) == ([], date(2020, 2, 20), 6.0)
    # a new link in the same later import starts that day
    new = dict(BASE["links"][0], ref="L2", since=None)
    import_package(write_json(tmp_path, {"links": [new]}), reference=False)
    assert _link("L2").since == date(2020, 3, 30)


def test_bad_terms_and_since_are_reported_by_row_and_field(tmp_path, app, problems):
    package = copy.deepcopy(BASE)
    package["links"].append(dict(BASE["links"][0], ref="L2", terms=["pay_later"], since="2020-13-01"))
    got = problems(package)
    assert ("links", 3, "terms") in got and ("links", 3, "since") in got


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out_csv"])
def test_export_writes_terms_and_since_and_they_import_back(tmp_path, app, name, today):
    package = copy.deepcopy(BASE)
    package["links"][0].update(terms=["supply_first"], since="2020-01-31")
    import_package(write_json(tmp_path, package), reference=False)
    export_package(tmp_path / name)
    link = stored_package()["links"][0]
    assert (link["terms"], link["since"]) == (["supply_first"], date(2020, 1, 31))
    for model in (Payment, Delivery, Order, Link):
        db.session.execute(sa.delete(model))
    db.session.commit()
    today(date(2020, 6, 1))
    import_package(tmp_path / name, reference=False)
    assert (_link().terms, _link().since) == (["supply_first"], date(2020, 1, 31))
