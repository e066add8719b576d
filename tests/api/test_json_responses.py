"""Responses are encoded by orjson (issue 14, infra.jsonresponse): the same documents as Flask's own
encoder wrote, sorted and compact, with UTF-8 text instead of escapes; what orjson refuses falls back."""
import datetime as dt
import decimal
import json
import uuid

import pytest
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from matchmaker.infra.jsonresponse import FastJSONProvider
from tests.api.test_lean_dump import ROLES, URLS, busy_world  # noqa: F401 - the fixture


def _answers(client, as_role):
    return {(role, url): client.get(url, headers=as_role(role)) for role in ROLES for url in URLS}


def test_every_listed_answer_is_the_document_flasks_encoder_wrote(app, client, busy_world, as_role):  # noqa: F811
    fast = _answers(client, as_role)
    app.json = DefaultJSONProvider(app)
    plain = _answers(client, as_role)
    compared = 0
    for key, resp in fast.items():
        before = plain[key]
        assert (resp.status_code, resp.mimetype, resp.headers.get("X-Pagination")) == \
               (before.status_code, before.mimetype, before.headers.get("X-Pagination")), key
        assert json.loads(resp.data) == json.loads(before.data), key
        # Flask's bytes with the escapes written as UTF-8: sorted keys, no spaces, one newline
        assert resp.data == (json.dumps(json.loads(before.data), sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=False) + "\n").encode(), key
        compared += resp.status_code == 200 and len(resp.data) > 3
    assert compared > 40
    assert any(any(b > 127 for b in r.data) for r in fast.values())  # some text is not ASCII


def _both(app, obj):
    with app.app_context():
        fast = FastJSONProvider(app).response(obj).get_data()
        plain = DefaultJSONProvider(app).response(obj).get_data()
    return fast, plain


def test_values_orjson_does_not_know_are_written_as_flask_wrote_them(app):
    obj = {"day": dt.date(2020, 3, 16), "at": dt.datetime(2020, 3, 16, 8, 30, tzinfo=dt.timezone.utc),
           "money": decimal.Decimal("12.50"), "id": uuid.UUID(int=7), "html": Markup("<b>望奎</b>"),
           "name": "望奎县", "list": [1.5, None, True]}
    fast, plain = _both(app, obj)
    assert json.loads(fast) == json.loads(plain)
    assert json.loads(fast)["day"] == "Mon, 16 Mar 2020 00:00:00 GMT"  # Flask's HTTP date, not orjson's ISO
    assert "望奎县".encode() in fast and b"\\u" not in fast


def test_integer_keys_keep_flasks_bytes_and_order(app):
    fast, plain = _both(app, {"by_id": {3: "a", 12: "b"}})
    assert fast == plain == b'{"by_id":{"3":"a","12":"b"}}\n'


def test_a_nan_is_written_null(app):
    fast, _ = _both(app, {"x": float("nan"), "y": [float("inf")]})
    assert fast == b'{"x":null,"y":[null]}\n'


@pytest.mark.parametrize("obj", [{"big": 2 ** 70}, {"lone": "\ud800"}], ids=["int past 64 bits", "lone surrogate"])
def test_what_orjson_refuses_is_encoded_by_flasks_provider(app, obj):
    fast, plain = _both(app, obj)
    assert fast == plain


def test_debug_output_stays_indented(app):
    app.debug = True
    try:
        fast, plain = _both(app, {"b": 1, "a": [1, 2]})
    finally:
        app.debug = False
    assert fast == plain and b"\n  " in fast
