"""The report API's pages and the report page's content are kept in each server process's memory
(issue 14, item 3), yet a break assigned or closed through one server shows at once on every
worker of another: what they are kept under is read from the shared database, not told between
processes. Two gunicorn servers of two workers each, no Redis; on SQLite (a file) by default, on
PostgreSQL with MATCHMAKER_TEST_DATABASE_URL."""
import contextlib
import json
import re

import pytest

from matchmaker.services import auth, reports
from tests import factories as f
from tests.conftest import ON_POSTGRES
from tests.hardening.conftest import dedicated_app
from tests.scale import processes

pytestmark = pytest.mark.slow

PASSWORD = "correct horse 1"  # the factories' password
ASKS = 8  # requests per look: with two workers, each answers some of them


@contextlib.contextmanager
def _database(tmp_path):
    if ON_POSTGRES:
        from tests.hardening.helpers import temp_pg_database

        with temp_pg_database("reportcache") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'servers.sqlite'}"


@pytest.fixture
def deployment(_app, tmp_path):
    """A database with a stored report of two breaks, a city staff member's token, and its URL."""
    with _database(tmp_path) as url, dedicated_app(SQLALCHEMY_DATABASE_URI=url) as app:
        with app.app_context():
            b = f.firm("B", kind="leading", region_code="230102")
            s1 = f.firm("S1", region_code="230103", operating=False, blockers=["transport"])
            f.link(s1, b, "C1", 10.0)
            city = f.user("staff", region_code="230100", email="city@example.cn")
            city.name = "市级调度员"
            from matchmaker.infra.extensions import db

            db.session.commit()
            reports.write_weekly_report("2020-W12")
            yield url, auth.issue_token(city), tmp_path


def _sign_in(browser, base):
    _, _, body = browser.request("GET", f"{base}/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    status, _, _ = browser.form(f"{base}/login", {"csrf_token": token, "email": "city@example.cn",
                                                  "password": PASSWORD})
    assert status == 302


def _statuses(browser, base, token):
    """The down supplier's break as every answer of the report API and page shows it."""
    api, pages = set(), set()
    for _ in range(ASKS):
        status, body = browser.json("GET", f"{base}/api/v1/reports/2020-W12", token=token)
        assert status == 200
        api.add(tuple((b["kind"], b["status"]) for b in body["breaks"] if b["supplier"] == "S1"))
        status, _, page = browser.request("GET", f"{base}/taskforce/report")
        assert status == 200
        rows = re.findall(r'<tr class="sev-[^"]*" data-kind="supplier_down">(.*?)</tr>', page.decode(), re.S)
        pages.add(tuple("市级调度员" in row for row in rows))
    return api, pages


def test_a_change_through_one_server_shows_on_every_worker_of_the_other(deployment):
    url, token, tmp = deployment
    env = processes.process_env(url)
    port_a, port_b = processes.free_port(), processes.free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    with processes.gunicorn(env, tmp / "server-a.log", port_a), processes.gunicorn(env, tmp / "server-b.log", port_b):
        browser = processes.Browser()
        _sign_in(browser, b)
        assert _statuses(browser, b, token) == ({(("supplier_down", "open"),)}, {(False,)})  # now kept by B
        status, listed = browser.json("GET", f"{a}/api/v1/reports/latest/breaks?kind=supplier_down", token=token)
        assert status == 200 and len(listed) == 1
        down, me = listed[0]["id"], browser.json("GET", f"{a}/api/v1/auth/me", token=token)[1]["id"]
        status, body = browser.json("POST", f"{a}/api/v1/breaks/{down}/assign", {"assignee_id": me}, token=token)
        assert status == 200, body
        assert _statuses(browser, b, token) == ({(("supplier_down", "assigned"),)}, {(True,)})
        status, body = browser.json("POST", f"{a}/api/v1/breaks/{down}/close", {"note": "已复工"}, token=token)
        assert status == 200, body
        assert _statuses(browser, b, token) == ({()}, {()})
        status, body = browser.json("GET", f"{b}/api/v1/reports/2020-W12", token=token)
        assert json.dumps(body["closed"], ensure_ascii=False).count("已复工") == 1
