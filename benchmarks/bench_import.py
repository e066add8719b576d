"""Import benchmark: a generated data package of 100,000 postings into a fresh database.

Generates 5,000 firms (500 leading, 4,500 SMEs) on real counties of China, 50,000 needs and
50,000 offers on the shipped categories, and 5,000 links, as JSON (and with --xlsx also as
an .xlsx workbook); then imports each into a fresh SQLite file and, when reachable, into a
fresh PostgreSQL database, each import in its own process, and prints the wall time and the
peak resident memory (ru_maxrss) of that process. Goal: at most 60 s and 1 GiB.

    python benchmarks/bench_import.py                 # JSON into SQLite (+ PostgreSQL if up)
    python benchmarks/bench_import.py --xlsx          # also the .xlsx container
    python benchmarks/bench_import.py --reimport      # then re-import with 100,000 changed postings
    python benchmarks/bench_import.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def generate(firms=5000, needs=50000, offers=50000, links=5000, seed=20200301):
    """A valid package of the given size on real counties and the shipped categories."""
    from matchmaker.rules.creditcode import check_digit
    from matchmaker.infra.reference import load_categories, load_regions

    rng = random.Random(seed)
    counties = [r["code"] for r in load_regions() if r["level"] == "county" and r["lat"] is not None]
    categories = [c["code"] for c in load_categories()]
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    start = date(2020, 3, 1)
    package = {"firms": [], "needs": [], "offers": [], "links": []}
    leading = []
    for i in range(firms):
        kind = "leading" if i % 10 == 0 else "sme"
        county = rng.choice(counties)
        code17 = "91" + county + "".join(rng.choice(charset) for _ in range(9))
        ref = f"F{i:06d}"
        if kind == "leading":
            leading.append(ref)
        package["firms"].append({
            "ref": ref, "name": f"企业{i}", "kind": kind, "region": county, "industry": "C",
            "park": f"园区{i % 40}", "credit_code": code17 + check_digit(code17),
            "operating": rng.random() > 0.1, "capacity_utilization": round(rng.random(), 2),
            "workers_back": round(rng.random(), 2),
            "blockers": rng.sample(["ppe", "labour", "transport", "materials", "funds"], rng.randint(0, 2)),
            "contact_email": f"f{i}@example.cn",
        })
    smes = [f["ref"] for f in package["firms"] if f["kind"] == "sme"]
    for i in range(needs):
        package["needs"].append({
            "ref": f"N{i:06d}", "firm": rng.choice(leading), "category": rng.choice(categories),
            "quantity": rng.randint(1, 1000), "needed_by": (start + timedelta(days=rng.randint(7, 90))).isoformat(),
            "max_unit_price": round(rng.uniform(10, 500), 2), "terms": ["order_first"] if i % 3 else [],
            "status": "open", "note": None,
        })
    for i in range(offers):
        begin = start + timedelta(days=rng.randint(0, 30))
        package["offers"].append({
            "ref": f"O{i:06d}", "firm": rng.choice(smes), "category": rng.choice(categories),
            "quantity": rng.randint(1, 1000), "available_from": begin.isoformat(),
            "available_until": (begin + timedelta(days=60)).isoformat(), "lead_time_days": rng.randint(0, 14),
            "unit_price": round(rng.uniform(10, 500), 2), "delivery_radius_km": rng.choice([None, 100, 300]),
            "help_wanted": ["orders"] if i % 4 == 0 else [], "status": "open",
        })
    for i in range(links):
        package["links"].append({
            "ref": f"L{i:06d}", "supplier": rng.choice(smes), "buyer": rng.choice(leading),
            "category": rng.choice(categories), "quantity_per_week": rng.randint(1, 100), "active": True,
        })
    return package


def _fresh_postgres(url):
    """Create an empty database `bench_import` next to `url`; its URL, or None if unreachable."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS bench_import"))
            conn.execute(sa.text("CREATE DATABASE bench_import"))
        engine.dispose()
    except Exception as exc:  # not running, no rights, ...
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipped")
        return None
    return url.rsplit("/", 1)[0] + "/bench_import"


def run_import(path, url, again=None):
    """Child process: create the schema, import (and re-import `again`), print seconds and peak RSS."""
    from matchmaker import create_app
    from matchmaker.infra.extensions import db
    from matchmaker.services.packages import import_package

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.create_all()
        from matchmaker.services.reference_data import ensure_reference_data

        ensure_reference_data()  # what `matchmaker db upgrade` + first command would do
        t0 = time.perf_counter()
        result = import_package(path)
        seconds = time.perf_counter() - t0
        figures = {"seconds": round(seconds, 2), "created": result.created}
        if again:
            t0 = time.perf_counter()
            second = import_package(again)
            figures.update(again_seconds=round(time.perf_counter() - t0, 2), again_replaced=second.replaced)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB -> MiB
    print(json.dumps(figures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xlsx", action="store_true", help="also import the package as .xlsx")
    parser.add_argument("--postgres", default=os.environ.get("MATCHMAKER_BENCH_POSTGRES", DEFAULT_PG))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--reimport", action="store_true",
                        help="then re-import the JSON package with every posting's quantity changed (upsert path)")
    parser.add_argument("--run-import", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_import:
        run_import(*args.run_import)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        package = generate()
        paths = [Path(tmp) / "bench.json"]
        from matchmaker.packages.writers import write_json, write_xlsx

        write_json(package, paths[0])
        changed = None
        if args.reimport:
            for section in ("needs", "offers"):
                for record in package[section]:
                    record["quantity"] += 1
            changed = Path(tmp) / "bench_changed.json"
            write_json(package, changed)
        if args.xlsx:
            paths.append(Path(tmp) / "bench.xlsx")
            write_xlsx(package, paths[1])
        postings = len(package["needs"]) + len(package["offers"])
        print(f"generated {len(package['firms'])} firms, {postings} postings, {len(package['links'])} links "
              f"in {time.perf_counter() - t0:.1f} s")
        del package
        targets = []
        for path in paths:
            targets.append(("sqlite", path, lambda p=path: f"sqlite:///{Path(tmp) / (p.stem + p.suffix[1:])}.sqlite"))
            if not args.no_postgres:
                targets.append(("postgresql", path, lambda: _fresh_postgres(args.postgres)))
        for name, path, make_url in targets:
            url = make_url()
            if url is None:
                continue
            command = [sys.executable, __file__, "--run-import", str(path), url]
            if changed is not None and path.suffix == ".json":
                command.append(str(changed))
            out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(f"{path.suffix[1:]:>4} -> {name}: FAILED\n{out.stderr[-3000:]}")
                continue
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            line = (f"{path.suffix[1:]:>4} -> {name:<10}: {figures['seconds']:6.1f} s, "
                    f"created {figures['created']}")
            if "again_seconds" in figures:
                line += f"; re-import {figures['again_seconds']:.1f} s, replaced {figures['again_replaced']}"
            print(line + f"; peak RSS {figures['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
