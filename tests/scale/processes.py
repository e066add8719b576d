"""Real processes for the scale-out tests: Redis reachability, a Celery worker, gunicorn servers
and a small cookie-keeping HTTP client (no third-party HTTP library)."""
import contextlib
import http.cookiejar
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from matchmaker import ROOT

REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI", "").lower() == "true"


def redis_or_skip(url=REDIS_URL):
    """Skip the test when Redis at `url` is unreachable (fail instead in CI, where .ci/run starts it)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis at {url} is unreachable ({exc}); start it with `redis-server --daemonize yes`"
        if IN_CI:
            pytest.fail("CI needs Redis: " + message)
        pytest.skip(message)


def unique(tag):
    """A name no other test run uses (queues and key prefixes in the shared Redis)."""
    return f"mmtest-{tag}-{uuid.uuid4().hex[:10]}"


def forget_keys(prefixes, url=REDIS_URL):
    """Delete this run's keys from the test Redis database."""
    import redis

    client = redis.Redis.from_url(url)
    for prefix in prefixes:
        for key in client.scan_iter(match=f"*{prefix}*", count=1000):
            client.delete(key)
    client.close()


def process_env(database_url, **extra):
    """The environment of a service process (worker, server, scheduler) on `database_url`."""
    env = dict(os.environ)
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    env.update(MATCHMAKER_DATABASE_URL=database_url, MATCHMAKER_SECRET_KEY="scale-test-secret",
               PYTHONUNBUFFERED="1", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def started(cmd, env, log_path, ready, timeout=90):
    """Start `cmd`, wait until `ready(log text)` is true; terminate it afterwards. Yields the process."""
    log = open(log_path, "w+b")
    proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            text = log_path.read_text(errors="replace")
            if ready(text):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{cmd[2:5]} did not start (exit {proc.poll()}):\n{text[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        log.close()


def celery_worker(env, log_path, concurrency=1, pool="solo"):
    """A real Celery worker (`celery -A matchmaker.worker worker`) on the environment's queue."""
    cmd = [sys.executable, "-m", "celery", "-A", "matchmaker.worker", "worker", "-P", pool, "-c", str(concurrency),
           "-n", f"{unique('worker')}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
           "-l", "INFO"]
    return started(cmd, env, log_path, lambda text: " ready." in text)


_HANDED = set()


def free_port():
    """A free loopback port below the system's ephemeral range (32768 and up on Linux): a port the
    kernel hands out (bind to 0) can be taken by any outgoing connection (to PostgreSQL, Redis)
    before the server started on it binds it, which failed a two-server test once ("Address
    already in use"). Never the same port twice in a test run."""
    rnd = random.Random()
    for _ in range(1000):
        port = rnd.randrange(20000, 32000)
        if port in _HANDED:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000")


def gunicorn(env, log_path, port, workers=2):
    """A gunicorn server of the service on 127.0.0.1:`port`."""
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
           "matchmaker:create_app()"]
    return started(cmd, env, log_path, lambda text: text.count("Booting worker") >= workers and _answers(port))


def _answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


class Browser:
    """Cookies kept across requests (and across servers on 127.0.0.1: cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method, url, body=None, headers=None):
        """(status, headers, body bytes) of one request; redirects are not followed."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def json(self, method, url, payload=None, token=None):
        """(status, parsed JSON or None) of a JSON request."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        status, _, body = self.request(method, url, data, headers)
        try:
            return status, json.loads(body) if body else None
        except ValueError:
            return status, None

    def form(self, url, fields, files=None):
        """POST a multipart form (files: name -> (filename, bytes)); (status, headers, body)."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
