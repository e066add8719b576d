"""Every API and service message in the user's language (Chinese by default; the account's setting
or the request's Accept-Language), the error shape unchanged; due dates before today refused at the
field (issue 13, item 9)."""
import pytest
from flask_babel import refresh

from matchmaker.errors import Message, NotFound
from matchmaker.infra.extensions import db
from matchmaker.infra.labels import message
from matchmaker.packages.problems import PackageInvalid, Problem
from tests.services.world import actor

SHAPE = {"code", "status", "message"}


def _error(resp, code):
    body = resp.get_json()
    assert resp.status_code == code and SHAPE <= set(body) <= SHAPE | {"errors"}, body
    assert body["code"] == code and isinstance(body["status"], str)
    return body


def test_not_found_is_chinese_by_default_and_english_on_request(client, as_role):
    body = _error(client.get("/api/v1/pairings/40", headers=as_role("firm_own")), 404)
    assert body["message"] == "未找到撮合建议 40"
    refresh()  # the locale is cached on the app context the test keeps pushed
    body = _error(client.get("/api/v1/pairings/40", headers={**as_role("firm_own"),
                                                              "Accept-Language": "en-US,en;q=0.9"}), 404)
    assert body["message"] == "pairing 40 not found"


def test_the_account_setting_chooses_the_language(client, world, as_role):
    user = actor(world, "firm_own")
    user.locale = "en"
    db.session.commit()
    body = _error(client.get("/api/v1/needs/999999", headers=as_role("firm_own")), 404)
    assert body["message"] == "need 999999 not found"


@pytest.mark.parametrize("lang,expected", [("zh-CN", "只有省级专班人员和管理员可以启动撮合"),
                                           ("en", "only province task-force staff and admins start a matching run")])
def test_permission_messages_follow_the_language(client, as_role, lang, expected):
    body = _error(client.post("/api/v1/match-runs", json={}, headers={**as_role("firm_own"), "Accept-Language": lang}),
                  403)
    assert body["message"] == expected


def test_a_parser_message_is_translated_too(client, as_role):
    body = _error(client.post("/api/v1/needs", json={"category": "C1", "quantity": 3, "needed_by": "2020-05-01",
                                                     "colour": "red"}, headers=as_role("firm_own")), 422)
    assert body["errors"] == {"colour": ["未知字段。"]}


def test_a_need_due_before_today_is_refused_at_the_field(client, as_role, app):
    assert app.config["TODAY"] == "2020-03-16"
    h = as_role("firm_own")
    body = _error(client.post("/api/v1/needs", json={"category": "C1", "quantity": 3, "needed_by": "2020-03-15"},
                              headers=h), 422)
    assert body["errors"] == {"needed_by": ["不能早于今天"]} and body["message"] == "需求信息无效"
    assert client.post("/api/v1/needs", json={"category": "C1", "quantity": 3, "needed_by": "2020-03-16"},
                       headers=h).status_code == 201
    body = _error(client.post("/api/v1/offers", json={"category": "C1", "quantity": 3, "available_from": "2020-03-01",
                                                      "available_until": "2020-03-10"}, headers=h), 422)
    assert body["errors"] == {"available_until": ["不能早于今天"]}


def test_an_old_due_date_left_unchanged_does_not_block_an_edit(client, as_role, world, app):
    h = as_role("firm_own")
    created = client.post("/api/v1/needs", json={"category": "C1", "quantity": 3, "needed_by": "2020-03-20"},
                          headers=h).get_json()
    app.config["TODAY"] = "2020-03-25"  # the need is now past due; its quantity may still change
    resp = client.patch(f"/api/v1/needs/{created['id']}", json={"quantity": 5, "needed_by": "2020-03-20"}, headers=h)
    assert resp.status_code == 200, resp.get_json()
    resp = client.patch(f"/api/v1/needs/{created['id']}", json={"needed_by": "2020-03-21"}, headers=h)
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["needed_by"]


def test_messages_with_values_and_package_problems(app):
    with app.test_request_context("/api/v1/x"):
        assert message(NotFound("pairing %(id)s not found", id=40).message) == "未找到撮合建议 40"
        assert message(Message("unknown firm %(ref)s", ref="F9999")) == "未知企业 F9999"
        assert str(Message("unknown firm %(ref)s", ref="F9999")) == "unknown firm F9999"  # logs, CLI
        line = str(Problem("needs", 3, "quantity", "not a number (不是数字)"))
        assert message(line) == "needs 第 3 行 quantity 字段：不是数字（not a number）"
        refused = PackageInvalid([Problem("needs", 3, "quantity", "x")])
        assert refused.errors == {"package": ["needs row 3 field quantity: x"]}  # the shape is untouched
        assert message(refused.message) == "数据包有 1 处错误，未导入任何数据"
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "en"}):
        refresh()
        assert message(line) == "needs row 3 field quantity: not a number"
        assert message(Message("unknown firm %(ref)s", ref="F9999")) == "unknown firm F9999"
