"""Province-scale benchmark of the weekly chain-break report (issue 4).

Generates 50,000 firms and 200,000 active links on the real category chain (the 153
input-output sectors shipped in ``matchmaker/data/categories.csv``) and the real counties of
Heilongjiang (``matchmaker/data/regions.csv``), plus open needs and offers, loads them into a
fresh SQLite database (``--db URL`` for another, e.g. PostgreSQL), then times the weekly report
end to end -- stored rows -> detection -> stored report, in one transaction, exactly what
``matchmaker report weekly`` and the scheduler run -- for two consecutive weeks (the second
carries weeks_open and statuses from the first). Each report runs in a fresh subprocess so its
peak memory (max RSS, interpreter and Flask included) is its own.

Generation: each firm makes one category (5% are leading firms); each link goes from a
producer of one of the buyer's product's inputs to the buyer; 2% of firms are stopped, 5% report
a blocker, one county is high-risk; 20,000 needs and 20,000 offers.

Run:  ``python benchmarks/bench_weekly_report.py [--firms 50000 --links 200000 --seed 1]``
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

AS_OF = date(2020, 3, 16)
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders")


def _app(url):
    from matchmaker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "TESTING": False})


def generate(url, n_firms, n_links, n_needs, seed):
    """Create the schema and load a generated province into the database at url."""
    import sqlalchemy as sa

    from matchmaker.infra.extensions import db
    from matchmaker.models import Firm, Link, Need, Offer, Region
    from matchmaker.infra.reference import load_categories
    from matchmaker.services.reference_data import ensure_reference_data

    rnd = random.Random(seed)
    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        counties = sorted(db.session.scalars(sa.select(Region.code).where(
            Region.level == "county", Region.code.startswith("23"), Region.lat.is_not(None))))
        db.session.execute(sa.update(Region).where(Region.code == counties[0]).values(risk="high"))
        cats = load_categories()
        chain = {c["code"]: [i for i in c["inputs"]] for c in cats}
        codes = [c for c in chain if chain[c]]
        product, producers, firms = {}, {}, []
        sections = "ABCDEFGHI"
        for i in range(n_firms):
            ref = f"F{i:06d}"
            cat = rnd.choice(list(chain))
            product[ref] = cat
            producers.setdefault(cat, []).append(i + 1)
            x = rnd.random()
            firms.append(dict(
                id=i + 1, ref=ref, name=f"企业{i}", kind="leading" if rnd.random() < 0.05 else "sme",
                region_code=rnd.choice(counties), industry=rnd.choice(sections), version=1,
                park=f"园区{rnd.randrange(200)}" if rnd.random() < 0.4 else None,
                operating=x >= 0.02, capacity_utilization=round(rnd.random(), 2),
                workers_back=round(rnd.random(), 2), credit_code=None, contact_email=None,
                blockers=[rnd.choice(FACTORS)] if 0.02 <= x < 0.07 else []))
        for i in range(0, len(firms), 5000):
            db.session.execute(sa.insert(Firm.__table__), firms[i:i + 5000])
        links = []
        seen = set()
        while len(links) < n_links:
            b = rnd.randrange(n_firms)
            ins = chain[product[firms[b]["ref"]]]
            if not ins:
                continue
            c = rnd.choice(ins)
            ps = producers.get(c)
            if not ps:
                continue
            s = rnd.choice(ps)
            if s == b + 1 or (s, b, c) in seen:
                continue
            seen.add((s, b, c))
            links.append(dict(ref=f"L{len(links):07d}", supplier_id=s, buyer_id=b + 1, category_code=c,
                              quantity_per_week=float(rnd.randint(1, 500)), active=True, terms=[], version=1))
        for i in range(0, len(links), 10000):
            db.session.execute(sa.insert(Link.__table__), links[i:i + 10000])
        needs, offers = [], []
        for i in range(n_needs):
            b = rnd.randrange(n_firms)
            c = rnd.choice(chain[product[firms[b]["ref"]]] or codes)
            needs.append(dict(ref=f"N{i:06d}", firm_id=b + 1, category_code=c, quantity=float(rnd.randint(10, 1000)),
                              needed_by=AS_OF + timedelta(days=rnd.randint(-7, 90)), terms=["pay_first"],
                              status="open", committed_quantity=0.0, version=1))
            s = rnd.randrange(n_firms)
            offers.append(dict(ref=f"O{i:06d}", firm_id=s + 1, category_code=product[firms[s]["ref"]],
                               quantity=float(rnd.randint(10, 1000)), available_from=AS_OF - timedelta(days=7),
                               lead_time_days=rnd.randint(0, 14), delivery_radius_km=float(rnd.choice([100, 300, 800])),
                               help_wanted=[], status="open", committed_quantity=0.0, version=1))
        for i in range(0, n_needs, 5000):
            db.session.execute(sa.insert(Need.__table__), needs[i:i + 5000])
            db.session.execute(sa.insert(Offer.__table__), offers[i:i + 5000])
        db.session.commit()
        db.engine.dispose()


def run_one(url, week):
    """Child process: write one weekly report and print its time, breaks and peak RSS."""
    app = _app(url)
    with app.app_context():
        from collections import Counter

        import sqlalchemy as sa

        from matchmaker.infra.extensions import db
        from matchmaker.models.report import Break
        from matchmaker.services import reports

        t0, c0 = time.perf_counter(), time.process_time()
        report, _ = reports.write_weekly_report(week)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        kinds = Counter(dict(db.session.execute(
            sa.select(Break.kind, sa.func.count(Break.id)).where(Break.report_id == report.id).group_by(Break.kind)).all()))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux -> MiB
        print(f"  {week}: {elapsed:.2f} s wall, {cpu:.2f} s CPU, peak RSS {peak:.0f} MiB, {sum(kinds.values())} breaks "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})", flush=True)
        print(f"    stages, wall s: {report.stats.get('seconds')}", flush=True)
        print(f"    stages, CPU s:  {report.stats.get('cpu_seconds')}", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--firms", type=int, default=50000)
    p.add_argument("--links", type=int, default=200000)
    p.add_argument("--needs", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    p.add_argument("--run", help=argparse.SUPPRESS)  # child: week to write
    args = p.parse_args(argv)
    if args.run:
        run_one(args.db, args.run)
        return
    tmp = tempfile.mkdtemp(prefix="bench-report-")
    url = args.db or f"sqlite:///{tmp}/bench.sqlite"
    t0 = time.perf_counter()
    generate(url, args.firms, args.links, args.needs, args.seed)
    print(f"generated {args.firms} firms, {args.links} links, {args.needs} needs and offers "
          f"in {time.perf_counter() - t0:.1f} s ({url})")
    print("weekly report, end to end (load rows, detect, store in one transaction):")
    for week in ("2020-W12", "2020-W13"):
        subprocess.run([sys.executable, __file__, "--db", url, "--run", week], check=True)


if __name__ == "__main__":
    main()
