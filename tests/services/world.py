"""A small registry shared by the service and API tests: two provinces, cities, counties, firms, users.

Harbin city 230100 has counties 230102 and 230103; Qiqihar 230200 has 230202; Jilin province 220000
has Changchun 220100 with county 220102.
"""
from types import SimpleNamespace

from matchmaker.infra.extensions import db
from tests import factories

PASSWORD = "correct horse 1"


def build_world():
    """Rows and users for every role; returns a namespace of ids/refs (safe after commit)."""
    for code in ("230102", "230103", "230202", "220102"):
        factories.region(code)
    factories.category("C1", unit="t")
    factories.category("C2", unit="piece", inputs=["C1"])
    own = factories.firm("F-OWN", kind="sme", region_code="230102")
    sister = factories.firm("F-SISTER", kind="leading", region_code="230103")
    qiqihar = factories.firm("F-QQH", kind="sme", region_code="230202")
    jilin = factories.firm("F-JL", kind="leading", region_code="220102")
    firms = {"own": own, "sister": sister, "qiqihar": qiqihar, "jilin": jilin}
    needs = {k: factories.need(f, ref=f"N-{k}") for k, f in firms.items()}
    offers = {k: factories.offer(f, ref=f"O-{k}") for k, f in firms.items()}
    links = {
        "own": factories.link(own, sister, ref="L-own"),          # inside Harbin
        "sister": factories.link(sister, qiqihar, ref="L-sister"),  # Harbin <-> Qiqihar
        "qiqihar": factories.link(qiqihar, sister, ref="L-qiqihar", category_code="C2"),
        "jilin": factories.link(jilin, qiqihar, ref="L-jilin"),  # Jilin -> Qiqihar
    }
    users = {
        "firm_own": factories.user("firm", own, email="own@example.cn"),
        "firm_other": factories.user("firm", sister, email="sister@example.cn"),
        "county_staff": factories.user("staff", region_code="230102", email="county@example.cn"),
        "city_staff": factories.user("staff", region_code="230100", email="city@example.cn"),
        "province_staff": factories.user("staff", region_code="230000", email="province@example.cn"),
        "other_province_staff": factories.user("staff", region_code="220000", email="jl@example.cn"),
        "admin": factories.user("admin", email="admin@example.cn"),
    }
    factories.category("C2", unit="piece", inputs=["C1"])  # last: the factory resets inputs on each call
    db.session.commit()
    return SimpleNamespace(
        firms={k: v.id for k, v in firms.items()},
        firm_refs={k: v.ref for k, v in firms.items()},
        needs={k: v.id for k, v in needs.items()},
        offers={k: v.id for k, v in offers.items()},
        links={k: v.id for k, v in links.items()},
        users={k: v.id for k, v in users.items()},
        emails={k: v.email for k, v in users.items()},
    )


def actor(world, role):
    """The User row for a role name of build_world (None for 'anonymous')."""
    from matchmaker.models import User

    return None if role == "anonymous" else db.session.get(User, world.users[role])
