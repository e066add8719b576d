"""Product search benchmark (issue 10, item 5): the picker's type-ahead over the whole shipped
catalogue, goal p95 under 20 ms per request.

Loads the reference data (every shipped product) into a fresh SQLite file (or the database
given), then times, for each realistic query and for each prefix of it a person types on the
way there (``t``, ``ty``, ``tyr``, ``tyre``):

- ``index``: the in-memory index alone (``ProductIndex.search``);
- ``GET``: the whole request ``GET /api/v1/products?q=...&page_size=20`` through the Flask test
  client: the catalogue fingerprint query, the search, one page, JSON and the pagination header.

It prints the cold and warm index build times, p50/p95 per query and over all of them.

    python benchmarks/bench_products.py                    # a temporary SQLite file
    python benchmarks/bench_products.py --repeat 500
    python benchmarks/bench_products.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["牛奶", "nn", "milk", "0401", "P003", "轴承", "tyre"]
GOAL_MS = 20.0


def _prefixes(q: str) -> list[str]:
    return [q[:i] for i in range(1, len(q) + 1)]


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def _time(fn, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    ap.add_argument("--repeat", type=int, default=200, help="timed runs per query (default 200)")
    args = ap.parse_args(argv)

    from matchmaker import create_app
    from matchmaker.infra.extensions import db
    from matchmaker.services import products
    from matchmaker.services.products.index import ProductIndex, pinyin_keys
    from matchmaker.services.products.search import _load
    from matchmaker.services.reference_data import ensure_reference_data

    tmp = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{tmp.name}/products.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        records = _load()
        pinyin_keys.cache_clear()
        start = time.perf_counter()
        index = ProductIndex(records)
        cold = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        ProductIndex(records)
        warm = (time.perf_counter() - start) * 1000
        products.invalidate_index()
    print(f"{len(records)} products on {url.split(':')[0]}; index built in {cold:.0f} ms "
          f"(pinyin computed), rebuilt in {warm:.0f} ms (pinyin cached)")

    client = app.test_client()
    print(f"{'query':10s} {'hits':>5s} {'index p50':>10s} {'p95':>7s} {'GET p50':>9s} {'p95':>7s}   (ms; "
          f"{args.repeat} runs each, the query and every prefix typed on the way)")
    all_index, all_get = [], []
    for q in QUERIES:
        idx_times, get_times = [], []
        for prefix in _prefixes(q):
            idx_times += _time(lambda: index.search(prefix), args.repeat)
            path = f"/api/v1/products?page_size=20&q={quote(prefix)}"
            get_times += _time(lambda: client.get(path), args.repeat)
        res = client.get(f"/api/v1/products?page_size=20&q={quote(q)}")
        assert res.status_code == 200, res.get_data(as_text=True)
        hits = len(index.search(q))
        all_index += idx_times
        all_get += get_times
        print(f"{q:10s} {hits:5d} {_p(idx_times, 50):10.2f} {_p(idx_times, 95):7.2f} "
              f"{_p(get_times, 50):9.2f} {_p(get_times, 95):7.2f}")
    p95 = _p(all_get, 95)
    print(f"{'all':10s} {'':5s} {_p(all_index, 50):10.2f} {_p(all_index, 95):7.2f} "
          f"{_p(all_get, 50):9.2f} {p95:7.2f}   mean GET {statistics.mean(all_get):.2f} ms")
    print(f"goal: GET p95 under {GOAL_MS:.0f} ms: {'met' if p95 < GOAL_MS else 'NOT met'}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
