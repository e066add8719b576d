"""Sign in and out, the rate limit, CSRF, and the language switch."""
import re

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from tests.web.conftest import PASSWORD


def test_login_page_renders_in_chinese_by_default(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert 'lang="zh-CN"' in resp.text
    assert "登录" in resp.text


def test_unknown_user_and_wrong_password_get_the_same_message(client, world):
    unknown = client.post("/login", data={"email": "nobody@example.cn", "password": PASSWORD})
    wrong = client.post("/login", data={"email": "lead@example.cn", "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 401
    msg = lambda r: re.search(r'<div class="form-errors" role="alert"><p>(.*?)</p>', r.text).group(1)  # noqa: E731
    assert msg(unknown) == msg(wrong)


def test_empty_login_shows_message_at_the_field(client):
    resp = client.post("/login", data={"email": "", "password": ""})
    assert resp.status_code == 422
    assert 'id="email-error"' in resp.text and 'aria-invalid="true"' in resp.text


def test_sign_in_then_out(client, world):
    resp = client.post("/login", data={"email": "lead@example.cn", "password": PASSWORD})
    assert resp.status_code == 302 and resp.location == "/"
    assert "龙头一厂" in client.get("/").text
    resp = client.post("/logout")
    assert resp.status_code == 302
    assert client.get("/").status_code == 302  # back to the sign-in page


def test_next_parameter_only_redirects_on_site(client, world):
    resp = client.post("/login?next=https://evil.example/", data={"email": "lead@example.cn", "password": PASSWORD})
    assert resp.location == "/"
    client.post("/logout")
    resp = client.post("/login?next=/firm/needs", data={"email": "lead@example.cn", "password": PASSWORD})
    assert resp.location == "/firm/needs"


def test_pages_need_sign_in(client):
    resp = client.get("/firm/needs")
    assert resp.status_code == 302 and "/login" in resp.location


def test_language_switch_is_remembered_in_cookie_session_and_account(client, world, as_user, db):
    c = as_user("lead")
    resp = c.post("/language", data={"lang": "en", "next": "/firm/needs"})
    assert resp.status_code == 302 and resp.location == "/firm/needs"
    assert "lang=en" in resp.headers["Set-Cookie"]
    page = c.get("/firm/needs").text
    assert 'lang="en"' in page and "Post a need" in page
    db.session.refresh(world["users"]["lead"])
    assert world["users"]["lead"].locale == "en"
    # A fresh browser with only the cookie still gets English.
    fresh = create_app(TestConfig).test_client()
    fresh.set_cookie("lang", "en")
    assert "Sign in" in fresh.get("/login").text


def test_account_language_applies_at_next_sign_in(app, world, db):
    world["users"]["sme"].locale = "en"
    db.session.commit()
    c = app.test_client()
    c.post("/login", data={"email": "sme@example.cn", "password": PASSWORD})
    assert 'lang="en"' in c.get("/").text


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx"})
    assert 'lang="zh-CN"' in client.get("/login").text


def test_post_without_csrf_token_is_rejected_when_csrf_is_on(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    if True:
        c = app.test_client()
        resp = c.post("/login", data={"email": "lead@example.cn", "password": PASSWORD})
        assert resp.status_code == 400
        assert "表单缺少安全令牌" in resp.text  # said in the user's language
        # With the token from the form it goes through.
        page = c.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = c.post("/login", data={"email": "lead@example.cn", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302


def test_login_is_rate_limited(monkeypatch):
    from matchmaker.infra.extensions import db, limiter

    # The limiter is one module-level extension: init_app for this app switches it on for every app,
    # so put its switch back afterwards.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"})
    with app.app_context():
        db.create_all()  # a fresh in-memory SQLite (a no-op on PostgreSQL)
        c = app.test_client()
        codes = [c.post("/login", data={"email": "nobody@example.cn", "password": "wrong"}).status_code
                 for _ in range(4)]
        assert codes[:3] == [401, 401, 401] and codes[3] == 429
        assert c.get("/login").status_code == 200  # only POSTs count
