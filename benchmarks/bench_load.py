"""Load benchmark: gunicorn on loopback with the demo data, 50 concurrent connections (wrk).

For each database (a temporary SQLite file, and a temporary PostgreSQL database when one is
reachable) it sets the service up the way the README does (schema, demo data, a matching run
as of 2020-03-16, the weekly report of 2020-W12), starts gunicorn on 127.0.0.1, signs in the
demo accounts (bearer tokens for the API, a session cookie for the pages), and drives four
endpoints with wrk, 50 connections each, for a fixed duration, after a short warm-up:

  list            GET /api/v1/needs?page_size=50             (province task force, bearer token)
  best partners   GET /api/v1/needs/<id>/best-partners?n=10&as_of=2020-03-16  (leading firm user)
  report API      GET /api/v1/reports/2020-W12               (province task force, JSON)
  report page     GET /taskforce/report?week=2020-W12        (province task force, HTML, session)

It prints p50, p99, requests per second, the error rate (non-2xx responses and socket errors
over all requests), the CPU the server (gunicorn's master and workers, from /proc) spent per
request during the run and the load average when it ended (a shared machine's other work shows
in the latencies, much less in the CPU per request), twice: with the 50 connections saturating
the server (each sends its next request as soon as it has the answer), and with 50 users who
wait a random 0-2 s (mean 1 s) between requests. Then an open loop at a fixed rate (``--rate``,
default 200 requests a second per endpoint): request i is due at start + i/rate whatever
happened to the earlier ones, and its latency is counted from when it was due, not from when a
free connection sent it (as wrk2 does, so a slow server's queue shows in the figures instead of
slowing the load down: no coordinated omission). wrk2 is not packaged for Debian; the open loop
is ``open_loop`` below, Python threads with keep-alive connections.
Goal: p99 <= 100 ms and no errors at the fixed rate.

    python benchmarks/bench_load.py                         # SQLite, and PostgreSQL if reachable
    python benchmarks/bench_load.py --no-postgres --duration 10 --workers 4 --threads 4
    python benchmarks/bench_load.py --no-postgres --think --rate 200     # the open loop only
    python benchmarks/bench_load.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Needs `wrk` (Debian: apt-get install -y wrk) and gunicorn (installed with the service).
Only loopback addresses are used.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEMO_PASSWORD = "demo-password-2020"
WEEK = "2020-W12"
HOST = "127.0.0.1"


def _env(url):
    env = dict(os.environ)
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    env.update(MATCHMAKER_DATABASE_URL=url, MATCHMAKER_SECRET_KEY="bench-load-secret", PYTHONUNBUFFERED="1",
               # one user asks for best partners thousands of times here; the per-user limit
               # (30 a minute, against scraping) would answer 429 and measure the limiter instead
               MATCHMAKER_RATELIMIT_BEST_PARTNERS="1000000 per minute")
    return env


def _cli(url, *args):
    proc = subprocess.run([sys.executable, "-m", "matchmaker", *args], cwd=ROOT, env=_env(url),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"matchmaker {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def prepare(url):
    """Schema, demo data, a matching run and the demo week's report (as scripts/run-demo.sh)."""
    t = time.perf_counter()
    _cli(url, "db", "upgrade")
    _cli(url, "demo", "--no-progress")
    _cli(url, "match", "--as-of", "2020-03-16")
    _cli(url, "report", "weekly", "--week", WEEK)
    print(f"  prepared in {time.perf_counter() - t:.1f} s (schema, demo, match, report {WEEK})")


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(url, port, workers, threads):
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
           "-b", f"{HOST}:{port}", "--backlog", "2048", "--log-level", "warning", "matchmaker:create_app()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{proc.stderr.read()}")
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read(), r.getheader("Set-Cookie") or ""
    finally:
        conn.close()


def bearer(port, email):
    """A bearer token of a demo account."""
    status, body, _ = _request(port, "POST", "/api/v1/auth/tokens",
                               json.dumps({"email": email, "password": DEMO_PASSWORD, "name": "bench"}),
                               {"Content-Type": "application/json"})
    if status != 201:
        raise SystemExit(f"token for {email}: {status} {body[:300]!r}")
    return json.loads(body)["token"]


