"""Sessions that end (issue 11, finding 5): sign-out, a password change and deactivation end every
session of the account at once, although the session cookie is signed client-side; the session
lifetime is configurable; the password change page and API."""
import re

import pytest
from itsdangerous import TimestampSigner

from matchmaker.infra.config import duration
from matchmaker.services import auth
from tests.web.conftest import PASSWORD, login

NEW_PASSWORD = "a new horse 22"


def _cookie(client, app):
    """The value of the client's session cookie (what a thief would copy)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _browser_with(app, cookie_value):
    """A fresh browser holding a copied session cookie."""
    browser = app.test_client()
    browser.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_value)
    return browser


def _signed_in(browser):
    """Whether the browser's session opens a page and the API (both must agree)."""
    page = browser.get("/firm/needs")
    me = browser.get("/api/v1/auth/me")
    assert (page.status_code == 200) == (me.status_code == 200), (page.status_code, me.status_code)
    if page.status_code != 200:
        assert page.status_code == 302 and "/login" in page.location
        assert me.status_code == 401 and me.get_json()["code"] == 401
    return page.status_code == 200


def _change_password(browser, current, new, again=None):
    return browser.post("/account/password", data={"current_password": current, "new_password": new,
                                                   "new_password_again": new if again is None else again})


# --- sign-out ------------------------------------------------------------------------------------

def test_a_copied_cookie_no_longer_works_after_sign_out(app, world):
    """Failed on the old main: the replayed cookie still opened /firm/needs and /api/v1/auth/me."""
    browser = login(app.test_client(), "lead@example.cn")
    copied = _cookie(browser, app)
    assert _signed_in(_browser_with(app, copied))  # positive control: the copy works while signed in
    assert browser.post("/logout").status_code == 302
    assert not _signed_in(_browser_with(app, copied))
    assert not _signed_in(browser)


def test_sign_out_ends_the_accounts_other_sessions_too(app, world):
    first = login(app.test_client(), "lead@example.cn")
    second = login(app.test_client(), "lead@example.cn")
    other_user = login(app.test_client(), "sme@example.cn")
    first.post("/logout")
    assert not _signed_in(second)
    assert other_user.get("/firm/offers").status_code == 200  # other accounts are untouched
    assert _signed_in(login(second, "lead@example.cn"))  # signing in again works


def test_a_session_from_before_the_upgrade_is_signed_out_not_an_error(app, world):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(world["users"]["lead"].id)  # the old format: no session version
        session["_fresh"] = True
    assert not _signed_in(browser)


@pytest.mark.parametrize("session_id", ["", "x:1", "1:x", "1", ":", "9" * 5000 + ":1", "1:" + "9" * 5000])
def test_malformed_session_ids_load_nobody(app, world, session_id):
    assert auth.user_for_session(session_id) is None


# --- password change -----------------------------------------------------------------------------

def test_password_change_ends_the_other_sessions_and_tokens_but_keeps_this_browser(app, world, db):
    """Failed on the old main: there was no password change at all (404)."""
    here = login(app.test_client(), "lead@example.cn")
    elsewhere = login(app.test_client(), "lead@example.cn")
    token = auth.issue_token(world["users"]["lead"])
    assert here.get("/account/password").status_code == 200
    resp = _change_password(here, PASSWORD, NEW_PASSWORD)
    assert resp.status_code == 302 and resp.location == "/"
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert app.test_client().post("/login", data={"email": "lead@example.cn", "password": PASSWORD}).status_code == 401
    login(app.test_client(), "lead@example.cn", NEW_PASSWORD)


