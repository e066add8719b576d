"""One service on many machines (issue 14, item 5): two gunicorn servers on two loopback ports,
sharing one PostgreSQL database, one Redis and one Celery worker, act as one.

* both schedulers fire (two `matchmaker scheduler` processes catch up on a missing report at
  once): both enqueue, the worker writes ONE report (the week's guard row);
* an upload started on server A is followed to its end on server B;
* a posting changed on A shows at once in best partners on B (both servers had built their index);
* failed sign-ins are counted across both: the 11th from one address is refused on either.

Everything is a real process (as deployed: `gunicorn 'matchmaker:create_app()'`,
`celery -A matchmaker.worker worker`, `matchmaker scheduler`) on a database of its own, migrated by
`matchmaker db upgrade`. Needs PostgreSQL (MATCHMAKER_TEST_DATABASE_URL) and Redis: skipped
without them, except in CI.
"""
import json
import re
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from matchmaker import ROOT
from matchmaker.infra import queue
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, WeeklyReport
from tests.hardening.conftest import dedicated_app
from tests.hardening.helpers import temp_pg_database
from tests.packages.conftest import BASE
from tests.scale import processes
from tests.services.world import PASSWORD, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TODAY = "2020-03-16"  # the world's needs fall due in April 2020


@pytest.fixture
def deployment(_app, tmp_path):
    """A migrated database with the small world, and the names every process shares."""
    processes.redis_or_skip()
    with temp_pg_database("scale") as url:
        names = dict(MATCHMAKER_REDIS_URL=processes.REDIS_URL, MATCHMAKER_TASK_QUEUE=processes.unique("queue"),
                     MATCHMAKER_CACHE_KEY_PREFIX=processes.unique("cache") + ":",
                     MATCHMAKER_RATELIMIT_KEY_PREFIX=processes.unique("limits"), MATCHMAKER_TODAY=TODAY,
                     MATCHMAKER_REPORT_SCHEDULE="mon 00:00", MATCHMAKER_TASK_RESULT_EXPIRES=3600)
        env = processes.process_env(url, **names)
        upgrade = subprocess.run([sys.executable, "-m", "matchmaker", "db", "upgrade"], env=env, cwd=str(ROOT),
                                 capture_output=True, text=True, timeout=300)
        assert upgrade.returncode == 0, upgrade.stderr
        config = dict(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=processes.REDIS_URL, TODAY=TODAY,
                      TASK_QUEUE=names["MATCHMAKER_TASK_QUEUE"], CACHE_KEY_PREFIX=names["MATCHMAKER_CACHE_KEY_PREFIX"],
                      RATELIMIT_KEY_PREFIX=names["MATCHMAKER_RATELIMIT_KEY_PREFIX"])
        try:
            with dedicated_app(**config) as app:
                world = build_world()
                yield app, env, world, tmp_path
        finally:
            processes.forget_keys([names["MATCHMAKER_CACHE_KEY_PREFIX"], names["MATCHMAKER_RATELIMIT_KEY_PREFIX"],
                                   names["MATCHMAKER_TASK_QUEUE"]])


def _both_schedulers_fire(env, tmp_path):
    """Start two schedulers at once before any worker runs: both find this week's report missing and
    enqueue it. Returns the ids of the queued tasks."""
    cmd = [sys.executable, "-m", "matchmaker", "scheduler"]
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    ready = lambda text: "scheduler running" in text  # noqa: E731
    with processes.started(cmd, env, logs[0], ready), processes.started(cmd, env, logs[1], ready):
        pass
    return [m for log in logs for m in re.findall(r"weekly report queued \(task ([\w-]+)\)", log.read_text())]


