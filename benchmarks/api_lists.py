"""Time the core API's list and get endpoints on a loaded database (run on demand; prints figures).

    MATCHMAKER_DATABASE_URL=sqlite:////tmp/demo.sqlite matchmaker db upgrade
    MATCHMAKER_DATABASE_URL=sqlite:////tmp/demo.sqlite matchmaker demo
    python benchmarks/api_lists.py sqlite:////tmp/demo.sqlite [email] [password]

Signs in (the demo province account by default) and reports the mean of 10 requests per URL.
"""
import json
import sys
import time

from matchmaker import create_app

URLS = ["/api/v1/firms?page_size=500", "/api/v1/needs?page_size=500", "/api/v1/offers?page_size=500",
        "/api/v1/links?page_size=500", "/api/v1/needs?region=231200&status=open", "/api/v1/firms/1",
        "/api/v1/regions?page_size=5000", "/api/v1/categories?page_size=1000", "/api/v1/openapi.json"]


def main(url, email="province@demo.example.cn", password="demo-password-2020", repeat=10):
    """Print sign-in time and the mean time of each URL."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    start = time.perf_counter()
    resp = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    print(f"sign-in {resp.status_code} {(time.perf_counter() - start) * 1000:.0f} ms (one Argon2id verification)")
    headers = {"Authorization": "Bearer " + resp.get_json()["token"]}
    for path in URLS:
        client.get(path, headers=headers)
        start = time.perf_counter()
        for _ in range(repeat):
            resp = client.get(path, headers=headers)
        ms = (time.perf_counter() - start) / repeat * 1000
        total = json.loads(resp.headers.get("X-Pagination", "{}")).get("total", "-")
        print(f"{path:45s} {resp.status_code} {total!s:>5} items {ms:7.1f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:])
