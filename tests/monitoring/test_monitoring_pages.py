"""The risk-zone and monitoring pages: who sees the form, a city sets a county's risk, the
monitoring page's chart, tables and workbook, in Chinese and English."""
import io

import openpyxl
import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Region
from matchmaker.services import reports
from tests import factories
from tests.web.conftest import as_user, world  # noqa: F401  (fixtures)


@pytest.fixture
def pinned(app):
    app.config["TODAY"] = "2020-03-16"
    yield
    app.config["TODAY"] = None


def test_a_city_sets_a_countys_risk_on_its_page_and_the_county_only_reads(as_user, world, pinned):
    county = as_user("county")
    page = county.get("/taskforce/risk/230102")
    assert page.status_code == 200 and 'id="risk-form"' not in page.text
    assert county.post("/taskforce/risk/230102", data={"risk": "high", "reason": "x"}).status_code == 200
    assert db.session.get(Region, "230102").risk == "low"
    city = as_user("city")
    assert 'id="risk-form"' in city.get("/taskforce/risk/230102").text
    r = city.post("/taskforce/risk/230102", data={"risk": "high", "effective_from": "2020-03-16", "reason": "疫情"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Region, "230102").risk == "high"
    text = city.get("/taskforce/risk/230102").text
    assert "疫情" in text and "city@example.cn" in text
    bad = city.post("/taskforce/risk/230102", data={"risk": "high", "effective_from": "soon", "reason": ""})
    assert bad.status_code == 422
    listing = city.get("/taskforce/risk").text
    assert "道里区" in listing and "南岗区" in listing


def test_the_risk_page_lists_what_a_high_risk_county_stops(as_user, world, pinned):
    factories.link(world["sme"], world["lead"], "C1", 25.0)
    db.session.commit()
    city = as_user("city")
    city.post("/taskforce/risk/230103", data={"risk": "high", "effective_from": "2020-03-16", "reason": "r"})
    reports.write_weekly_report("2020-W12")
    text = city.get("/taskforce/risk/230103").text
    assert 'id="risk-stops"' in text and "小厂一号" in text and "龙头一厂" in text


def test_the_monitoring_page_in_both_languages_and_its_workbook(as_user, world, app):
    world["lead"].headcount, world["sme"].headcount = 400, 20
    world["sme"].operating = False
    factories.need(world["lead"], "IO020")
    db.session.commit()
    city = as_user("city")
    assert 'id="table-chain"' not in city.get("/taskforce/monitoring").text  # no report yet
    reports.write_weekly_report("2020-W12")
    zh = city.get("/taskforce/monitoring").text
    assert 'id="chart-chain-operating"' in zh and 'id="table-division"' in zh and "乳业" in zh
    city.post("/language", data={"lang": "en"})
    en = city.get("/taskforce/monitoring?week=2020-W12").text
    assert "Dairy" in en and "Resumption monitoring" in en
    assert "95%" in en  # 400 / 420 of the headcount operating
    x = city.get("/taskforce/monitoring.xlsx?week=2020-W12")
    wb = openpyxl.load_workbook(io.BytesIO(x.data))
    assert wb.sheetnames == ["By chain", "By division", "By county"]
    assert wb["By county"]["A1"].value == "Code"
    assert city.get("/taskforce/monitoring?week=2020-W99").status_code == 404
    assert as_user("lead").get("/taskforce/monitoring").status_code in (302, 403)
