"""The help API (issue 13, item 3) and a break's alternates through the API (item 5)."""
from datetime import date, timedelta

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Offer
from matchmaker.models.report import Break
from matchmaker.services import alternates
from matchmaker.services.reports import write_weekly_report
from matchmaker.infra.config import TestConfig

SERVICE_TODAY = date.fromisoformat(TestConfig.TODAY)  # the service's day the tests pin, not the machine's


def test_post_match_and_answer_help(client, world, as_role):
    # F-SISTER (leading, 230103) buys from F-OWN (an SME of 230102) that wants technology help
    own = db.session.get(Offer, world.offers["own"])
    own.help_wanted = ["technology"]
    db.session.commit()
    bad = client.post("/api/v1/help-offers", json={"kind": "orders", "capacity": 0, "reach": []},
                      headers=as_role("firm_other"))
    assert bad.status_code == 422 and {"kind", "reach"} <= set(bad.json["errors"])
    assert client.post("/api/v1/help-offers", json={"kind": "technology", "capacity": 2, "reach": ["230100"]},
                       headers=as_role("firm_own")).status_code == 403  # an SME offers no help here
    made = client.post("/api/v1/help-offers", json={"kind": "technology", "capacity": 2, "reach": ["230100"]},
                       headers=as_role("firm_other"))
    assert made.status_code == 201 and made.json["firm"] == "F-SISTER"
    mine = client.get("/api/v1/help-matches", headers=as_role("firm_own")).json
    assert [(m["provider"], m["sme"], m["kind"], m["same_chain"], m["status"]) for m in mine] == [
        ("F-SISTER", "F-OWN", "technology", True, "proposed")]
    assert client.get("/api/v1/help-matches", headers=as_role("other_province_staff")).json == []
    url = f"/api/v1/help-matches/{mine[0]['id']}/accept"
    assert client.post(url, headers=as_role("firm_own")).json["status"] == "accepted"
    done = client.post(url, headers=as_role("firm_other")).json
    assert (done["status"], done["given_on"]) == ("active", SERVICE_TODAY.isoformat())
    assert client.post(url, headers=as_role("firm_other")).status_code == 409
    assert client.post("/api/v1/help-matches", headers=as_role("county_staff")).json == {"proposed": 0}


def test_a_breaks_alternates_and_a_proposal_through_the_api(client, world, as_role):
    # F-SISTER's supplier F-OWN stops; F-QQH's offer O-qiqihar has spare capacity (it reaches without a radius)
    today = SERVICE_TODAY
    db.session.get(Firm, world.firms["own"]).operating = False
    for ref in ("qiqihar", "jilin"):
        o = db.session.get(Offer, world.offers[ref])
        o.available_from = today - timedelta(days=1)
    db.session.commit()
    write_weekly_report(as_of=today)
    alternates.invalidate_alternates()
    brk = db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down", Break.buyer == "F-SISTER"))
    got = client.get(f"/api/v1/breaks/{brk.id}/alternates", headers=as_role("city_staff"))
    assert got.status_code == 200 and got.json["alternates"], got.json
    offer = got.json["alternates"][0]["offer"]
    assert client.get(f"/api/v1/breaks/{brk.id}/alternates", headers=as_role("other_province_staff")).status_code == 404
    assert client.post(f"/api/v1/breaks/{brk.id}/alternates", json={"offer": offer},
                       headers=as_role("firm_own")).status_code == 404  # not the buyer
    made = client.post(f"/api/v1/breaks/{brk.id}/alternates", json={"offer": offer}, headers=as_role("firm_other"))
    assert made.status_code == 201 and (made.json["buyer"], made.json["offer"], made.json["status"]) == (
        "F-SISTER", offer, "proposed")
    assert client.post(f"/api/v1/breaks/{brk.id}/alternates", json={"offer": offer},
                       headers=as_role("firm_other")).status_code == 409


def test_the_buyer_states_days_of_stock_on_a_link(client, world, as_role):
    # L-own: F-OWN supplies F-SISTER (firm_other is F-SISTER's user)
    url = f"/api/v1/links/{world.links['own']}/days-of-stock"
    assert client.put(url, json={"days_of_stock": 9}, headers=as_role("firm_own")).status_code == 403  # the supplier
    assert client.put(url, json={"days_of_stock": 9}, headers=as_role("county_staff")).status_code == 404
    assert client.put(url, json={"days_of_stock": -1}, headers=as_role("firm_other")).status_code == 422
    done = client.put(url, json={"days_of_stock": 9}, headers=as_role("firm_other"))
    assert done.status_code == 200 and done.json["days_of_stock"] == 9
    assert client.get(f"/api/v1/links/{world.links['own']}", headers=as_role("firm_own")).json["days_of_stock"] == 9
