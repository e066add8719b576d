"""The web sign-in: rate limited, no user enumeration, CSRF on every form, and a session cookie
that is Secure behind TLS."""
import re

import pytest

from matchmaker import ROOT
from tests import factories
from tests.hardening.conftest import dedicated_app

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def _login(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


@pytest.fixture
def known_user(db):
    user = factories.user(role="admin", email="known@example.cn", password="right password 1")
    db.session.commit()
    return user


def test_unknown_email_and_wrong_password_look_the_same(client, known_user):
    unknown = _login(client, "nobody@example.cn", "right password 1")
    wrong = _login(client, "known@example.cn", "wrong password 1")
    assert unknown.status_code == wrong.status_code == 401
    # Same page apart from the echoed e-mail field.
    body_unknown = unknown.get_data(as_text=True).replace("nobody@example.cn", "EMAIL")
    body_wrong = wrong.get_data(as_text=True).replace("known@example.cn", "EMAIL")
    assert body_unknown == body_wrong
    assert not any(h.startswith("session=") and "_user_id" in h for h in wrong.headers.getlist("Set-Cookie"))


def test_right_password_signs_in(client, known_user):
    """Positive control for the two failures above."""
    response = _login(client, "known@example.cn", "right password 1")
    assert response.status_code == 302
    assert client.get("/login").status_code == 302  # already signed in


def test_login_is_rate_limited_per_client(limited_app):
    factories.user(role="admin", email="known@example.cn", password="right password 1")
    from matchmaker.infra.extensions import db

    db.session.commit()
    client = limited_app.test_client()
    statuses = [_login(client, "known@example.cn", f"guess {i}").status_code for i in range(3)]
    assert statuses == [401, 401, 401]
    blocked = _login(client, "known@example.cn", "right password 1")
    assert blocked.status_code == 429  # even the right password waits
    # Another client address has its own budget (ProxyFix takes it from the trusted proxy).
    other = _login(limited_app.test_client(), "known@example.cn", "right password 1",
                   environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 302
    # Reading the form is not limited.
    assert client.get("/login").status_code == 200


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    forms = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for attrs, body in _FORM.findall(path.read_text(encoding="utf-8")):
            if re.search(r"method\s*=\s*[\"']?post", attrs, re.I):
                forms.append((path.relative_to(ROOT), body))
    assert forms, "no POST forms found"
    missing = [str(p) for p, body in forms if "csrf_token" not in body and "hidden_tag()" not in body]
    assert not missing, f"POST forms without a CSRF token: {missing}"


def _post_routes(app):
    """Every page route (not the token-authenticated API) that accepts POST, with sample arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg]
            mapping = getattr(converter, "items", None) or getattr(converter, "mapping", None)
            if type(converter).__name__ == "AnyConverter":
                values[arg] = sorted(re.findall(r"\w+", converter.regex))[0]
            elif type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
                values[arg] = 1
            else:
                values[arg] = "x" if mapping is None else mapping
        out.append(rule.rule if not values else _build(app, rule, values))
    return out


def _build(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_page_post_without_csrf_token_is_refused(csrf_app):
    from matchmaker.infra.extensions import db

    factories.user(role="admin", email="admin@example.cn", password="right password 1")
    db.session.commit()
    client = csrf_app.test_client()
    # Sign in properly (with the token), so refusals below are about CSRF, not about sign-in.
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert token, "login form has no csrf_token"
    token = token.group(1) or token.group(2)
    signed_in = client.post("/login", data={"email": "admin@example.cn", "password": "right password 1",
                                            "csrf_token": token})
    assert signed_in.status_code == 302
    routes = _post_routes(csrf_app)
    assert "/login" in routes and "/logout" in routes and len(routes) >= 5
    for url in routes:
        response = client.post(url, data={"email": "admin@example.cn", "password": "x"})
        assert response.status_code == 400, (url, response.status_code)
        assert "csrf" in response.get_data(as_text=True).lower(), url


def _session_cookie_attrs(response):
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return [a.strip().lower() for a in cookie.split(";")]


def test_signing_in_over_tls_sets_a_secure_httponly_session_cookie(_app):
    with dedicated_app(PROXY_COUNT=1) as app:  # behind one TLS-terminating proxy
        factories.user(role="admin", email="known@example.cn", password="right password 1")
        from matchmaker.infra.extensions import db

        db.session.commit()
        response = _login(app.test_client(), "known@example.cn", "right password 1",
                          headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 302
        attrs = _session_cookie_attrs(response)
        assert {"secure", "httponly"} <= set(attrs) and ("samesite=lax" in attrs or "samesite=strict" in attrs)


def test_forwarded_proto_is_ignored_without_a_configured_proxy(client, known_user):
    response = _login(client, "known@example.cn", "right password 1", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert "secure" not in _session_cookie_attrs(response) and "httponly" in _session_cookie_attrs(response)
