"""The task queue with a real Celery worker process over Redis (issue 14, item 4): uploads, matching
runs and the scheduler's jobs run on the worker, and the web side follows them through the result
backend. Each test makes the same service function fail in THIS process, so it passes only if the
work really happened in the worker."""
import json
import time

import pytest
import sqlalchemy as sa

from matchmaker.infra import queue
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, MatchRun, User, WeeklyReport
from tests import factories
from tests.packages.conftest import BASE
from tests.services.world import PASSWORD, build_world

pytestmark = pytest.mark.slow


def _not_here(*args, **kwargs):
    raise AssertionError("this ran in the test process, not on the worker")


def _admin_client(app):
    factories.user("admin", email="boss@example.cn", password=PASSWORD)
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": "boss@example.cn", "password": PASSWORD}).status_code == 302
    return client


def _upload(client, package, name="package.json"):
    import io

    resp = client.post("/admin/import", content_type="multipart/form-data",
                       data={"package": (io.BytesIO(json.dumps(package, ensure_ascii=False).encode()), name)})
    assert resp.status_code == 302, resp.text[:300]
    return resp.headers["Location"].rsplit("/", 1)[1]


def _follow(client, job_id, timeout=60):
    """Poll the status the page polls until the job ends; returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/admin/import/{job_id}.json").get_json()
        if status["state"] != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_an_upload_is_imported_by_the_worker_and_followed_through_the_result_backend(queued_app, monkeypatch):
    from matchmaker.services import package_imports

    monkeypatch.setattr(package_imports, "import_package", _not_here)
    client = _admin_client(queued_app)
    job_id = _upload(client, BASE)
    assert _follow(client, job_id)["state"] == "done"
    page = client.get(f"/admin/import/{job_id}")
    assert page.status_code == 200
    state, status = queue.job_state(job_id)
    assert state == "SUCCESS" and status["counts"]["firms"] == {"created": 2, "replaced": 0}
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Firm.ref))) == ["F1", "F2"]
    # another admin cannot follow it (the job is the uploader's)
    factories.user("admin", email="other@example.cn", password=PASSWORD)
    db.session.commit()
    other = queued_app.test_client()
    other.post("/login", data={"email": "other@example.cn", "password": PASSWORD})
    assert other.get(f"/admin/import/{job_id}.json").status_code == 404


def test_the_problems_of_a_refused_upload_are_paged_from_the_shared_cache(queued_app, monkeypatch):
    from matchmaker.services import package_imports

    monkeypatch.setattr(package_imports, "import_package", _not_here)
    client = _admin_client(queued_app)
    bad = json.loads(json.dumps(BASE))
    bad["needs"] = [{"ref": f"N{i}", "firm": "F1", "category": "C1", "quantity": -1, "needed_by": "2020-04-01"}
                    for i in range(1, 1201)]  # 1,200 problems: two blocks in the cache
    job_id = _upload(client, bad)
    status = _follow(client, job_id)
    assert status["state"] == "failed"
    admin_id = db.session.scalar(sa.select(User.id).where(User.email == "boss@example.cn"))
    problems, total = package_imports.read_errors(None, job_id, admin_id, 990, 20)
    assert total == 1200
    # problems 991..1010 (rows 992..1011: a package's rows count from 2), across the two blocks, in order
    assert [p["row"] for p in problems] == list(range(992, 1012))
    assert all(p["section"] == "needs" and p["field"] == "quantity" for p in problems)
    page = client.get(f"/admin/import/{job_id}?page=12")
    assert page.status_code == 200 and ">1201<" in page.text and ">1101<" not in page.text


def test_a_run_started_through_the_api_runs_on_the_worker(queued_app, monkeypatch):
    from matchmaker.services import matching
    from matchmaker.services.auth import issue_token
    from tests.services.world import actor

    world = build_world()
    token = issue_token(actor(world, "province_staff"))
    monkeypatch.setattr(matching, "run_matching", _not_here)
    resp = queued_app.test_client().post("/api/v1/match-runs", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.get_json()
    run = db.session.get(MatchRun, resp.get_json()["id"])
    assert run is not None and run.started_by == "province@example.cn"


def test_the_scheduler_only_enqueues_and_the_worker_writes_one_report(queued_app, monkeypatch):
    from matchmaker.cli import scheduler
    from matchmaker.services import matching, reports

    build_world()
    monkeypatch.setattr(reports, "write_weekly_report", _not_here)
    monkeypatch.setattr(matching, "run_matching", _not_here)
    first, second = scheduler.weekly_report_job(queued_app), scheduler.weekly_report_job(queued_app)
    assert isinstance(first, str) and isinstance(second, str)  # task ids: queued, not run here
    outcomes = [queue.value_of(queue.celery_app(queued_app).AsyncResult(t).get(timeout=60)) for t in (first, second)]
    assert [o["written"] for o in outcomes] == [True, False] and outcomes[0]["week"] == outcomes[1]["week"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 1
    run_task = scheduler.daily_matching_job(queued_app)
    assert scheduler.daily_matching_job(queued_app) is None  # a second scheduler finds the day claimed
    done = queue.value_of(queue.celery_app(queued_app).AsyncResult(run_task).get(timeout=60))
    assert db.session.get(MatchRun, done["run_id"]).started_by == "scheduler"
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1