def session_cookie(port, email):
    """A signed-in session cookie of a demo account (through the login form and its CSRF token)."""
    status, body, cookie = _request(port, "GET", "/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', body)
    if not token:
        raise SystemExit("no CSRF token on the login form")
    form = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1).decode()})
    status, body, cookie = _request(port, "POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0]})
    if status != 302 or "session=" not in cookie:
        raise SystemExit(f"login for {email}: {status}")
    return cookie.split(";")[0]


def targets(port):
    """(name, path, header) of the four measured endpoints."""
    staff = bearer(port, "province@demo.example.cn")
    firm = bearer(port, "leading@demo.example.cn")
    status, body, _ = _request(port, "GET", "/api/v1/needs?status=open&page_size=100",
                               headers={"Authorization": f"Bearer {firm}"})
    needs = json.loads(body) if status == 200 else []
    need_id = None
    for need in needs:  # an open need that has allowed partners
        s, b, _ = _request(port, "GET", f"/api/v1/needs/{need['id']}/best-partners?n=10&as_of=2020-03-16",
                           headers={"Authorization": f"Bearer {firm}"})
        if s == 200 and json.loads(b):
            need_id = need["id"]
            break
    if need_id is None:
        raise SystemExit("the leading demo firm has no open need with partners")
    cookie = session_cookie(port, "province@demo.example.cn")
    return [
        ("list", "/api/v1/needs?page_size=50", f"Authorization: Bearer {staff}"),
        ("best partners", f"/api/v1/needs/{need_id}/best-partners?n=10&as_of=2020-03-16", f"Authorization: Bearer {firm}"),
        ("report API", f"/api/v1/reports/{WEEK}", f"Authorization: Bearer {staff}"),
        ("report page", f"/taskforce/report?week={WEEK}", f"Cookie: {cookie}"),
    ]


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * _UNIT[m.group(2)]


def wrk(port, path, header, connections, duration, think=0, threads=2):
    """Run wrk and parse p50, p99, requests, requests/s and errors. `think` > 0: each connection
    waits that many ms between its requests (a user reading the page), instead of saturating."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s",
           "-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # a random wait, 0..2x think (mean: think), so the 50 users do not all ask at the same instant
        script.write(f"function delay()\n  return math.random(0, {2 * int(think)})\nend\n" if think else "")
    try:
        cmd += ["-s", script.name, f"http://{HOST}:{port}{path}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in lat:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                     (re.search(r"Socket errors:.*", out) or [""])[0]))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"p50": _ms(lat["50"]), "p99": _ms(lat["99"]), "requests": requests, "rps": rps,
            "errors": non2xx + socket_errors, "raw": out}


def open_loop(port, path, header, rate, duration, connections=64):
    """Send GET `path` at a fixed `rate` (requests a second) for `duration` seconds and return p50,
    p99 (ms, counted from each request's due time), the requests sent, the achieved rate and the
    errors (non-2xx, socket errors and requests that could not even start before the end)."""
    key, value = header.split(": ", 1)
    total = int(rate * duration)
    lock, state = threading.Lock(), {"next": 0}
    latencies, errors = [], [0]
    start = time.perf_counter() + 0.2

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= total:
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                conn.request("GET", path, headers={key: value})
                r = conn.getresponse()
                r.read()
                ok = 200 <= r.status < 300
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                ok = False
            done = time.perf_counter()
            with lock:
                latencies.append((done - due) * 1000)
                errors[0] += not ok
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {"p50": latencies[n // 2] if n else float("nan"),
            "p99": latencies[min(n - 1, int(n * 0.99))] if n else float("nan"),
            "requests": n, "rps": n / elapsed, "errors": errors[0] + (total - n)}


_CPU_SCRIPT = r"""
import json, sys, time
from matchmaker import create_app
app = create_app()
client = app.test_client()
out = {}
for name, path, header in json.loads(sys.argv[1]):
    key, value = header.split(": ", 1)
    headers = {}
    if key == "Cookie":
        client.set_cookie(*value.split("=", 1))
    else:
        headers[key] = value
    client.get(path, headers=headers)
    start, n = time.process_time(), 20
    for _ in range(n):
        status = client.get(path, headers=headers).status_code
    out[name] = ((time.process_time() - start) / n * 1000, status)
print(json.dumps(out))
"""


def cpu_per_request(url, endpoints):
    """CPU milliseconds one request costs the service (in-process, no HTTP server, no contention):
    the figure that does not depend on how busy the machine is."""
    proc = subprocess.run([sys.executable, "-c", _CPU_SCRIPT, json.dumps(endpoints)], cwd=ROOT, env=_env(url),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench(label, url, args):
    print(f"\n== {label} ==")
    prepare(url)
    port = _free_port()
    server = start_gunicorn(url, port, args.workers, args.threads)
    try:
        endpoints = targets(port)
        cpu = cpu_per_request(url, endpoints)
        print("  CPU per request, in-process: " + ", ".join(
            f"{n} {ms:.1f} ms" + ("" if status == 200 else f" (HTTP {status}!)") for n, (ms, status) in cpu.items()))
        print(f"  gunicorn: {args.workers} workers x {args.threads} threads (gthread); wrk: {args.connections} "
              f"connections, {args.duration} s per endpoint after {args.warmup} s warm-up")
        results = {}
        for think in args.think:
            rows = []
            for name, path, header in endpoints:
                wrk(port, path, header, args.connections, args.warmup, think)  # warm-up: caches, index, pools
                used = _server_cpu(server.pid)
                r = wrk(port, path, header, args.connections, args.duration, think)
                r.update(_load_and_cpu(server.pid, used, r["requests"]))
                rows.append((name, r))
                if args.verbose:
                    print(r["raw"])
            mode = ("saturating (no think time)" if not think
                    else f"each connection waits 0..{2 * think} ms (mean {think} ms) between requests")
            _print_rows(f"{args.connections} connections, {mode}", rows)
            results[think] = rows
        for rate in args.rate:
            rows = []
            for name, path, header in endpoints:
                open_loop(port, path, header, rate, args.warmup)  # warm-up
                used = _server_cpu(server.pid)
                r = open_loop(port, path, header, rate, args.duration)
                r.update(_load_and_cpu(server.pid, used, r["requests"]))
                rows.append((name, r))
            _print_rows(f"open loop: {rate} requests a second per endpoint, latency from each request's due time", rows)
            results[f"rate {rate}"] = rows
        return results
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _server_cpu(pid):
    """CPU seconds used so far by gunicorn's master and its workers (Linux /proc; None elsewhere)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        total = 0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick
    except (OSError, ValueError, IndexError):
        return None


def _load_and_cpu(pid, used_before, requests):
    """The 1-minute load average now, and the server's CPU ms per request since `used_before`:
    what the run cost the server whatever else the machine was doing."""
    used = _server_cpu(pid)
    per_request = (used - used_before) * 1000 / requests if used is not None and used_before is not None and requests \
        else float("nan")
    return {"load": os.getloadavg()[0], "server_cpu_ms": per_request}


def _print_rows(title, rows):
    """One table of results: p50, p99, rate, requests and errors per endpoint, against the goal, with
    the server's CPU per request and the machine's load average at the end of each run."""
    print(f"  -- {title}")
    print(f"  {'endpoint':<14} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'requests':>9} {'errors':>7} "
          f"{'server CPU ms/req':>18} {'load':>5}  goal p99<=100ms")
    for name, r in rows:
        share = r["errors"] / max(r["requests"], 1)
        ok = "ok" if r["requests"] and r["p99"] <= 100 and r["errors"] == 0 else "MISSED"
        print(f"  {name:<14} {r['p50']:8.1f} {r['p99']:8.1f} {r['rps']:8.0f} {r['requests']:9d} {share:7.2%} "
              f"{r.get('server_cpu_ms', float('nan')):18.2f} {r.get('load', float('nan')):5.1f}  {ok}")


def _pg_database(base_url):
    """A throw-away PostgreSQL database next to base_url, or None when unreachable."""
    import sqlalchemy as sa

    base = sa.engine.make_url(base_url)
    name = f"bench_load_{os.getpid()}"
    try:
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                 poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - reported, the SQLite run still counts
        print(f"\nPostgreSQL not reachable ({exc.__class__.__name__}); skipped")
        return None, None
    url = base.set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per endpoint (default 3)")
    parser.add_argument("--think", type=int, nargs="*", default=[0, 1000],
                        help="think times to run, ms between a connection's requests (default: 0 1000; "
                             "none: no closed loop)")
    parser.add_argument("--rate", type=int, nargs="*", default=[200],
                        help="open-loop rates to run, requests a second per endpoint (default: 200)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--postgres", default=os.environ.get("MATCHMAKER_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print wrk's own output too")
    args = parser.parse_args()
    if args.think and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    print(f"load benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
          "(other work on the machine inflates every latency below)")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench("SQLite (temporary file)", f"sqlite:///{tmp}/bench.sqlite", args)
    if not args.no_postgres:
        url, drop = _pg_database(args.postgres)
        if url:
            try:
                bench("PostgreSQL (temporary database)", url, args)
            finally:
                drop()


if __name__ == "__main__":
    main()
