"""Risk zones (article 2, issue 12 item 7): who sets a county's risk, the level in force on a
report's day (boundary dates), history and audit, imports, and what a high-risk county stops."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.models import AuditEntry, Region, RegionRisk
from matchmaker.services import reports, risk_zones
from matchmaker.services.packages import import_package
from matchmaker.services.support.audit import set_acting_user
from matchmaker.services.support.errors import Forbidden, Invalid, NotFound
from tests import factories as f

COUNTY, OTHER_CITY_COUNTY = "230102", "231221"


@pytest.fixture
def today(app):
    app.config["TODAY"] = "2020-03-16"
    yield date(2020, 3, 16)
    app.config["TODAY"] = None


@pytest.fixture
def staff(db):
    f.region(COUNTY)
    f.region(OTHER_CITY_COUNTY)
    users = {"province": f.user("staff", region_code="230000"), "city": f.user("staff", region_code="230100"),
             "county": f.user("staff", region_code=COUNTY), "admin": f.user("admin")}
    db.session.commit()
    return users


@pytest.fixture
def down_if_high(db):
    """Supplier S in COUNTY serving two leading buyers in another county: only risk can stop it."""
    f.region("230103")
    s = f.firm("S", region_code=COUNTY)
    b1 = f.firm("B1", kind="leading", region_code="230103")
    b2 = f.firm("B2", kind="leading", region_code="230103")
    f.link(s, b1, "C1", 40.0)
    f.link(s, b2, "C1", 10.0)
    db.session.commit()


def _risk_breaks(week):
    return sorted((b["supplier"], b["buyer"]) for b in reports.report_data(None, week)["breaks"]
                  if b["kind"] == "supplier_down" and "risk_zone" in b["factors"])


def test_a_county_officer_cannot_set_risk(staff, today):
    with pytest.raises(Forbidden):
        risk_zones.set_risk(staff["county"], COUNTY, "high", "2020-03-16", "outbreak")
    assert risk_zones.risk_history(staff["county"], COUNTY)["can_set"] is False
    assert risk_zones.risk_history(staff["county"], COUNTY)["history"] == []


def test_a_city_sets_only_its_own_counties(staff, today, db):
    risk_zones.set_risk(staff["city"], COUNTY, "medium", "2020-03-16", "cases nearby")
    assert db.session.get(Region, COUNTY).risk == "medium"
    with pytest.raises(NotFound):  # another city's county answers as absent
        risk_zones.set_risk(staff["city"], OTHER_CITY_COUNTY, "high", "2020-03-16", "x")
    with pytest.raises(Invalid):  # a city is not a risk zone
        risk_zones.set_risk(staff["city"], "230100", "high", "2020-03-16", "x")
    risk_zones.set_risk(staff["province"], OTHER_CITY_COUNTY, "high", "2020-03-16", "province decision")
    risk_zones.set_risk(staff["admin"], OTHER_CITY_COUNTY, "low", "2020-03-16", "admin")
    assert db.session.get(Region, OTHER_CITY_COUNTY).risk == "low"
    assert [(c["code"], c["can_set"]) for c in risk_zones.counties_in_scope(staff["city"])] == [(COUNTY, True)]
    assert [(c["code"], c["can_set"]) for c in risk_zones.counties_in_scope(staff["county"])] == [(COUNTY, False)]
    assert {c["code"] for c in risk_zones.counties_in_scope(staff["province"]) if c["can_set"]} == {
        COUNTY, OTHER_CITY_COUNTY}


def test_bad_values_are_refused(staff, today):
    with pytest.raises(Invalid) as exc:
        risk_zones.set_risk(staff["province"], COUNTY, "extreme", "2020-13-01", "x")
    assert set(exc.value.errors) == {"risk", "effective_from"}


def test_history_is_kept_audited_and_starts_with_a_baseline(staff, today, db):
    for who, risk, day, why in (("province", "high", "2020-03-16", "outbreak"), ("city", "low", "2020-03-23", "cleared")):
        set_acting_user(staff[who])  # what the edge does for a signed-in request
        try:
            risk_zones.set_risk(staff[who], COUNTY, risk, day, why)
        finally:
            set_acting_user(None)
    hist = risk_zones.risk_history(staff["county"], COUNTY)
    assert [(h["risk"], h["effective_from"], h["set_by"]) for h in hist["history"]] == [
        ("low", date(2020, 3, 23), staff["city"].email), ("high", date(2020, 3, 16), staff["province"].email),
        ("low", risk_zones.BEFORE_HISTORY, "baseline")]
    assert db.session.get(Region, COUNTY).risk == "high"  # the level in force today (2020-03-16)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "region_risk")).all()
    assert {(e.after["risk"], e.actor) for e in entries} >= {("high", staff["province"].email),
                                                            ("low", staff["city"].email)}
    assert all(e.region_code == COUNTY for e in entries)
    region_updates = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "region", AuditEntry.action == "update")).all()
    assert [(e.before["risk"], e.after["risk"]) for e in region_updates] == [("low", "high")]


def test_a_later_change_takes_effect_on_its_day(staff, today, db):
    risk_zones.set_risk(staff["province"], COUNTY, "high", "2020-03-18", "from Wednesday")
    assert db.session.get(Region, COUNTY).risk == "low"
    assert risk_zones.sync_current_risks(date(2020, 3, 17)) == 0
    assert risk_zones.sync_current_risks(date(2020, 3, 18)) == 1
    assert db.session.get(Region, COUNTY).risk == "high"


def test_each_report_uses_the_risk_in_force_on_its_as_of(staff, today, down_if_high, db):
    """W12's as_of is Monday 2020-03-16: a change effective that day counts, one effective the day
    after does not; re-running a past week after the county went back to low keeps its risk."""
    risk_zones.set_risk(staff["province"], COUNTY, "high", "2020-03-16", "outbreak")
    risk_zones.set_risk(staff["province"], COUNTY, "low", "2020-03-23", "cleared")   # W13's Monday
    risk_zones.set_risk(staff["province"], COUNTY, "high", "2020-03-31", "again")     # the day after W14's
    for week in ("2020-W11", "2020-W12", "2020-W13", "2020-W14"):
        reports.write_weekly_report(week)
    assert _risk_breaks("2020-W11") == []
    assert _risk_breaks("2020-W12") == [("S", "B1"), ("S", "B2")]
    assert _risk_breaks("2020-W13") == []
    assert _risk_breaks("2020-W14") == []
    assert db.session.get(Region, COUNTY).risk == "high"  # today (03-16)
    assert risk_zones.sync_current_risks(date(2020, 3, 23)) == 1
    assert db.session.get(Region, COUNTY).risk == "low"
    reports.write_weekly_report("2020-W12")  # re-run of a past week, the county low now
    assert _risk_breaks("2020-W12") == [("S", "B1"), ("S", "B2")]
    assert risk_zones.sync_current_risks(date(2020, 4, 1)) == 1
    reports.write_weekly_report("2020-W13")  # high now, low then
    assert _risk_breaks("2020-W13") == []


def test_in_force_rule_on_its_own():
    rows = [(date(2020, 3, 16), 2, "high"), (date(2020, 3, 16), 5, "medium"), (date(2020, 3, 1), 1, "low")]
    assert risk_zones.in_force(rows, date(2020, 3, 15)) == "low"
    assert risk_zones.in_force(rows, date(2020, 3, 16)) == "medium"  # same day: the last recorded
    assert risk_zones.in_force(rows, date(2020, 2, 1)) is None


def test_what_a_high_risk_county_stops(staff, today, down_if_high, db):
    risk_zones.set_risk(staff["city"], COUNTY, "high", "2020-03-16", "outbreak")
    reports.write_weekly_report("2020-W12")
    stops = risk_zones.risk_stops(staff["county"], COUNTY, "2020-W12")
    assert stops["risk"] == "high"
    assert [(s["ref"], [(b["ref"], b["quantity"]) for b in s["buyers"]]) for s in stops["suppliers"]] == [
        ("S", [("B1", 40.0), ("B2", 10.0)])]
    with pytest.raises(NotFound):
        risk_zones.risk_stops(staff["county"], "230103", "2020-W12")  # not the officer's county


def _import_risk(db, tmp_path, risk):
    region = db.session.get(Region, COUNTY)
    package = {"regions": [{"code": "230000", "name": "省", "level": "province"},
                           {"code": "230100", "name": "市", "level": "city", "parent": "230000"},
                           {"code": COUNTY, "name": region.name, "level": "county", "parent": "230100",
                            "lat": region.lat, "lon": region.lon, "risk": risk}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    import_package(path, reference=False)


def test_an_import_is_a_change_effective_on_the_services_today(staff, today, down_if_high, db, tmp_path):
    risk_zones.set_risk(staff["province"], COUNTY, "medium", "2020-03-09", "a history begins")
    _import_risk(db, tmp_path, "high")  # today is 2020-03-16
    rows = db.session.scalars(sa.select(RegionRisk).order_by(RegionRisk.effective_from)).all()
    assert [(r.risk, r.effective_from, r.set_by) for r in rows] == [
        ("low", risk_zones.BEFORE_HISTORY, "baseline"), ("medium", date(2020, 3, 9), staff["province"].email),
        ("high", today, "import")]
    assert db.session.get(Region, COUNTY).risk == "high"
    reports.write_weekly_report("2020-W11")  # before the import's day: still medium
    reports.write_weekly_report("2020-W12")
    assert _risk_breaks("2020-W11") == [] and len(_risk_breaks("2020-W12")) == 2
    _import_risk(db, tmp_path, "high")  # the same level again: no new change
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegionRisk)) == 3


def test_an_import_into_a_county_without_history_sets_its_level_for_every_week(today, down_if_high, db, tmp_path):
    _import_risk(db, tmp_path, "high")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegionRisk)) == 0
    assert db.session.get(Region, COUNTY).risk == "high"
    reports.write_weekly_report("2020-W11")
    assert len(_risk_breaks("2020-W11")) == 2  # as packages always did
