"""CPU per request of the API's list endpoints and of the task-force report page, in-process on the demo.

Builds the demo database (``matchmaker db upgrade`` and ``matchmaker demo``, a matching run as of
2020-03-16 so that the pairings list has proposals, then the weekly report of 2020-W12) with the
code of the checkout under test, signs in as the demo province's task force (a bearer token for
the API, a session for the page) and times each URL through Flask's test client: CPU seconds
(``time.process_time``, which a busy machine inflates less than the wall clock) per request, as
the minimum and the median over ``--chunks`` chunks of ``--per-chunk`` requests after a warm-up.
``--before TREE`` measures another checkout of the project first, in the same sitting (issue 14:
lists at most 2 ms CPU a request, the report page warm under 50 ms).

Run:  ``python benchmarks/bench_api.py [--before /path/to/old/checkout] [--chunks 30 --per-chunk 20]``
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EMAIL, PASSWORD = "province@demo.example.cn", "demo-password-2020"
API = ["/api/v1/needs?page_size=50", "/api/v1/offers?page_size=50", "/api/v1/firms?page_size=50",
       "/api/v1/links?page_size=50", "/api/v1/pairings?page_size=50", "/api/v1/needs/1",
       "/api/v1/regions?page_size=50", "/api/v1/categories?page_size=50",
       "/api/v1/reports/2020-W12", "/api/v1/reports/2020-W12?page_size=50"]
PAGES = ["/taskforce/report?week=2020-W12", "/taskforce/report?week=2020-W12&kind=supplier_down"]


def measure(url: str, chunks: int, per_chunk: int) -> None:
    """Child: time every URL on the demo database at url; print one JSON line per URL."""
    from matchmaker import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "SCHEDULER_ENABLED": False})
    api = app.test_client()
    token = api.post("/api/v1/auth/tokens", json={"email": EMAIL, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": "Bearer " + token}
    web = app.test_client()
    assert web.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    for client, paths, kw in ((api, API, {"headers": headers}), (web, PAGES, {})):
        for path in paths:
            c0 = time.process_time()
            first = client.get(path, **kw)
            cold = (time.process_time() - c0) * 1000
            for _ in range(3):
                client.get(path, **kw)
            times = []
            for _ in range(chunks):
                c0 = time.process_time()
                for _ in range(per_chunk):
                    client.get(path, **kw)
                times.append((time.process_time() - c0) / per_chunk * 1000)
            times.sort()
            print(json.dumps({"path": path, "status": first.status_code, "bytes": len(first.data),
                              "paged": first.headers.get("X-Pagination"), "first_ms": round(cold, 2),
                              "min_ms": round(times[0], 3), "median_ms": round(times[len(times) // 2], 3)}),
                  flush=True)


def _demo(tree: str, path: str) -> None:
    """The demo database at path, made by the code of a checkout, with its proposals and the report of 2020-W12."""
    env = dict(os.environ, PYTHONPATH=tree, MATCHMAKER_DATABASE_URL=f"sqlite:///{path}")
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    for args in (["db", "upgrade"], ["demo"], ["match", "--as-of", "2020-03-16"],
                 ["report", "weekly", "--week", "2020-W12"]):
        subprocess.run([sys.executable, "-m", "matchmaker", *args], env=env, cwd=tree, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_tree(label: str, tree: str, tmp: str, args) -> dict:
    path = os.path.join(tmp, f"{label}.sqlite")
    _demo(tree, path)
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", f"sqlite:///{path}",
                          "--chunks", str(args.chunks), "--per-chunk", str(args.per_chunk)],
                         env=env, cwd=tree, check=True, capture_output=True, text=True).stdout
    return {r["path"]: r for r in map(json.loads, out.splitlines())}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="another checkout of the project to measure first")
    p.add_argument("--chunks", type=int, default=30)
    p.add_argument("--per-chunk", type=int, default=20)
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        measure(args.child, args.chunks, args.per_chunk)
        return
    tmp = tempfile.mkdtemp(prefix="bench-api-")
    try:
        trees = ([("before", os.path.abspath(args.before))] if args.before else []) + [("after", ROOT)]
        results = {label: run_tree(label, tree, tmp, args) for label, tree in trees}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"CPU ms per request (min / median of {args.chunks} x {args.per_chunk}; first = cold), "
          f"province staff, demo data:")
    for label, tree in trees:
        print(f"  {label}: {tree}")
    for path in API + PAGES:
        cells = []
        for label, _ in trees:
            r = results[label].get(path)
            cells.append(f"{label} {r['min_ms']:6.2f} / {r['median_ms']:6.2f} (first {r['first_ms']:6.1f}, "
                         f"{r['status']}, {r['bytes'] // 1024} KiB)" if r else f"{label} -")
        print(f"  {path:48s} " + "   ".join(cells))


if __name__ == "__main__":
    main()