@pytest.mark.parametrize("current,new,again,field", [
    ("not my password", NEW_PASSWORD, None, "current_password"),
    (PASSWORD, "short", None, "new_password"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password_again"),
    (PASSWORD, PASSWORD, None, "new_password"),
    ("", NEW_PASSWORD, None, "current_password"),
])
def test_a_refused_password_change_says_why_at_the_field_and_changes_nothing(app, world, current, new, again, field):
    here = login(app.test_client(), "lead@example.cn")
    elsewhere = login(app.test_client(), "lead@example.cn")
    resp = _change_password(here, current, new, again)
    assert resp.status_code == 422
    assert f'id="{field}-error"' in resp.text
    assert _signed_in(here) and _signed_in(elsewhere)
    login(app.test_client(), "lead@example.cn", PASSWORD)


def test_the_password_page_is_in_chinese_and_english(app, world):
    browser = login(app.test_client(), "lead@example.cn")
    page = browser.get("/account/password").text
    assert "修改密码" in page and "当前密码" in page and 'href="/account/password"' in browser.get("/").text
    wrong = _change_password(browser, "not my password", NEW_PASSWORD)
    assert "不是您当前的密码" in wrong.text
    browser.post("/language", data={"lang": "en"})
    page = browser.get("/account/password").text
    assert "Change password" in page and "Current password" in page
    assert "is not your current password" in _change_password(browser, "not my password", NEW_PASSWORD).text


def test_the_password_page_needs_sign_in_and_the_csrf_token(app, world, monkeypatch):
    resp = app.test_client().get("/account/password")
    assert resp.status_code == 302 and "/login" in resp.location
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    browser = app.test_client()
    page = browser.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    browser.post("/login", data={"email": "lead@example.cn", "password": PASSWORD, "csrf_token": token})
    assert _change_password(browser, PASSWORD, NEW_PASSWORD).status_code == 400  # no token
    assert auth.authenticate("lead@example.cn", PASSWORD) is not None  # unchanged


# --- password change through the API -------------------------------------------------------------

def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_password_change_revokes_every_token_and_session(app, world):
    client = app.test_client()
    token, spare = auth.issue_token(world["users"]["lead"]), auth.issue_token(world["users"]["lead"])
    browser = login(app.test_client(), "lead@example.cn")
    resp = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                       headers=_bearer(token))
    assert resp.status_code == 204
    for t in (token, spare):
        assert client.get("/api/v1/auth/me", headers=_bearer(t)).status_code == 401
    assert not _signed_in(browser)
    assert client.post("/api/v1/auth/tokens", json={"email": "lead@example.cn", "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/tokens", json={"email": "lead@example.cn",
                                                    "password": NEW_PASSWORD}).status_code == 201


def test_api_password_change_refusals(app, world):
    client = app.test_client()
    token = auth.issue_token(world["users"]["lead"])
    wrong = client.post("/api/v1/auth/password", json={"current_password": "nope", "new_password": NEW_PASSWORD},
                        headers=_bearer(token))
    assert wrong.status_code == 422 and list(wrong.get_json()["errors"]) == ["current_password"]
    short = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"},
                        headers=_bearer(token))
    assert short.status_code == 422 and "new_password" in short.get_json()["errors"]
    anonymous = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert anonymous.status_code == 401
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200  # nothing changed


# --- deactivation --------------------------------------------------------------------------------

def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(app, world, db):
    browser = login(app.test_client(), "lead@example.cn")
    admin = login(app.test_client(), "admin@example.cn")
    lead = world["users"]["lead"]
    assert admin.post(f"/admin/users/{lead.id}/deactivate").status_code == 302
    assert not _signed_in(browser)
    db.session.refresh(lead)
    lead.active = True  # an administrator turning the account back on (by hand; there is no page for it)
    db.session.commit()
    assert not _signed_in(browser)


# --- lifetime ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,seconds", [("3600", 3600), ("30m", 1800), ("12h", 43200), ("7d", 604800),
                                          (" 1.5H ", 5400)])
def test_session_lifetime_setting(text, seconds):
    assert duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "h", "-5m", "0", "12 hours", "1e9"])
def test_a_wrong_session_lifetime_is_refused(text):
    with pytest.raises(ValueError):
        duration(text)


def test_a_session_older_than_the_lifetime_is_refused(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", duration("30m"))
    browser = login(app.test_client(), "lead@example.cn")
    assert _signed_in(browser)
    issued = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued(self) + 29 * 60)
    assert _signed_in(browser)  # within the lifetime (and the visit renews the cookie)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued(self) + 29 * 60 + 31 * 60)
    assert not _signed_in(browser)
