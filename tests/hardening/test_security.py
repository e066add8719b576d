"""Security properties that hold on every response and every account: headers, cookies,
password hashing, bearer tokens, user enumeration and login rate limiting."""
import re

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from flask import session

from matchmaker import ROOT
from matchmaker.services import auth
from tests import factories
from tests.hardening.conftest import bearer, dedicated_app


def _csp(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def _get_paths(app):
    """Every GET route without URL arguments (API, pages, docs, health), plus error responses."""
    paths = {"/", "/this-page-does-not-exist", "/api/v1/no-such-resource"}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            paths.add(rule.rule)
    return sorted(paths)


def _check_headers(response):
    csp = _csp(response)
    assert csp.get("frame-ancestors") == ["'none'"]
    for directive, sources in csp.items():
        assert "'unsafe-inline'" not in sources, directive
        assert "'unsafe-eval'" not in sources, directive
    script_src = csp.get("script-src") or csp.get("default-src")
    assert script_src and "*" not in script_src and "data:" not in script_src
    assert csp.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy")


def test_security_headers_on_every_get_route_and_on_errors(app, client):
    paths = _get_paths(app)
    assert "/healthz" in paths and "/api/v1/openapi.json" in paths
    for path in paths:
        response = client.get(path)
        _check_headers(response)


def test_security_headers_on_writes_and_method_errors(client):
    for response in (
        client.post("/api/v1/audit", json={}),             # 405
        client.post("/healthz"),                            # 405
        client.get("/api/v1/audit", headers=bearer("x")),   # 401
    ):
        assert response.status_code in (401, 405)
        _check_headers(response)


def _hsts_max_age(response):
    return int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0])


def test_pages_and_api_answers_are_never_stored_but_static_files_may_be(app, client, make_user):
    """Failed on the old main: signed-in pages and API JSON carried no Cache-Control."""
    admin, token = make_user("admin", email="admin@example.cn")
    assert client.post("/login", data={"email": "admin@example.cn", "password": "correct horse 1"}).status_code == 302
    paths = _get_paths(app)
    assert "/admin/users" in paths and "/api/v1/audit" in paths
    for path in paths:  # signed in with the session: pages, API, docs, errors
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    for response in (client.get("/api/v1/needs", headers=bearer(token)),
                     client.post("/api/v1/auth/tokens", json={"email": "admin@example.cn",
                                                              "password": "correct horse 1"}),
                     app.test_client().get("/login")):
        assert response.status_code in (200, 201) and response.headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_only_behind_tls(_app):
    with dedicated_app(PROXY_COUNT=1) as app:  # behind one TLS-terminating proxy
        client = app.test_client()
        assert "Strict-Transport-Security" not in client.get("/healthz").headers
        tls = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert _hsts_max_age(tls) >= 15552000


def test_hsts_on_direct_tls_and_forwarded_proto_ignored_without_a_proxy(client):
    assert _hsts_max_age(client.get("/healthz", base_url="https://localhost")) >= 15552000
    # MATCHMAKER_PROXY_COUNT is 0 by default: a client's own X-Forwarded-Proto means nothing.
    assert "Strict-Transport-Security" not in client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)
_INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
_JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_templates_have_no_inline_script_the_csp_would_block():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert templates, "no templates found"
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (_INLINE_SCRIPT, _INLINE_HANDLER, _JS_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:60]!r}")
    assert not offenders, "inline script blocked by the CSP:\n" + "\n".join(offenders)


# --- session cookie ------------------------------------------------------------------------------

@pytest.fixture
def cookie_app(_app):
    """A dedicated app behind one proxy (MATCHMAKER_PROXY_COUNT=1), with one extra route that writes
    to the session."""
    with dedicated_app(PROXY_COUNT=1) as app:
        @app.get("/_test/session")
        def _touch_session():
            session["seen"] = True
            return "ok"

        yield app


def _session_cookie(response, name):
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return [p.strip().lower() for p in cookies[0].split(";")]


def test_session_cookie_httponly_samesite_and_not_secure_over_plain_http(cookie_app):
    response = cookie_app.test_client().get("/_test/session")
    attrs = _session_cookie(response, cookie_app.config["SESSION_COOKIE_NAME"])
    assert "httponly" in attrs
    assert "samesite=lax" in attrs or "samesite=strict" in attrs
    assert "secure" not in attrs  # otherwise a plain-http install could never sign in


