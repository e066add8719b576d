"""A real HTTP server on loopback for race tests, and a tiny JSON client usable from many threads."""
import contextlib
import http.client
import json
import threading

from werkzeug.serving import make_server


@contextlib.contextmanager
def live_server(app):
    """Serve `app` on 127.0.0.1 (a free port) with one thread per request; yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()


def call(port, method, path, token=None, body=None):
    """One request over its own connection: (status, parsed JSON body or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, data.decode("utf-8", "replace")
    finally:
        conn.close()


def all_at_once(jobs):
    """Run the callables in `jobs`, one thread each, released together by a barrier; returns
    their results in order (an exception in a job is returned as the exception)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # reported to the test, not swallowed
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