def _sign_in_page(browser, base, email):
    status, _, body = browser.request("GET", f"{base}/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    status, headers, _ = browser.form(f"{base}/login", {"csrf_token": token, "email": email, "password": PASSWORD})
    assert status == 302, status


def _csrf(browser, url):
    _, _, body = browser.request("GET", url)
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()


def _token(browser, base, email):
    status, body = browser.json("POST", f"{base}/api/v1/auth/tokens", {"email": email, "password": PASSWORD})
    assert status == 201, body
    return body["token"]


def _partner_refs(browser, base, need_id, token, times=6):
    """The offer refs of a need's best partners, asked `times` times (so every worker of the server answers)."""
    answers = []
    for _ in range(times):
        status, body = browser.json("GET", f"{base}/api/v1/needs/{need_id}/best-partners?n=20", token=token)
        assert status == 200, body
        answers.append(sorted(p["ref"] for p in body))
    return answers


def test_two_servers_act_as_one(deployment):
    app, env, world, tmp = deployment
    tasks = _both_schedulers_fire(env, tmp)
    assert len(tasks) == 2, "both schedulers should have found the report missing and enqueued it"
    port_a, port_b = processes.free_port(), processes.free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    with processes.celery_worker(env, tmp / "worker.log", concurrency=2, pool="prefork"), \
            processes.gunicorn(env, tmp / "server-a.log", port_a), processes.gunicorn(env, tmp / "server-b.log", port_b):
        # one weekly report, although both schedulers fired
        celery = queue.celery_app(app)
        outcomes = [queue.value_of(celery.AsyncResult(t).get(timeout=90)) for t in tasks]
        assert sorted(o["written"] for o in outcomes) == [False, True] and {o["week"] for o in outcomes} == {"2020-W12"}
        assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 1

        browser = processes.Browser()
        own_token, sister_token = _token(browser, a, "own@example.cn"), _token(browser, b, "sister@example.cn")

        # an upload started on A is followed on B (the same browser session on both servers)
        _sign_in_page(browser, a, "admin@example.cn")
        package = json.dumps(BASE, ensure_ascii=False).encode()
        status, headers, _ = browser.form(f"{a}/admin/import", {"csrf_token": _csrf(browser, f"{a}/admin/import")},
                                          {"package": ("package.json", package)})
        assert status == 302, status
        job_id = headers["Location"].rstrip("/").rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while True:
            status, followed = browser.json("GET", f"{b}/admin/import/{job_id}.json")
            assert status == 200, followed
            if followed["state"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert followed["state"] == "done"
        status, _, page = browser.request("GET", f"{b}/admin/import/{job_id}")
        assert status == 200 and b'id="import-counts"' in page and b"<td>firms</td>" in page
        db.session.expire_all()
        assert {"F1", "F2"} <= set(db.session.scalars(sa.select(Firm.ref)))

        # a posting changed on A shows in best partners on B
        need = world.needs["sister"]
        status, created = browser.json("POST", f"{a}/api/v1/offers", {
            "category": "C2", "quantity": 50, "available_from": "2020-03-01"}, token=own_token)
        assert status == 201, created
        moving = created["ref"]
        before = _partner_refs(browser, b, need, sister_token)
        assert all("O-own" in refs and moving not in refs for refs in before), before
        status, changed = browser.json("PATCH", f"{a}/api/v1/offers/{created['id']}",
                                       {"category": "C1", "version": created["version"]}, token=own_token)
        assert status == 200, changed
        after = _partner_refs(browser, b, need, sister_token)
        assert all(moving in refs for refs in after), after

        # failed sign-ins are counted across both servers (10 per minute per address by default)
        codes = [browser.json("POST", f"{(a, b)[i % 2]}/api/v1/auth/tokens",
                              {"email": f"nobody{i}@example.cn", "password": "wrong"})[0] for i in range(10)]
        assert codes == [401] * 10
        assert browser.json("POST", f"{a}/api/v1/auth/tokens", {"email": "own@example.cn", "password": PASSWORD})[0] == 429
        assert browser.json("POST", f"{b}/api/v1/auth/tokens", {"email": "own@example.cn", "password": PASSWORD})[0] == 429
