"""Tokens (sign in, revoke), who am I, account management, and the login rate limit."""
import pytest

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db as _db
from tests.services.world import PASSWORD


def _login(client, email, password=PASSWORD, **kw):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password, **kw})


def test_sign_in_me_and_revoke(client, world):
    resp = _login(client, "City@Example.cn", name="laptop")
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["token_type"] == "Bearer" and body["name"] == "laptop" and len(body["token"]) >= 40
    assert body["user"]["role"] == "staff" and body["user"]["region"] == "230100"
    headers = {"Authorization": f"Bearer {body['token']}"}
    me = client.get("/api/v1/auth/me", headers=headers).get_json()
    assert me["email"] == "city@example.cn" and "password" not in me and "password_hash" not in me
    listed = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(body["id"], "laptop", None)]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/auth/tokens/{body['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_no_user_enumeration(client, world):
    wrong_password = _login(client, "own@example.cn", "wrong password")
    unknown_user = _login(client, "nobody@example.cn", "wrong password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.get_json() == unknown_user.get_json()


def test_only_the_owner_or_an_admin_revokes_a_token(client, world):
    token = _login(client, "own@example.cn").get_json()
    other = _login(client, "sister@example.cn").get_json()
    h_other = {"Authorization": f"Bearer {other['token']}"}
    assert client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=h_other).status_code == 404
    admin = _login(client, "admin@example.cn").get_json()
    h_admin = {"Authorization": f"Bearer {admin['token']}"}
    assert client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=h_admin).status_code == 204
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token['token']}"}).status_code == 401


def test_admin_manages_accounts_and_deactivation_revokes_tokens(client, world, as_role):
    resp = client.post("/api/v1/users", json={"email": "new@example.cn", "password": "long enough 1",
                                              "role": "firm", "firm": "F-QQH"}, headers=as_role("admin"))
    assert resp.status_code == 201 and resp.get_json()["firm"] == "F-QQH"
    new_id = resp.get_json()["id"]
    token = _login(client, "new@example.cn", "long enough 1").get_json()["token"]
    assert client.post(f"/api/v1/users/{new_id}/deactivate", headers=as_role("admin")).status_code == 200
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(client, "new@example.cn", "long enough 1").status_code == 401
    assert client.get("/api/v1/users", headers=as_role("province_staff")).status_code == 403
    assert client.post("/api/v1/users", json={"email": "x@example.cn", "password": "long enough 1",
                                              "role": "admin"}, headers=as_role("firm_own")).status_code == 403
    emails = {u["email"] for u in client.get("/api/v1/users?active=true", headers=as_role("admin")).get_json()}
    assert "new@example.cn" not in emails and "admin@example.cn" in emails


def test_login_is_rate_limited():
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        codes = [client.post("/api/v1/auth/tokens", json={"email": "a@example.cn", "password": "x" * 8}).status_code
                 for _ in range(5)]
        _db.session.remove()
        _db.drop_all()
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]


@pytest.mark.parametrize("body", [{}, {"email": "a@example.cn"}, {"email": ["x"], "password": 5}])
def test_bad_sign_in_bodies_are_422(client, world, body):
    resp = client.post("/api/v1/auth/tokens", json=body)
    assert resp.status_code == 422 and resp.get_json()["errors"]
