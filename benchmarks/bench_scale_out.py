"""Scale-out benchmark (issue 14): one machine (one gunicorn server, no Redis, tasks in-process)
against two gunicorn servers sharing PostgreSQL, Redis and one Celery worker, on the demo data.

For each deployment it prints, from one run on the same machine:

  list            GET /api/v1/needs?page_size=50 (province staff), 400 requests from 8 threads
                  spread over the servers: requests per second, p50, p99
  partners warm   best partners of a leading firm's need, asked again (the index is built)
  partners cold   the first answer on the OTHER server after the need changed there (the
                  shared generation makes that server rebuild its index)
  upload          the demo package uploaded on server A and followed on server B until done
  match run       POST /api/v1/match-runs on server A (in the web worker, or on the Celery worker)
  sign-in limit   failed sign-ins from one address accepted within a minute, alternating servers
                  (default budget 10 per minute; per process without Redis)

    python benchmarks/bench_scale_out.py [--postgres URL] [--redis redis://127.0.0.1:6379/14]

Needs PostgreSQL and Redis on loopback; uses a temporary database and its own key prefixes.
"""
import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hardening import helpers  # noqa: E402
from tests.scale import processes  # noqa: E402

PASSWORD = "demo-password-2020"


def _ms(seconds):
    return f"{seconds * 1000:8.1f} ms"


def _prepare(url, env):
    for args in (["db", "upgrade"], ["demo"], ["match", "--as-of", "2020-03-16"]):
        done = subprocess.run([sys.executable, "-m", "matchmaker", *args], env=env, cwd=str(ROOT),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]


def _token(browser, base, email):
    status, body = browser.json("POST", f"{base}/api/v1/auth/tokens", {"email": email, "password": PASSWORD})
    assert status == 201, body
    return body["token"]


def _list_load(servers, token, n=400, threads=8):
    times, lock = [], threading.Lock()
    counter = iter(range(n))

    def work():
        browser = processes.Browser()
        for i in counter:
            t = time.perf_counter()
            status, _ = browser.json("GET", f"{servers[i % len(servers)]}/api/v1/needs?page_size=50", token=token)
            assert status == 200, status
            with lock:
                times.append(time.perf_counter() - t)

    start = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    times.sort()
    return len(times) / wall, statistics.median(times), times[int(len(times) * 0.99) - 1]


def _measure(name, servers, env, tmp):
    a, b = servers[0], servers[-1]
    browser = processes.Browser()
    staff, leading = _token(browser, a, "province@demo.example.cn"), _token(browser, b, "leading@demo.example.cn")
    rps, p50, p99 = _list_load(servers, staff)
    print(f"{name:12s} list            {rps:7.0f} req/s   p50 {_ms(p50)}   p99 {_ms(p99)}")

    status, needs = browser.json("GET", f"{a}/api/v1/needs?page_size=5&status=open", token=leading)
    need = needs[0]
    path = f"/api/v1/needs/{need['id']}/best-partners?n=10"
    browser.json("GET", b + path, token=leading)
    warm = []
    for _ in range(10):
        t = time.perf_counter()
        browser.json("GET", b + path, token=leading)
        warm.append(time.perf_counter() - t)
    status, changed = browser.json("PATCH", f"{a}/api/v1/needs/{need['id']}",
                                   {"quantity": need["quantity"] + 1, "version": need["version"]}, token=leading)
    assert status == 200, changed
    t = time.perf_counter()
    browser.json("GET", b + path, token=leading)
    cold = time.perf_counter() - t
    print(f"{name:12s} partners warm   {_ms(statistics.median(warm))} (median of 10)   first answer after the "
          f"need changed {_ms(cold)} ({'on the other server' if a != b else 'same server'})")

    admin = processes.Browser()
    _, _, page = admin.request("GET", f"{a}/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    admin.form(f"{a}/login", {"csrf_token": token, "email": "admin@demo.example.cn", "password": PASSWORD})
    package = (ROOT / "matchmaker" / "data" / "demo.json").read_bytes()
    uploads = []
    for _ in range(3):
        _, _, page = admin.request("GET", f"{a}/admin/import")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        t = time.perf_counter()
        status, headers, _ = admin.form(f"{a}/admin/import", {"csrf_token": token}, {"package": ("demo.json", package)})
        assert status == 302, status
        job = headers["Location"].rsplit("/", 1)[1]
        while True:
            status, state = admin.json("GET", f"{b}/admin/import/{job}.json")
            if state["state"] != "running":
                break
            time.sleep(0.02)
        assert state["state"] == "done", state
        uploads.append(time.perf_counter() - t)
    print(f"{name:12s} upload          {_ms(statistics.median(uploads))}   (median of 3; {len(package) // 1024} KiB demo "
          f"package, followed on {'the other server' if a != b else 'the same server'})")

    runs = []
    for _ in range(3):
        t = time.perf_counter()
        status, run = browser.json("POST", f"{a}/api/v1/match-runs", {}, token=staff)
        assert status == 201, run
        runs.append(time.perf_counter() - t)
    print(f"{name:12s} match run       {_ms(statistics.median(runs))}   (median of 3; {run['pairings_count']} proposals; "
          f"{'on the Celery worker' if a != b else 'in the web worker'})")

    codes = []
    for i in range(60):
        status, _ = browser.json("POST", f"{servers[i % len(servers)]}/api/v1/auth/tokens",
                                 {"email": f"nobody{i}@example.cn", "password": "wrong"})
        codes.append(status)
    print(f"{name:12s} sign-in limit   {codes.count(401)} failed sign-ins accepted from one address in a minute "
          f"(budget 10; then 429)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("MATCHMAKER_TEST_DATABASE_URL")
                        or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    helpers.PG_URL = args.postgres
    import redis

    redis.Redis.from_url(args.redis, socket_connect_timeout=2).ping()  # Redis must answer
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"# {os.cpu_count()} cores; gunicorn -w 2 per server; PostgreSQL {args.postgres.rsplit('@', 1)[-1]}")
    for name, servers, redis in (("one machine", 1, False), ("two servers", 2, True)):
        with helpers.temp_pg_database("bench") as url:
            names = dict(MATCHMAKER_TODAY="2020-03-16", MATCHMAKER_RATELIMIT_BEST_PARTNERS="1000 per minute",
                         MATCHMAKER_MATCH_RUN_MIN_INTERVAL=0)
            if redis:
                names.update(MATCHMAKER_REDIS_URL=args.redis, MATCHMAKER_TASK_QUEUE=processes.unique("queue"),
                             MATCHMAKER_CACHE_KEY_PREFIX=processes.unique("cache") + ":",
                             MATCHMAKER_RATELIMIT_KEY_PREFIX=processes.unique("limits"))
            env = processes.process_env(url, **names)
            _prepare(url, env)
            ports = [processes.free_port() for _ in range(servers)]
            with contextlib.ExitStack() as stack:
                if redis:
                    stack.enter_context(processes.celery_worker(env, tmp / "worker.log", 1, "prefork"))
                for i, port in enumerate(ports):
                    stack.enter_context(processes.gunicorn(env, tmp / f"server-{i}.log", port))
                _measure(name, [f"http://127.0.0.1:{p}" for p in ports], env, tmp)
            if redis:
                processes.forget_keys([names["MATCHMAKER_CACHE_KEY_PREFIX"], names["MATCHMAKER_RATELIMIT_KEY_PREFIX"],
                                       names["MATCHMAKER_TASK_QUEUE"]])


if __name__ == "__main__":
    main()
