"""Bearer tokens expire (TOKEN_LIFETIME, default 30 days) and can be renewed by their owner
(POST /api/v1/auth/tokens/{id}/renew; issue 14). Time is moved with freezegun, never waited for."""
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from tests.services.world import PASSWORD

TOKENS = "/api/v1/auth/tokens"
START = datetime(2024, 1, 1, 8, 0, tzinfo=timezone.utc)


def _sign_in(client, email="own@example.cn"):
    resp = client.post(TOKENS, json={"email": email, "password": PASSWORD})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _bearer(body):
    return {"Authorization": f"Bearer {body['token']}"}


def _at(moment):
    return freeze_time(moment)


def test_a_token_expires_after_thirty_days_by_default(client, world):
    with _at(START):
        body = _sign_in(client)
        assert datetime.fromisoformat(body["expires_at"]) == START + timedelta(days=30)
    with _at(START + timedelta(days=30) - timedelta(seconds=1)):
        assert client.get("/api/v1/auth/me", headers=_bearer(body)).status_code == 200
    with _at(START + timedelta(days=30)):
        expired = client.get("/api/v1/auth/me", headers=_bearer(body))
        assert expired.status_code == 401
        assert expired.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_renewal_gives_a_full_lifetime_from_now_to_the_same_token(client, world):
    with _at(START):
        body = _sign_in(client)
    renewed_at = START + timedelta(days=29)
    with _at(renewed_at):
        resp = client.post(f"{TOKENS}/{body['id']}/renew", headers=_bearer(body))
        assert resp.status_code == 200
        assert datetime.fromisoformat(resp.get_json()["expires_at"]) == renewed_at + timedelta(days=30)
        assert "token" not in resp.get_json()
    with _at(START + timedelta(days=45)):  # past the first expiry: the renewal holds
        assert client.get("/api/v1/auth/me", headers=_bearer(body)).status_code == 200
        listed = client.get(TOKENS, headers=_bearer(body)).get_json()
        assert [datetime.fromisoformat(t["expires_at"]) for t in listed] == [renewed_at + timedelta(days=30)]
    with _at(renewed_at + timedelta(days=30)):
        assert client.get("/api/v1/auth/me", headers=_bearer(body)).status_code == 401


def test_the_lifetime_is_configurable(app, client, world):
    app.config["TOKEN_LIFETIME"] = timedelta(hours=2)
    try:
        with _at(START):
            body = _sign_in(client)
        with _at(START + timedelta(hours=1, minutes=59)):
            assert client.get("/api/v1/auth/me", headers=_bearer(body)).status_code == 200
        with _at(START + timedelta(hours=2)):
            assert client.get("/api/v1/auth/me", headers=_bearer(body)).status_code == 401
    finally:
        app.config["TOKEN_LIFETIME"] = timedelta(days=30)


def test_only_the_owner_renews_and_only_a_live_token(client, world):
    with _at(START):
        own = _sign_in(client)
        other = _sign_in(client, "sister@example.cn")
        admin = _sign_in(client, "admin@example.cn")
        # someone else's token looks absent, even to an admin (an admin may revoke it, not prolong it)
        assert client.post(f"{TOKENS}/{own['id']}/renew", headers=_bearer(other)).status_code == 404
        assert client.post(f"{TOKENS}/{own['id']}/renew", headers=_bearer(admin)).status_code == 404
        assert client.post(f"{TOKENS}/999999/renew", headers=_bearer(own)).status_code == 404
        assert client.post(f"{TOKENS}/{own['id']}/renew").status_code == 401
        # a second token of the same account renews the first; a revoked one is 409
        second = _sign_in(client)
        assert client.post(f"{TOKENS}/{own['id']}/renew", headers=_bearer(second)).status_code == 200
        assert client.delete(f"{TOKENS}/{own['id']}", headers=_bearer(second)).status_code == 204
        refused = client.post(f"{TOKENS}/{own['id']}/renew", headers=_bearer(second))
        assert refused.status_code == 409 and refused.get_json()["errors"] == {"token": ["revoked"]}
    with _at(START + timedelta(days=31)):
        # an expired token authenticates nothing, not even its own renewal
        assert client.post(f"{TOKENS}/{second['id']}/renew", headers=_bearer(second)).status_code == 401
        fresh = _sign_in(client)
        refused = client.post(f"{TOKENS}/{second['id']}/renew", headers=_bearer(fresh))
        assert refused.status_code == 409 and refused.get_json()["errors"] == {"token": ["expired"]}


@pytest.mark.parametrize("path", ["/api/v1/auth/tokens/{token_id}/renew"])
def test_renewal_and_expiry_are_in_the_openapi_document(client, path):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"][path]["post"]
    assert {"200", "401", "404", "409"} <= set(operation["responses"])
    assert "TOKEN_LIFETIME" in operation["summary"] + operation.get("description", "")
    info = doc["components"]["schemas"]["TokenInfo"]["properties"]
    assert info["expires_at"]["format"] == "date-time"
