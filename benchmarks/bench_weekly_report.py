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

With ``--ledger N`` the links from SMEs to leading firms also get article-10 terms and a ledger
of N deliveries, N payments and N/2 orders (issue 13), so the report's ``commitments`` stage has
work to do.

After each report the agenda of that week is built (issue 12) and its size per county printed
(items a county owns, items owned by or concerning it, matching-in-progress and fragility
entries: min / median / max over the counties with firms). With ``--match`` the matcher runs
first, so the uncovered needs it can cover have proposals waiting (matching in progress, not
agenda items), as after the service's daily run.

Run:  ``python benchmarks/bench_weekly_report.py [--firms 50000 --links 200000 --seed 1 --ledger 0]``

As a user runs it (issue 14): ``--cli`` times the whole ``matchmaker report weekly`` process
instead (interpreter, app start, report, summary; W12 without ``--out``, W13 with ``--out
FILE.json``, or ``--out FILE.xlsx`` with ``--xlsx``), CPU seconds (user + system, from the child's rusage) and peak RSS, ``--repeat``
times on a fresh copy of the generated database. ``--before TREE`` runs the same on another
checkout of the project first (its own code generates its own database from the same seed), so
before and after come from one sitting:

    python benchmarks/bench_weekly_report.py --cli --repeat 3 --before /path/to/old/checkout
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.environ.get("BENCH_TREE") or ROOT  # the checkout whose code runs (--before: another one)
sys.path.insert(0, TREE)

AS_OF = date(2020, 3, 16)
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders")


def _app(url):
    from matchmaker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "TESTING": False})


def _ledger(db, rnd, firms, links, n):
    """The article-10 ledger (issue 13): the links from SMEs to leading firms get terms (half pay
    first, a third order first) and a start; n deliveries, n payments (half of them naming a
    delivery) and n / 2 orders on them, dated in the eight weeks before the report."""
    import sqlalchemy as sa

    from matchmaker.models import Delivery, Link, Order, Payment

    kind = {f["id"]: f["kind"] for f in firms}
    ids = [i for i, lk in enumerate(links, start=1) if kind[lk["buyer_id"]] == "leading" and kind[lk["supplier_id"]] == "sme"]
    for link_id in ids:
        terms = [t for t, p in (("order_first", 0.33), ("pay_first", 0.5)) if rnd.random() < p]
        db.session.execute(sa.update(Link).where(Link.id == link_id).values(
            terms=terms, since=AS_OF - timedelta(days=rnd.randint(0, 90))))
    day = lambda: AS_OF - timedelta(days=rnd.randint(0, 56))  # noqa: E731
    deliveries = [dict(id=i + 1, ref=f"D{i:07d}", link_id=rnd.choice(ids), date=day(), quantity=5.0,
                       amount=float(rnd.randint(100, 100000)), version=1) for i in range(n)]
    payments = []
    for i in range(n):
        named = rnd.choice(deliveries) if rnd.random() < 0.5 else None
        payments.append(dict(ref=f"P{i:07d}", link_id=named["link_id"] if named else rnd.choice(ids), date=day(),
                             amount=float(rnd.randint(100, 100000)), delivery_id=named["id"] if named else None,
                             version=1))
    orders = [dict(ref=f"PO{i:07d}", link_id=rnd.choice(ids), date=day(), quantity=5.0, version=1)
              for i in range(n // 2)]
    for model, rows in ((Delivery, deliveries), (Payment, payments), (Order, orders)):
        for i in range(0, len(rows), 10000):
            db.session.execute(sa.insert(model.__table__), rows[i:i + 10000])


def generate(url, n_firms, n_links, n_needs, seed, n_ledger=0):
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
        if n_ledger:
            _ledger(db, rnd, firms, links, n_ledger)
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
        _agenda_sizes(week)


def run_match(url):
    """Child process: run the matcher as of the benchmark's Monday (proposals for the needs it can cover)."""
    app = _app(url)
    with app.app_context():
        from matchmaker.services import matching

        t0, c0 = time.perf_counter(), time.process_time()
        run = matching.run_matching(AS_OF, started_by="bench")
        print(f"matching run: {run.pairings_count} proposals in {time.perf_counter() - t0:.1f} s wall, "
              f"{time.process_time() - c0:.1f} s CPU", flush=True)


def _agenda_sizes(week):
    """The dispatch agenda of the week just written (issue 12): its time and its size per county."""
    from matchmaker.services import agenda

    t0, c0 = time.perf_counter(), time.process_time()
    sizes = agenda.agenda_sizes(week)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0

    def spread(name):
        x = sizes[name]
        return f"min {x['min']} / median {x['median']:g} / max {x['max']}"

    print(f"    agenda: {sizes['items']} items over {sizes['counties']} counties ({elapsed:.2f} s wall, {cpu:.2f} s CPU; "
          f"by level {sizes['levels']})", flush=True)
    print(f"      by kind: {sizes['by_kind']}", flush=True)
    print(f"      items owned per county:            {spread('owned')}", flush=True)
    print(f"        uncovered needs among them:      {spread('owned_uncovered')}", flush=True)
    print(f"        the other items:                 {spread('owned_without_uncovered')}", flush=True)
    print(f"      to discuss (stake >= {sizes['discuss_stake']:g} input-weeks): {spread('discussed')}", flush=True)
    print(f"      items owned or concerning a county: {spread('concerning_or_owned')}", flush=True)
    print(f"      matching in progress per county:   {spread('matching')}", flush=True)
    print(f"      fragility warnings per county:     {spread('fragility')}", flush=True)


def _child_env(tree, url):
    env = dict(os.environ, BENCH_TREE=tree, PYTHONPATH=tree, MATCHMAKER_DATABASE_URL=url)
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    return env


def _generate_in(tree, url, args):
    """Generate the province into a database with the code of another checkout (its own schema)."""
    subprocess.run([sys.executable, os.path.abspath(__file__), "--db", url, "--generate-only", "--firms",
                    str(args.firms), "--links", str(args.links), "--needs", str(args.needs), "--seed", str(args.seed)]
                   + (["--ledger", str(args.ledger)] if args.ledger else []),
                   check=True, env=_child_env(tree, url), cwd=tree)


def run_cli(tree, url, week, out=None):
    """Run ``matchmaker report weekly`` as its own process; returns (CPU s, peak RSS MiB, wall s, its output)."""
    cmd = [sys.executable, "-m", "matchmaker", "report", "weekly", "--week", week] + (["--out", out] if out else [])
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=_child_env(tree, url), cwd=tree, stdout=subprocess.PIPE, stderr=err)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (the CPU and peak of it alone)
        wall = time.perf_counter() - t0
        proc.returncode = status
        if status != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode(errors='replace')}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall, stdout.decode().strip()


