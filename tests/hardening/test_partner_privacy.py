"""Best partners (issue 11, finding 6): a firm's throwaway postings must not turn the best-partner
queries into a way of reading every counterpart; the queries are throttled per account."""
from datetime import date

from matchmaker.infra.extensions import db
from matchmaker.services.auth import issue_token
from tests import factories
from tests.hardening.conftest import bearer, dedicated_app


def test_best_partner_queries_are_throttled_per_account(_app):
    with dedicated_app(RATELIMIT_ENABLED=True, RATELIMIT_BEST_PARTNERS="3 per minute") as app:
        factories.region("230102", lat=45.7567, lon=126.6424)
        buyer = factories.firm("B1", kind="leading", region_code="230102")
        sme = factories.firm("S1", region_code="230102")
        factories.need(buyer, quantity=100.0, needed_by=date(2020, 4, 13), ref="N1")
        offer = factories.offer(sme, quantity=1e6, ref="O1")
        other = factories.offer(buyer, quantity=5.0, ref="O2")
        sme_token = issue_token(factories.user(role="firm", firm_row=sme))
        buyer_token = issue_token(factories.user(role="firm", firm_row=buyer))
        db.session.commit()
        client = app.test_client()
        url = f"/api/v1/offers/{offer.id}/best-partners?as_of=2020-03-16"
        codes = [client.get(url, headers=bearer(sme_token)).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        body = client.get(url, headers=bearer(sme_token)).get_json()
        assert body["code"] == 429 and "message" in body
        # another account has its own budget
        r = client.get(f"/api/v1/offers/{other.id}/best-partners?as_of=2020-03-16", headers=bearer(buyer_token))
        assert r.status_code == 200


def test_an_smes_best_partners_and_proposals_do_not_tell_the_buyers_price_cap(client, db):
    """Finding 6: a throwaway offer's best partners read "within the cap of 4786.39"."""
    from matchmaker.services import matching

    factories.region("230102", lat=45.7567, lon=126.6424)
    buyer = factories.firm("B1", kind="leading", region_code="230102")
    sme = factories.firm("S1", region_code="230102")
    factories.need(buyer, quantity=100.0, needed_by=date(2020, 4, 13), ref="N1", max_unit_price=4786.39)
    offer = factories.offer(sme, quantity=1e6, ref="O1", unit_price=1.0)
    token = issue_token(factories.user(role="firm", firm_row=sme))
    db.session.commit()
    r = client.get(f"/api/v1/offers/{offer.id}/best-partners?as_of=2020-03-16", headers=bearer(token))
    assert r.status_code == 200 and [p["ref"] for p in r.get_json()] == ["N1"]
    assert any("unit price 1 within the buyer's price cap" in x for x in r.get_json()[0]["reasons"])
    assert "4786" not in r.get_data(as_text=True)
    matching.run_matching(date(2020, 3, 16))
    r = client.get("/api/v1/pairings", headers=bearer(token))
    assert r.status_code == 200 and len(r.get_json()) == 1
    assert "4786" not in r.get_data(as_text=True)
