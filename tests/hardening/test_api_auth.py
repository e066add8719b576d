"""The token API: POST /api/v1/auth/tokens is rate-limited, says the same for an unknown e-mail
and a wrong password, and a token revoked through the API stops working at once."""
import pytest

from matchmaker.infra.extensions import db
from tests import factories
from tests.hardening.conftest import bearer

TOKENS = "/api/v1/auth/tokens"


@pytest.fixture
def known(db):
    factories.region("230100")
    user = factories.user(role="staff", region_code="230100", email="staff@example.cn", password="right password 1")
    db.session.commit()
    return user


def _token(client, email, password):
    return client.post(TOKENS, json={"email": email, "password": password})


def test_unknown_email_and_wrong_password_get_the_same_answer(client, known):
    unknown = _token(client, "nobody@example.cn", "right password 1")
    wrong = _token(client, "staff@example.cn", "wrong password 1")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert "token" not in wrong.get_json()


def test_token_revoked_through_the_api_stops_working(client, known):
    created = _token(client, "staff@example.cn", "right password 1")
    assert created.status_code == 201, created.get_json()
    token, token_id = created.get_json()["token"], created.get_json()["id"]
    assert client.get("/api/v1/auth/me", headers=bearer(token)).get_json()["email"] == "staff@example.cn"
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    assert client.delete(f"{TOKENS}/{token_id}", headers=bearer(token)).status_code == 204
    for path in ("/api/v1/auth/me", "/api/v1/audit"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 401 and response.get_json()["code"] == 401
    # a second token of the same user is unaffected
    other = _token(client, "staff@example.cn", "right password 1").get_json()["token"]
    assert client.get("/api/v1/auth/me", headers=bearer(other)).status_code == 200


def test_nobody_else_can_revoke_my_token(client, known, make_user):
    mine = _token(client, "staff@example.cn", "right password 1").get_json()
    _, intruder = make_user("staff", region_code="230100")
    assert client.delete(f"{TOKENS}/{mine['id']}", headers=bearer(intruder)).status_code == 404
    assert client.get("/api/v1/auth/me", headers=bearer(mine["token"])).status_code == 200


def test_deactivating_a_user_revokes_their_tokens(client, known, make_user):
    token = _token(client, "staff@example.cn", "right password 1").get_json()["token"]
    _, admin = make_user("admin")
    response = client.post(f"/api/v1/users/{known.id}/deactivate", headers=bearer(admin))
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert _token(client, "staff@example.cn", "right password 1").status_code == 401


def test_token_endpoint_is_rate_limited(limited_app):
    factories.region("230100")
    factories.user(role="staff", region_code="230100", email="staff@example.cn", password="right password 1")
    db.session.commit()
    client = limited_app.test_client()
    assert [_token(client, "staff@example.cn", f"guess {i}").status_code for i in range(3)] == [401, 401, 401]
    blocked = _token(client, "staff@example.cn", "right password 1")
    assert blocked.status_code == 429
    body = blocked.get_json()
    assert body["code"] == 429 and body["message"]
    assert blocked.headers.get("Content-Security-Policy")
    # A client at another address is not affected.
    other = limited_app.test_client().post(TOKENS, json={"email": "staff@example.cn", "password": "right password 1"},
                                           environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 201


def test_token_creation_is_audited_as_its_owner_with_the_token_id(client, known):
    """Failed on the old main: audited as "system" with an empty entity id."""
    import sqlalchemy as sa

    from matchmaker.models import AuditEntry

    created = _token(client, "staff@example.cn", "right password 1").get_json()
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "api_token")).all()
    assert (entry.action, entry.actor_id, entry.actor) == ("create", known.id, "staff@example.cn")
    assert entry.entity_id == str(created["id"]) and entry.after["digest"] == "***"
    assert created["token"] not in str(entry.after)