def test_session_cookie_secure_behind_tls_proxy(cookie_app):
    response = cookie_app.test_client().get("/_test/session", headers={"X-Forwarded-Proto": "https"})
    attrs = _session_cookie(response, cookie_app.config["SESSION_COOKIE_NAME"])
    assert "secure" in attrs and "httponly" in attrs
    assert "samesite=lax" in attrs or "samesite=strict" in attrs


def test_session_cookie_secure_on_direct_https(cookie_app):
    response = cookie_app.test_client().get("/_test/session", base_url="https://localhost")
    assert "secure" in _session_cookie(response, cookie_app.config["SESSION_COOKIE_NAME"])


# --- passwords -----------------------------------------------------------------------------------

def test_passwords_hashed_with_argon2id_at_owasp_strength():
    stored = auth.hash_password("correct horse 1")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$") and params.type is Type.ID
    # OWASP password storage: m >= 19 MiB with t >= 2, or m >= 46 MiB with t >= 1; p >= 1.
    assert (params.memory_cost >= 19 * 1024 and params.time_cost >= 2) or params.memory_cost >= 46 * 1024
    assert params.salt_len >= 16 and params.hash_len >= 32
    assert "correct horse 1" not in stored


def test_hash_is_salted_and_verifies_only_the_right_password():
    a, b = auth.hash_password("correct horse 1"), auth.hash_password("correct horse 1")
    assert a != b
    assert auth.verify_password(a, "correct horse 1") and auth.verify_password(b, "correct horse 1")
    assert not auth.verify_password(a, "correct horse 2")
    assert not auth.verify_password("not a hash", "correct horse 1")


def test_stored_user_row_holds_only_the_hash(db):
    user = factories.user(role="admin", email="root@example.cn", password="s3cret-password")
    db.session.commit()
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-password" not in user.password_hash


def test_unknown_email_and_wrong_password_cost_the_same_hash_work(db, monkeypatch):
    """No user enumeration by timing: both failures run exactly one Argon2 verification."""
    factories.user(role="admin", email="known@example.cn", password="right password")
    db.session.commit()
    calls = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash_, password):
        calls.append(hash_)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    assert auth.authenticate("nobody@example.cn", "right password") is None
    unknown_calls = len(calls)
    calls.clear()
    assert auth.authenticate("known@example.cn", "wrong password") is None
    wrong_calls = len(calls)
    calls.clear()
    assert auth.authenticate("KNOWN@example.cn ", "right password") is not None
    assert unknown_calls == wrong_calls == 1
    assert len(calls) == 1


# --- bearer tokens -------------------------------------------------------------------------------

def test_revoked_token_is_refused_at_the_api(client, make_user):
    staff, token = make_user("staff", region_code="230100")
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    row = staff_tokens = [t for t in _tokens_of(staff)]
    assert len(staff_tokens) == 1
    auth.revoke_token(staff, row[0].id)
    response = client.get("/api/v1/audit", headers={**bearer(token), "Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json["code"] == 401 and "revoked" in response.json["message"]


def test_tokens_are_stored_only_as_digests(db, make_user):
    user, token = make_user("admin")
    [row] = _tokens_of(user)
    assert token not in row.digest and len(row.digest) == 64
    assert auth.user_for_token(token).id == user.id
    assert auth.user_for_token(token + "x") is None and auth.user_for_token("") is None


def test_token_of_a_deactivated_user_is_refused(db, client, make_user):
    user, token = make_user("admin")
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(db, make_user):
    from matchmaker.services.support.errors import Forbidden, NotFound

    alice, _ = make_user("staff", region_code="230100")
    bob, bob_token = make_user("staff", region_code="230100")
    [row] = _tokens_of(bob)
    with pytest.raises((Forbidden, NotFound)):  # NotFound also hides that the token exists
        auth.revoke_token(alice, row.id)
    assert auth.user_for_token(bob_token).id == bob.id


def _tokens_of(user):
    import sqlalchemy as sa

    from matchmaker.infra.extensions import db
    from matchmaker.models import ApiToken

    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).all()
