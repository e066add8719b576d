"""Firms service: registry rules, status reports by the firm's own users, scope, filters."""
import pytest

from matchmaker.services import firms, regions, categories, users
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound
from tests.services.world import actor, build_world

VALID_CREDIT_CODE = "91350100M000100Y43"


@pytest.fixture
def world(app):
    return build_world()


def test_firm_user_reports_status_of_own_firm(world):
    row = firms.update_firm_status(actor(world, "firm_own"), world.firms["own"], {
        "operating": False, "capacity_utilization": 0.4, "workers_back": 0.75,
        "blockers": ["labour", "transport"], "park": "哈尔滨经开区", "version": 1})
    assert (row.operating, row.capacity_utilization, row.workers_back) == (False, 0.4, 0.75)
    assert row.blockers == ["labour", "transport"] and row.version == 2


@pytest.mark.parametrize("field,value", [
    ("capacity_utilization", 1.5), ("workers_back", -0.1), ("blockers", ["risk_zone"]),
    ("blockers", ["weather"]), ("operating", "maybe"), ("contact_email", "not-an-email"),
])
def test_status_rules_name_the_field(world, field, value):
    with pytest.raises(Invalid) as exc:
        firms.update_firm_status(actor(world, "firm_own"), world.firms["own"], {field: value})
    assert field in exc.value.errors


def test_firm_user_may_not_change_registry_data_or_other_firms(world):
    with pytest.raises(Forbidden):
        firms.update_firm(actor(world, "firm_own"), world.firms["own"], {"name": "new name"})
    with pytest.raises(NotFound):
        firms.update_firm_status(actor(world, "firm_own"), world.firms["sister"], {"operating": False})
    with pytest.raises(Forbidden):
        firms.update_firm_status(actor(world, "city_staff"), world.firms["sister"], {"operating": False})
    with pytest.raises(Invalid):
        firms.update_firm_status(actor(world, "admin"), world.firms["own"], {"name": "x"})


def test_admin_registers_firm_with_package_rules(world):
    admin = actor(world, "admin")
    with pytest.raises(Invalid) as exc:
        firms.create_firm(admin, {"ref": "F-NEW", "name": "新企业", "kind": "big", "region": "230100",
                                  "credit_code": "91350100M000100Y44", "industry": "Q99"})
    assert {"kind", "region", "credit_code", "industry"} <= set(exc.value.errors)
    row = firms.create_firm(admin, {"ref": "F-NEW", "name": "新企业", "kind": "sme", "region": "230102",
                                    "credit_code": VALID_CREDIT_CODE.lower(), "industry": "C1441"})
    assert (row.credit_code, row.operating, row.blockers) == (VALID_CREDIT_CODE, True, [])
    with pytest.raises(Conflict) as exc:
        firms.create_firm(admin, {"ref": "F-NEW2", "name": "x", "kind": "sme", "region": "230102",
                                  "credit_code": VALID_CREDIT_CODE})
    assert "credit_code" in exc.value.errors
    with pytest.raises(Conflict):
        firms.create_firm(admin, {"ref": "F-OWN", "name": "x", "kind": "sme", "region": "230102"})
    with pytest.raises(Forbidden):
        firms.create_firm(actor(world, "province_staff"), {"ref": "F-X", "name": "x", "kind": "sme",
                                                            "region": "230102"})


def test_list_firms_scope_and_filters(world):
    refs = lambda role, **f: {x.ref for x in firms.list_firms(actor(world, role), f)[0]}  # noqa: E731
    assert refs("county_staff") == {"F-OWN"}
    assert refs("city_staff") == {"F-OWN", "F-SISTER"}
    assert refs("province_staff") == {"F-OWN", "F-SISTER", "F-QQH"}
    assert refs("other_province_staff") == {"F-JL"}
    assert refs("firm_other") == {"F-SISTER"}
    assert refs("admin", region="2301", kind="leading") == {"F-SISTER"}
    firms.update_firm_status(actor(world, "firm_own"), world.firms["own"], {"blockers": ["funds"],
                                                                            "operating": False})
    assert refs("admin", blocker="funds") == {"F-OWN"}
    assert refs("admin", operating=False) == {"F-OWN"}
    assert refs("admin", status="stopped") == {"F-OWN"}
    assert refs("admin", status="operating", region="230100") == {"F-SISTER"}
    assert refs("admin", category="C1") == {"F-OWN", "F-SISTER", "F-QQH", "F-JL"}
    assert refs("admin", category="C2") == set()


def test_reference_reads(world):
    assert regions.get_region("2301").code == "230100"
    with pytest.raises(NotFound):
        regions.get_region("x" * 500)
    items, total = regions.list_regions({"within": "230100", "level": "county"})
    assert {r.code for r in items} == {"230102", "230103"} and total == 2
    assert [c.code for c in categories.get_category("C2").inputs] == ["C1"]
    assert categories.list_categories({"input_of": "C2"})[1] == 1


def test_users_are_managed_by_admins(world):
    with pytest.raises(Forbidden):
        users.create_user(actor(world, "city_staff"), {"email": "x@example.cn", "password": "long enough 1",
                                                       "role": "admin"})
    new = users.create_user(actor(world, "admin"), {"email": "New@Example.cn", "password": "long enough 1",
                                                    "role": "staff", "region": "2301"})
    assert (new.email, new.region_code) == ("new@example.cn", "230100")
    with pytest.raises(Conflict):
        users.create_user(None, {"email": "new@example.cn", "password": "long enough 1", "role": "admin"})
    with pytest.raises(Invalid) as exc:
        users.create_user(None, {"email": "z@example.cn", "password": "short", "role": "firm"})
    assert {"password", "firm"} <= set(exc.value.errors)
    assert users.deactivate_user(actor(world, "admin"), new.id).active is False
    assert users.list_users(actor(world, "admin"), {"active": False})[1] == 1
