"""Sign-in limits (issue 11, finding 7): only failed attempts count, per client address and per account;
X-Forwarded-For is trusted only when a proxy count is configured; the page, the token API and the
password change share the budgets; a refused attempt costs no password hashing.

The apps here run with the production defaults (10 failures per minute per address, 5 per minute
and 30 per hour per account), rate limiting on."""
import pytest
from argon2 import PasswordHasher

from matchmaker.infra.extensions import db
from tests import factories
from tests.hardening.conftest import bearer, dedicated_app

PASSWORD = "right password 1"
TOKENS = "/api/v1/auth/tokens"


@pytest.fixture
def limited(_app):
    """An app with the default sign-in limits on, and two accounts."""
    with dedicated_app(RATELIMIT_ENABLED=True) as app:
        _accounts()
        yield app


@pytest.fixture
def proxied(_app):
    """The same behind one proxy (MATCHMAKER_PROXY_COUNT=1)."""
    with dedicated_app(RATELIMIT_ENABLED=True, PROXY_COUNT=1) as app:
        _accounts()
        yield app


def _accounts():
    factories.user(role="admin", email="admin@example.cn", password=PASSWORD)
    factories.user(role="admin", email="other@example.cn", password=PASSWORD)
    db.session.commit()


def _page(app, email, password, address="127.0.0.1", **kw):
    """Sign in through the page from a fresh browser at `address`; returns the status."""
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address}, **kw).status_code


def _api(app, email, password, address="127.0.0.1", **kw):
    """Ask the API for a token from `address`; returns the status."""
    return app.test_client().post(TOKENS, json={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address}, **kw).status_code


def test_good_sign_ins_never_count(limited):
    """Failed on the old main: the 11th good sign-in from one address got 429 (an office behind
    one address locked itself out)."""
    assert [_page(limited, "admin@example.cn", PASSWORD) for _ in range(11)] == [302] * 11
    assert [_api(limited, "admin@example.cn", PASSWORD) for _ in range(11)] == [201] * 11
    # ... and they do not reset or hide the failures either: 4 failures, 10 good, 1 failure, then no more.
    codes = [_page(limited, "other@example.cn", "wrong") for _ in range(4)]
    codes += [_page(limited, "other@example.cn", PASSWORD) for _ in range(10)]
    codes += [_page(limited, "other@example.cn", "wrong"), _page(limited, "other@example.cn", PASSWORD)]
    assert codes == [401] * 4 + [302] * 10 + [401, 429]


def test_rotating_forwarded_for_does_not_spread_failures_without_a_proxy(limited):
    """Failed on the old main: ProxyFix trusted X-Forwarded-For by default, so each invented address
    had its own budget and no 429 came. Different accounts, so only the address budget applies."""
    codes = [_page(limited, f"guess{i}@example.cn", "wrong", headers={"X-Forwarded-For": f"10.0.{i}.1"})
             for i in range(12)]
    assert codes == [401] * 10 + [429] * 2
    # The same client is refused on the API too (one budget for both), and other clients are not.
    assert _api(limited, "guess99@example.cn", "wrong", headers={"X-Forwarded-For": "10.9.9.9"}) == 429
    assert _page(limited, "admin@example.cn", PASSWORD, address="127.0.0.2") == 302


def test_with_a_proxy_count_the_forwarded_address_is_the_client(proxied):
    codes = [_page(proxied, f"guess{i}@example.cn", "wrong", headers={"X-Forwarded-For": f"10.0.{i}.1"})
             for i in range(12)]
    assert codes == [401] * 12  # twelve clients, one failure each
    # The address is the one the proxy added (the right-most), not what the client wrote before it.
    spoofed = [_page(proxied, f"spoof{i}@example.cn", "wrong", headers={"X-Forwarded-For": f"1.2.3.{i}, 10.1.1.1"})
               for i in range(11)]
    assert spoofed == [401] * 10 + [429]


def test_one_account_is_limited_whatever_the_address(limited):
    """Failed on the old main: there was no per-account limit (12+ wrong admin passwords in a row)."""
    codes = [_page(limited, "admin@example.cn", f"guess {i}", address=f"10.0.0.{i}") for i in range(5)]
    assert codes == [401] * 5
    # The right password waits too (else the 429 would tell a right guess from a wrong one).
    assert _page(limited, "admin@example.cn", PASSWORD, address="10.0.1.1") == 429
    assert _api(limited, "ADMIN@example.cn ", PASSWORD, address="10.0.1.2") == 429
    # Other accounts are not affected.
    assert _page(limited, "other@example.cn", PASSWORD, address="10.0.0.1") == 302


def test_page_and_api_failures_share_the_account_budget(limited):
    codes = [_page(limited, "admin@example.cn", "wrong", address="10.0.0.1") for _ in range(3)]
    codes += [_api(limited, "admin@example.cn", "wrong", address="10.0.0.2") for _ in range(2)]
    assert codes == [401] * 5
    assert _api(limited, "admin@example.cn", PASSWORD, address="10.0.0.3") == 429
    assert _page(limited, "admin@example.cn", PASSWORD, address="10.0.0.4") == 429


def test_a_wrong_current_password_spends_the_account_budget(limited):
    browser = limited.test_client()
    assert browser.post("/login", data={"email": "admin@example.cn", "password": PASSWORD}).status_code == 302
    token = limited.test_client().post(TOKENS, json={"email": "admin@example.cn",
                                                     "password": PASSWORD}).get_json()["token"]
    form = {"current_password": "guess", "new_password": "a new horse 22", "new_password_again": "a new horse 22"}
    assert [browser.post("/account/password", data=form).status_code for _ in range(3)] == [422] * 3
    # A refusal that is not about the current password costs nothing ...
    mismatch = {**form, "current_password": PASSWORD, "new_password_again": "something else"}
    assert [browser.post("/account/password", data=mismatch).status_code for _ in range(3)] == [422] * 3
    api = limited.test_client()
    body = {"current_password": "guess", "new_password": "a new horse 22"}
    assert [api.post("/api/v1/auth/password", json=body, headers=bearer(token)).status_code
            for _ in range(2)] == [422] * 2
    # ... but five wrong current passwords exhaust the account: even the right one now waits.
    right = {**form, "current_password": PASSWORD}
    assert browser.post("/account/password", data=right).status_code == 429
    assert _page(limited, "admin@example.cn", PASSWORD, address="10.0.0.9") == 429
    assert browser.get("/account/password").status_code == 200  # reading the page is not limited


def test_a_refused_attempt_costs_no_password_hashing(limited, monkeypatch):
    for i in range(5):
        _page(limited, "admin@example.cn", f"guess {i}", address=f"10.0.0.{i}")
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: calls.append(1) or real_verify(self, h, p))
    assert _page(limited, "admin@example.cn", PASSWORD, address="10.0.1.1") == 429
    assert _api(limited, "admin@example.cn", PASSWORD, address="10.0.1.2") == 429
    assert calls == []
    assert _page(limited, "other@example.cn", PASSWORD) == 302 and calls == [1]  # control: a sign-in hashes


def test_reading_the_sign_in_page_is_never_limited(limited):
    for i in range(11):
        _page(limited, f"guess{i}@example.cn", "wrong")
    assert _page(limited, "admin@example.cn", PASSWORD) == 429
    assert limited.test_client().get("/login").status_code == 200
