"""Work before authentication and hostile bodies (issue 11, finding 8, HTTP part): a protected API
operation answers an anonymous caller 401 before its body is read, parsed or validated; a body
that is malformed, nested too deep or holds an integer too long to convert is 400 in the one error
shape, never 500; a body over the API's size cap is 413 in the same shape."""
import json

import pytest
import webargs.core

from matchmaker.infra import http
from matchmaker.services import auth
from tests import factories
from tests.hardening.conftest import bearer

NEEDS = "/api/v1/needs"
DEEP = "[" * 100_000
HUGE_INT = '{"category": "C1", "quantity": ' + "9" * 5000 + ', "needed_by": "2020-05-01"}'
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def firm_token(db):
    factories.region("230102")
    factories.category("C1")
    firm = factories.firm("F1", region_code="230102")
    user = factories.user(role="firm", firm_row=firm, email="firm@example.cn")
    db.session.commit()
    return auth.issue_token(user)


def _shape(response, code):
    body = response.get_json()
    assert response.status_code == code, (response.status_code, response.get_data()[:300])
    assert body["code"] == code and isinstance(body["status"], str) and isinstance(body["message"], str)
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


def _protected_writes(app):
    """(method, path) of every API operation that takes a body and needs a signed-in caller."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<string:{arg}>", "x").replace(f"<{arg}>", "x")
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            if (method, rule.rule) != ("POST", "/api/v1/auth/tokens"):
                out.append((method, path))
    return out


# --- authenticate before parsing ----------------------------------------------------------------

def test_anonymous_deep_json_is_401_not_500(client):
    """Failed on the old main: 500 (the JSON parser's recursion)."""
    _shape(client.post(NEEDS, data=DEEP, headers=JSON), 401)


def test_every_protected_write_answers_anonymous_401_without_reading_the_body(app, client, monkeypatch):
    """Failed on the old main: bodies were parsed and validated before the sign-in check (a 2.3 MB
    body with 200,000 unknown keys cost 1.3 s and returned 5.7 MB of errors)."""
    parsed = []
    monkeypatch.setattr(webargs.core, "parse_json", lambda *a, **k: parsed.append(a) or {})
    monkeypatch.setattr(http, "_parse_json", lambda *a, **k: parsed.append(a) or {}, raising=False)
    many_keys = json.dumps({f"k{i}": i for i in range(200_000)})
    writes = _protected_writes(app)
    assert ("POST", NEEDS) in writes and ("PATCH", "/api/v1/needs/1") in writes and len(writes) >= 20
    for method, path in writes:
        for body in (many_keys, DEEP):
            response = client.open(path, method=method, data=body, headers=JSON)
            assert response.status_code == 401, (method, path, response.status_code)
    assert parsed == []


def test_a_bad_token_is_refused_before_the_body_too(client):
    _shape(client.post(NEEDS, data=DEEP, headers={**JSON, **bearer("not-a-token")}), 401)


def test_public_operations_and_the_docs_stay_open(client, db):
    factories.region("230102")
    db.session.commit()
    for path in ("/api/v1/regions", "/api/v1/categories", "/api/v1/openapi.json", "/api/v1/docs"):
        assert client.get(path).status_code == 200, path
    assert client.post("/api/v1/auth/tokens", json={"email": "a@example.cn", "password": "x" * 8}).status_code == 401
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert client.put("/api/v1/regions").status_code == 405


# --- bodies that cannot be read ------------------------------------------------------------------

def test_signed_in_deep_json_is_400_not_500(client, firm_token):
    """Failed on the old main: 500."""
    body = _shape(client.post(NEEDS, data=DEEP, headers={**JSON, **bearer(firm_token)}), 400)
    assert "_json" in body["errors"]


def test_a_5000_digit_integer_is_400_not_500(client, firm_token):
    """Failed on the old main: 500 (Python refuses to convert more than 4,300 digits)."""
    body = _shape(client.post(NEEDS, data=HUGE_INT, headers={**JSON, **bearer(firm_token)}), 400)
    assert "_json" in body["errors"]


@pytest.mark.parametrize("data", [
    "[" * 33 + "]" * 33,                                  # deeper than 32 levels, yet parseable
    '{"note": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}",
    '{"category": "C1", ',                                # malformed
    b'{"category": "\xff\xfe"}',                          # not UTF-8
    "[" * 999,                                            # unterminated and deep
])
def test_unreadable_bodies_are_400_in_the_one_shape(client, firm_token, data):
    _shape(client.post(NEEDS, data=data, headers={**JSON, **bearer(firm_token)}), 400)
    _shape(client.post("/api/v1/auth/tokens", data=data, headers=JSON), 400)  # public operation too


def test_nesting_within_the_limit_is_left_to_validation(client, firm_token):
    nested = {"category": "C1", "quantity": 1, "needed_by": "2020-05-01", "note": [[[[["deep"]]]]]}
    _shape(client.post(NEEDS, json=nested, headers=bearer(firm_token)), 422)


def test_the_public_sign_in_refuses_hostile_bodies_with_400(client):
    _shape(client.post("/api/v1/auth/tokens", data=DEEP, headers=JSON), 400)
    _shape(client.post("/api/v1/auth/tokens", data='{"email": ' + "9" * 5000 + "}", headers=JSON), 400)


# --- size ---------------------------------------------------------------------------------------

def test_a_body_over_the_api_cap_is_413_in_the_one_shape(app, client, firm_token):
    cap = app.config["API_MAX_CONTENT_LENGTH"]
    assert cap <= 1024 * 1024
    big = json.dumps({"category": "C1", "quantity": 1, "needed_by": "2020-05-01", "note": "x" * cap})
    _shape(client.post(NEEDS, data=big, headers={**JSON, **bearer(firm_token)}), 413)
    _shape(client.post(NEEDS, data=big, headers=JSON), 401)  # anonymous: refused before it is read
    _shape(client.post("/api/v1/auth/tokens", data=big, headers=JSON), 413)


def test_uploads_keep_their_own_larger_cap(app):
    from flask import request

    assert app.config["MAX_CONTENT_LENGTH"] > app.config["API_MAX_CONTENT_LENGTH"]
    with app.test_request_context("/admin/import", method="POST"):
        assert request.max_content_length == app.config["MAX_CONTENT_LENGTH"]
    with app.test_request_context(NEEDS, method="POST"):
        assert request.max_content_length == app.config["API_MAX_CONTENT_LENGTH"]


def test_the_json_parser_itself(monkeypatch):
    assert http._parse_json(b'{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}
    assert http._parse_json(b"[" * 32 + b"]" * 32) is not None
    for data in (b"[" * 33 + b"]" * 33, DEEP.encode(), b"9" * 5000, b"{", b"\xff"):
        with pytest.raises(http.BadJson):
            http._parse_json(data)


# --- pages ----------------------------------------------------------------------------------------

def test_an_anonymous_form_post_to_a_page_that_needs_sign_in_is_not_read(csrf_app, monkeypatch):
    """Failed on the old main: the CSRF check parsed the form (an upload was spooled to disk)
    before the sign-in check, and answered 400."""
    from werkzeug.formparser import FormDataParser

    parsed = []
    real_parse = FormDataParser.parse
    monkeypatch.setattr(FormDataParser, "parse", lambda self, *a, **k: parsed.append(1) or real_parse(self, *a, **k))
    client = csrf_app.test_client()
    upload = {"package": (__import__("io").BytesIO(b"x" * 2_000_000), "package.json")}
    for path, data in (("/admin/import", upload), ("/admin/users", {"email": "x"}),
                       ("/account/password", {"current_password": "x"}), ("/firm/needs/new", {"quantity": "1"})):
        response = client.post(path, data=data)
        assert response.status_code == 302 and "/login" in response.location, path
    assert parsed == []
    # The public forms are still read (and refused for their missing CSRF token).
    assert client.post("/login", data={"email": "a@example.cn", "password": "x"}).status_code == 400
    assert parsed
