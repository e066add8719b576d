"""Admin pages: data-package upload (errors row by row, or counts), users; others may not enter."""
import io
import json
import re

from matchmaker.models import Firm, User


def _upload(client, payload, name="package.json"):
    data = {"package": (io.BytesIO(json.dumps(payload, ensure_ascii=False).encode()), name)}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


GOOD = {"firms": [{"ref": "NEW1", "name": "新企业一", "kind": "sme", "region": "230102"},
                  {"ref": "NEW2", "name": "新企业二", "kind": "leading", "region": "230103"}]}
BAD = {"firms": [{"ref": "BAD1", "name": "坏企业", "kind": "giant", "region": "230102"},
                 {"ref": "BAD2", "name": "坏企业二", "kind": "sme", "region": "230102", "workers_back": 1.5}]}


def test_import_shows_counts(as_user, world, db):
    c = as_user("admin")
    resp = _upload(c, GOOD)
    assert resp.status_code == 302
    page = c.get(resp.location).text
    assert 'id="import-result"' in page and "导入完成" in page
    assert re.search(r"<td>firms</td><td class=\"num\">2</td>", page)
    assert db.session.scalar(db.select(db.func.count()).select_from(Firm).where(Firm.ref.like("NEW%"))) == 2


def test_import_errors_are_listed_row_by_row_and_nothing_is_written(as_user, world, db):
    c = as_user("admin")
    resp = _upload(c, BAD)
    page = c.get(resp.location).text
    assert "未导入任何数据" in page
    rows = re.findall(r"<tr><td>(\w+)</td><td class=\"num\">(\d+)</td><td>(\w+)</td>", page)
    assert ("firms", "2", "kind") in rows and ("firms", "3", "workers_back") in rows
    assert db.session.scalar(db.select(Firm).where(Firm.ref.like("BAD%"))) is None


def test_upload_rejects_other_file_types_at_the_field(as_user, world):
    resp = _upload(as_user("admin"), GOOD, name="package.txt")
    assert resp.status_code == 422
    assert 'id="package-error"' in resp.text


def test_import_status_of_someone_else_is_not_found(as_user, world):
    resp = _upload(as_user("admin"), GOOD)
    assert as_user("county").get(resp.location).status_code == 403
    assert as_user("admin").get("/admin/import/" + "0" * 32).status_code == 404


def test_admin_creates_and_deactivates_a_user(as_user, world, db):
    c = as_user("admin")
    resp = c.post("/admin/users", data={"email": "new@example.cn", "name": "新人", "password": "long enough 1",
                                        "role": "staff", "region_code": "230100", "locale": "en"})
    assert resp.status_code == 302, resp.text[-600:]
    user = db.session.scalar(db.select(User).where(User.email == "new@example.cn"))
    assert (user.role, user.region_code, user.locale) == ("staff", "230100", "en")
    assert "new@example.cn" in c.get("/admin/users").text
    assert c.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    db.session.refresh(user)
    assert not user.active


def test_user_form_errors_are_shown_at_the_fields(as_user, world):
    c = as_user("admin")
    resp = c.post("/admin/users", data={"email": "lead@example.cn", "name": "x", "password": "long enough 1",
                                        "role": "firm", "firm_ref": "NOPE", "locale": "zh_CN"})
    assert resp.status_code == 422
    assert 'id="firm_ref-error"' in resp.text
    resp = c.post("/admin/users", data={"email": "not-an-email", "name": "", "password": "short", "role": "staff"})
    assert all(f'id="{f}-error"' in resp.text for f in ("email", "name", "password"))


def test_only_admins_reach_admin_pages(as_user, world):
    for who in ("lead", "county"):
        assert as_user(who).get("/admin/users").status_code == 403
        assert as_user(who).get("/admin/import").status_code == 403
