"""The admin upload page reports a package past the reading limits as an error row, like any other
problem (issue 11, findings 2 and 8): never a server error, a traceback or "could not be read";
and it shows the problems of a refused import a page at a time (finding 9)."""
import io
import re

from matchmaker.models import Firm
from tests.packages import bombs


def _upload(client, data, name):
    resp = client.post("/admin/import", data={"package": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.text[:500]
    return client.get(resp.location).text


def _errors(page):
    return re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)


def test_deeply_nested_json_is_listed_as_an_error(as_user, world):
    page = _upload(as_user("admin"), b'{"firms": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep.json")
    assert "未导入任何数据" in page
    [(section, row, field, message)] = _errors(page)
    assert (section, row, field) == ("package", "1", "-") and "nested 100,001 levels deep" in message
    assert "RecursionError" not in page


def test_a_sheet_past_excels_limits_is_listed_with_its_row(as_user, world, db, tmp_path):
    rows = bombs.workbook(tmp_path / "rows.xlsx", bombs.sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>NEW1</t></is></c></row>'
        '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>NEW2</t></is></c></row>'))
    columns = bombs.workbook(tmp_path / "columns.xlsx", bombs.sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>NEW1</t></is></c><c r="XFE2"><v>1</v></c></row>'))
    client = as_user("admin")
    [(section, row, field, message)] = _errors(_upload(client, rows.read_bytes(), "rows.xlsx"))
    assert (section, row, field) == ("firms", "1048577", "-") and "past the last row" in message
    [(section, row, field, message)] = _errors(_upload(client, columns.read_bytes(), "columns.xlsx"))
    assert (section, row, field) == ("firms", "2", "-") and "cell XFE2 is past the last column" in message
    assert db.session.scalar(db.select(Firm).where(Firm.ref.like("NEW%"))) is None


def test_a_zip_bomb_is_listed_with_its_member(as_user, world, tmp_path):
    path = bombs.zip_of(tmp_path / "bomb.zip", {"firms.csv": ("ref,name,kind,region\r\n", "a" * 65536, 4400)})
    [(section, row, field, message)] = _errors(_upload(as_user("admin"), path.read_bytes(), "bomb.zip"))
    assert (section, field) == ("package", "-") and "firms.csv expands to 275 MiB" in message


def test_the_problems_of_a_refused_import_are_paged(as_user, world, app):
    """200,000 bad rows made a 25 MB page; now 100 problems a page, kept out of the status polled."""
    import json
    import os

    bad = json.dumps({"firms": [{"ref": f"B{i}", "name": "坏", "kind": "giant", "region": "230102"}
                                for i in range(250)]}).encode()
    client = as_user("admin")
    resp = client.post("/admin/import", data={"package": (io.BytesIO(bad), "bad.json")},
                       content_type="multipart/form-data")
    page = client.get(resp.location).text
    rows = _errors(page)
    assert len(rows) == 100 and rows[0][:3] == ("firms", "2", "kind") and "250" in page
    assert 'rel="next"' in page and 'rel="prev"' not in page
    last = client.get(resp.location + "?page=3").text
    assert [r[1] for r in _errors(last)] == [str(n) for n in range(202, 252)] and 'rel="next"' not in last
    assert _errors(client.get(resp.location + "?page=99").text) == _errors(last)  # clamped to the last page
    assert _errors(client.get(resp.location + "?page=x").text) == rows
    job = resp.location.rsplit("/", 1)[1]
    status = client.get(f"/admin/import/{job}.json").get_json()
    assert status["state"] == "failed"
    folder = os.path.join(app.instance_path, "imports")
    assert os.path.getsize(os.path.join(folder, f"{job}.json")) < 1000
