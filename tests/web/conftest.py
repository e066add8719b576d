"""Fixtures for the page tests: a small world (leading firm, SME, staff, admin) and signed-in clients."""
from datetime import date, timedelta

import pytest

from matchmaker.infra.extensions import db as _db
from tests import factories

PASSWORD = "correct horse 1"


@pytest.fixture
def world(app):
    """A leading firm L and an SME S in county 230102 (city 230100), with one user each, staff and an admin."""
    factories.region("230000", name="黑龙江省")
    factories.region("230100", name="哈尔滨市")
    factories.region("230102", name="道里区")
    factories.region("230103", name="南岗区", lat=45.75, lon=126.68)
    factories.category("C1", name="钢材")
    factories.category("C2", name="零件", inputs=("C1",))
    lead = factories.firm("L1", kind="leading", region_code="230102", name="龙头一厂", industry="C", park="哈经开区")
    sme = factories.firm("S1", kind="sme", region_code="230103", name="小厂一号", industry="C", park="哈经开区")
    users = {
        "lead": factories.user("firm", lead, email="lead@example.cn"),
        "sme": factories.user("firm", sme, email="sme@example.cn"),
        "county": factories.user("staff", region_code="230102", email="county@example.cn"),
        "city": factories.user("staff", region_code="230100", email="city@example.cn"),
        "admin": factories.user("admin", email="admin@example.cn"),
    }
    _db.session.commit()
    return {"lead": lead, "sme": sme, "users": users, "today": date.today(),
            "soon": date.today() + timedelta(days=20)}


def login(client, email, password=PASSWORD):
    """Sign a test client in through the form."""
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 302, resp.text[:500]
    return client


@pytest.fixture
def as_user(app, world):
    """as_user('lead') -> a test client signed in as that user of the world."""
    def make(who):
        return login(app.test_client(), world["users"][who].email)
    return make
