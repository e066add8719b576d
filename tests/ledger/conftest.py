"""A link between a leading buyer and an SME supplier in two counties of one city, its users,
staff of each county and of another province, and an admin; the clock pinned to 2020-03-20."""
from datetime import date

import pytest

from matchmaker.infra.extensions import db as _db
from matchmaker.services import auth
from tests import factories

TODAY = date(2020, 3, 20)


@pytest.fixture
def ledger_world(app):
    app.config["TODAY"] = TODAY.isoformat()
    factories.region("230102", name="道里区")
    factories.region("230103", name="南岗区", lat=45.75, lon=126.68)
    factories.region("220102", name="南关区", lat=43.86, lon=125.32)
    buyer = factories.firm("B1", kind="leading", region_code="230102", name="龙头一厂")
    supplier = factories.firm("S1", kind="sme", region_code="230103", name="小厂一号")
    other = factories.firm("X1", kind="sme", region_code="220102", name="外省小厂")
    link = factories.link(supplier, buyer, "C1", ref="L1", terms=["pay_first", "order_first"],
                          since=date(2020, 3, 1))
    other_link = factories.link(other, buyer, "C1", ref="L2", since=date(2020, 3, 1))
    users = {
        "buyer": factories.user("firm", buyer, email="buyer@example.cn"),
        "supplier": factories.user("firm", supplier, email="supplier@example.cn"),
        "other_firm": factories.user("firm", other, email="other@example.cn"),
        "buyer_county": factories.user("staff", region_code="230102", email="county@example.cn"),
        "supplier_county": factories.user("staff", region_code="230103", email="county2@example.cn"),
        "other_province": factories.user("staff", region_code="220102", email="jl@example.cn"),
        "admin": factories.user("admin", email="admin@example.cn"),
    }
    _db.session.commit()
    yield {"buyer": buyer, "supplier": supplier, "link": link, "other_link": other_link, "users": users}
    app.config["TODAY"] = None


@pytest.fixture
def bearer(ledger_world):
    """Authorization headers of a user of the ledger world by name."""
    def headers(name):
        return {"Authorization": f"Bearer {auth.issue_token(ledger_world['users'][name])}"}

    return headers