def _stage_cpu(path, week):
    """The CPU seconds per stage the report stored in its stats (SQLite file)."""
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT stats FROM weekly_report WHERE week = ?", (week,)).fetchone()
    return (json.loads(row[0]) or {}).get("cpu_seconds") if row else None


def cli_sitting(args, tmp):
    """Time the whole CLI process for each checkout (--before first), --repeat times each."""
    trees = ([("before", os.path.abspath(args.before))] if args.before else []) + [("after", ROOT)]
    figures = {}
    for label, tree in trees:
        generated = os.path.join(tmp, f"{label}.sqlite")
        t0 = time.perf_counter()
        _generate_in(tree, f"sqlite:///{generated}", args)
        print(f"{label}: {tree} (generated in {time.perf_counter() - t0:.1f} s)", flush=True)
        for i in range(args.repeat):
            path = os.path.join(tmp, f"{label}-run.sqlite")
            shutil.copyfile(generated, path)
            ext = ".xlsx" if args.xlsx else ".json"
            for week, out in (("2020-W12", None), ("2020-W13", os.path.join(tmp, "report" + ext))):
                cpu, rss, wall, said = run_cli(tree, f"sqlite:///{path}", week, out)
                figures.setdefault((label, week), []).append((cpu, rss))
                size = f", file {os.path.getsize(out) / 2**20:.0f} MiB" if out else ""
                print(f"  {week}{' --out ' + ext if out else '':11s} {cpu:6.2f} s CPU  {rss:5.0f} MiB peak  "
                      f"{wall:6.2f} s wall{size}  | {said}", flush=True)
                print(f"      stages, CPU s: {_stage_cpu(path, week)}", flush=True)
    print("summary (CPU s min-max, peak RSS MiB max):")
    for (label, week), runs in figures.items():
        cpus = [c for c, _ in runs]
        print(f"  {label:6s} {week}: {min(cpus):.2f}-{max(cpus):.2f} s CPU, {max(r for _, r in runs):.0f} MiB")


def add_province_arguments(p: argparse.ArgumentParser) -> None:
    """The generated province's size and seed (:func:`generate`), shared with bench_detection."""
    p.add_argument("--firms", type=int, default=50000)
    p.add_argument("--links", type=int, default=200000)
    p.add_argument("--needs", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_province_arguments(p)
    p.add_argument("--ledger", type=int, default=0,
                   help="deliveries (and as many payments, half as many orders) on the links from SMEs to leading firms")
    p.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    p.add_argument("--cli", action="store_true", help="time the whole `matchmaker report weekly` process")
    p.add_argument("--before", help="with --cli: another checkout of the project to time first")
    p.add_argument("--repeat", type=int, default=1, help="with --cli: runs per checkout")
    p.add_argument("--xlsx", action="store_true", help="with --cli: W13 writes the meeting's workbook (--out FILE.xlsx)")
    p.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--run", help=argparse.SUPPRESS)  # child: week to write
    p.add_argument("--match", action="store_true",
                   help="run the matcher before the reports (uncovered needs then have proposals waiting)")
    p.add_argument("--run-match", action="store_true", help=argparse.SUPPRESS)  # child: the matching run
    args = p.parse_args(argv)
    if args.run:
        run_one(args.db, args.run)
        return
    if args.run_match:
        run_match(args.db)
        return
    if args.generate_only:
        generate(args.db, args.firms, args.links, args.needs, args.seed, args.ledger)
        return
    tmp = tempfile.mkdtemp(prefix="bench-report-")
    try:
        if args.cli:
            if args.db:
                raise SystemExit("--cli runs on SQLite files of its own")
            cli_sitting(args, tmp)
            return
        url = args.db or f"sqlite:///{tmp}/bench.sqlite"
        t0 = time.perf_counter()
        generate(url, args.firms, args.links, args.needs, args.seed, args.ledger)
        print(f"generated {args.firms} firms, {args.links} links, {args.needs} needs and offers, {args.ledger} deliveries "
              f"in {time.perf_counter() - t0:.1f} s ({url})")
        if args.match:
            subprocess.run([sys.executable, __file__, "--db", url, "--run-match"], check=True)
        print("weekly report, end to end (load rows, detect, store in one transaction):")
        for week in ("2020-W12", "2020-W13"):
            subprocess.run([sys.executable, __file__, "--db", url, "--run", week], check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
