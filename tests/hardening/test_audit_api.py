"""GET /api/v1/audit: every write is there (who, what, when, before, after), and staff read only
their own region and the regions under it."""
import json

from matchmaker.services.support import audit
from tests import factories
from tests.hardening.conftest import bearer


def _seed(db):
    """Firms in two Heilongjiang cities and in Jilin, each created and then changed."""
    with audit.acting_as("seed"):
        for ref, code in (("HRB", "230102"), ("QQ", "230202"), ("JL", "220102")):
            f = factories.firm(ref=ref, region_code=code, workers_back=0.2)
            db.session.commit()
            f.workers_back = 0.8
            db.session.commit()


def _entity_ids(response):
    assert response.status_code == 200, response.json
    return {(e["entity_id"], e["action"]) for e in response.json if e["entity"] == "firm"}


def test_city_staff_see_only_their_city(db, client, make_user):
    _seed(db)
    _, token = make_user("staff", region_code="230100")
    seen = _entity_ids(client.get("/api/v1/audit?entity=firm", headers=bearer(token)))
    assert seen == {("HRB", "create"), ("HRB", "update")}


def test_province_staff_see_every_city_of_the_province_only(db, client, make_user):
    _seed(db)
    _, token = make_user("staff", region_code="230000")
    seen = _entity_ids(client.get("/api/v1/audit?entity=firm", headers=bearer(token)))
    assert {ref for ref, _ in seen} == {"HRB", "QQ"}


def test_region_filter_cannot_widen_the_scope(db, client, make_user):
    _seed(db)
    _, token = make_user("staff", region_code="230100")
    response = client.get("/api/v1/audit?region=220000", headers=bearer(token))
    assert response.status_code == 200 and response.json == []
    response = client.get("/api/v1/audit?region=230000", headers=bearer(token))
    assert {e["entity_id"] for e in response.json if e["entity"] == "firm"} == {"HRB"}


def test_admin_sees_all_and_entries_carry_before_and_after(db, client, make_user):
    _seed(db)
    _, token = make_user("admin")
    response = client.get("/api/v1/audit?entity=firm", headers=bearer(token))
    assert {ref for ref, _ in _entity_ids(response)} == {"HRB", "QQ", "JL"}
    update = next(e for e in response.json if e["entity_id"] == "JL" and e["action"] == "update")
    assert update["before"]["workers_back"] == 0.2 and update["after"]["workers_back"] == 0.8
    assert update["actor"] == "seed" and update["at"] and update["region_code"] == "220102"
    ids = [e["id"] for e in response.json]
    assert ids == sorted(ids, reverse=True)  # newest first


def test_firm_users_are_forbidden_and_anonymous_unauthorised(db, client, make_user):
    _seed(db)
    firm = factories.firm(ref="OWN", region_code="230102")
    db.session.commit()
    _, token = make_user("firm", firm_row=firm)
    response = client.get("/api/v1/audit", headers=bearer(token))
    assert response.status_code == 403 and response.json["code"] == 403
    response = client.get("/api/v1/audit")
    assert response.status_code == 401 and response.json["code"] == 401
    response = client.get("/api/v1/audit", headers=bearer("forged-token"))
    assert response.status_code == 401


def test_pagination_and_invalid_arguments(db, client, make_user):
    _seed(db)
    _, token = make_user("admin")
    first = client.get("/api/v1/audit?entity=firm&page=1&page_size=4", headers=bearer(token))
    second = client.get("/api/v1/audit?entity=firm&page=2&page_size=4", headers=bearer(token))
    assert len(first.json) == 4 and len(second.json) == 2
    assert not {e["id"] for e in first.json} & {e["id"] for e in second.json}
    assert json.loads(first.headers["X-Pagination"])["total"] == 6
    for query, field in (("page=0", "page"), ("region=abc", "region"), ("page_size=1000", "page_size")):
        bad = client.get(f"/api/v1/audit?{query}", headers=bearer(token))
        assert bad.status_code == 422 and field in bad.json["errors"], (query, bad.json)


def test_an_api_write_is_attributed_to_the_token_user(db, client, make_user):
    """A write inside a request made with a bearer token names that user as the actor."""
    _, token = make_user("admin", email="boss@example.cn")
    factories.region("230102")
    db.session.commit()
    # The audit API is read-only; use the token-authenticated actor directly on a write.
    from flask import g

    from matchmaker.infra.security import current_actor

    with client.application.test_request_context(headers=bearer(token)):
        current_actor()
        factories.firm(ref="BYTOKEN", region_code="230102")
        db.session.commit()
        g.pop("actor", None)
    response = client.get("/api/v1/audit?entity=firm", headers=bearer(token))
    [entry] = [e for e in response.json if e["entity_id"] == "BYTOKEN"]
    assert entry["actor"] == "boss@example.cn" and entry["actor_id"] is not None
