"""Province-scale benchmark of the matcher (issue 3).

Generates an instance of about 50,000 needs, 50,000 offers and 1,000,000 allowed pairs
on the real county coordinates of Heilongjiang and the real category chain shipped in
``matchmaker/data/`` (153 input-output sectors), and prints side by side:

* end-to-end ``matchmaker match`` (stored rows -> stored proposals) on a fresh SQLite
  database (``--db URL`` for another; ``--skip-e2e`` to leave it out);
* the solver's own time (OR-Tools min-cost flow per connected component, and on the
  whole graph at once);
* networkx's ``max_flow_min_cost`` on the same instance, in a subprocess with a budget
  (default 300 s; prints "over 300 s" when exceeded);
* the cost gap of the greedy cheapest-pair-first baseline;
* "best partners" latency (p50/p95 over random postings, index of 100,000 postings);
* peak memory (max RSS) of this process and of the end-to-end run;
* CPU time (user + system) of the core phases and of the end-to-end process, the figure to
  compare code before and after a change in one sitting (wall time swings with the machine's load).

``--products`` gives every posting a product (spec/products.md): each category gets four
synthetic products in its unit, each posting one of its category's, and three needs in four
accept every other product of their category (so the allowed pairs stay comparable). The base
instance (places, dates, quantities, prices) is the same with and without it.

``--clusters 2000`` gives the instance many small components (postings in 2,000 groups of one
category in one county), whose solve is fast: the fixed costs of a run show there.

Run:  ``python benchmarks/bench_matching.py [--needs 50000 --offers 50000 --seed 1] [--products] [--clusters 2000]``
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphs.matching import (  # noqa: E402
    COST_SCALE,
    QUANTITY_SCALE,
    NeedRecord,
    OfferRecord,
    best_partners,
    build_index,
    candidate_arrays,
    greedy_pairings,
    solve_pairings,
)

AS_OF = dt.date(2020, 3, 16)
PROVINCE = "23"  # Heilongjiang


def load_reference():
    """Counties of the province (code, lat, lon) and categories (code, inputs)."""
    counties = []
    with open(ROOT / "matchmaker" / "data" / "regions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] == "county" and row["code"].startswith(PROVINCE) and row["lat"]:
                counties.append((row["code"], float(row["lat"]), float(row["lon"])))
    cats = []
    with open(ROOT / "matchmaker" / "data" / "categories.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            inputs = [c for c in row["inputs"].split(";") if c]
            cats.append((row["code"], inputs))
    return counties, cats


def category_units():
    """Category code -> its unit (the unit of every posting that names no product)."""
    with open(ROOT / "matchmaker" / "data" / "categories.csv", encoding="utf-8") as f:
        return {row["code"]: row["unit"] for row in csv.DictReader(f)}


PRODUCTS_PER_CATEGORY = 4
ACCEPT_SHARE = 0.75


def add_products(needs, offers, seed=1):
    """The same postings, each naming a product of its category (in the category's unit); three
    needs in four accept every other product of their category. Returns (needs, offers, products)
    with products as (code, category, unit)."""
    rng = random.Random(seed + 10_000)  # its own stream: the base instance does not change
    units = category_units()
    codes = {c: ["P%s%d" % (c[2:], k) for k in range(1, PRODUCTS_PER_CATEGORY + 1)] for c in units}
    products = [(p, c, units[c]) for c in sorted(codes) for p in codes[c]]
    out_n = []
    for n in needs:
        own = rng.choice(codes[n.category])
        accepts = tuple(p for p in codes[n.category] if p != own) if rng.random() < ACCEPT_SHARE else ()
        out_n.append(n._replace(product=own, accepts=accepts, unit=units[n.category]))
    out_o = [o._replace(product=rng.choice(codes[o.category]), unit=units[o.category]) for o in offers]
    return out_n, out_o, products


def substitutes_for(cats, rng):
    """A substitutes map for the benchmark: the shipped chain has none, so about one
    category in five gets the category sharing most of its inputs as a substitute."""
    inputs = {c: set(i) for c, i in cats}
    subs = {}
    codes = [c for c, _ in cats]
    for c in codes:
        if rng.random() < 0.2 and inputs[c]:
            best = max((o for o in codes if o != c),
                       key=lambda o: (len(inputs[c] & inputs[o]), o))
            if inputs[c] & inputs[best]:
                subs[c] = {best}
    return subs


def generate(n_needs, n_offers, seed=1):
    """Needs and offers on real counties and categories (plain records)."""
    rng = random.Random(seed)
    counties, cats = load_reference()
    codes = [c for c, _ in cats]
    # category popularity: a few sectors carry most postings (Zipf-like)
    weights = [1.0 / (1 + k) ** 0.3 for k in range(len(codes))]
    rng.shuffle(weights)
    # firms: 40% leading among buyers, SMEs dominate suppliers
    n_firms = (n_needs + n_offers) // 5
    firms = []
    for i in range(n_firms):
        code, lat, lon = rng.choice(counties)
        firms.append(("F%06d" % i, "leading" if rng.random() < 0.2 else "sme", code, lat, lon,
                      rng.random() < 0.97, round(rng.random(), 2)))
    needs = []
    for i in range(n_needs):
        f = firms[rng.randrange(n_firms)]
        cat = rng.choices(codes, weights)[0]
        needs.append(NeedRecord(
            "N%06d" % i, f[0], cat, float(rng.randint(1, 400)),
            AS_OF + dt.timedelta(days=rng.randint(0, 60)), f[3], f[4],
            firm_kind=f[1],
            max_unit_price=rng.choice((None, float(rng.randint(60, 160)))),
            terms=tuple(t for t in ("order_first", "supply_first", "pay_first")
                        if rng.random() < 0.3),
            region=f[2],
        ))
    offers = []
    for i in range(n_offers):
        f = firms[rng.randrange(n_firms)]
        cat = rng.choices(codes, weights)[0]
        offers.append(OfferRecord(
            "O%06d" % i, f[0], cat, float(rng.randint(1, 400)),
            AS_OF + dt.timedelta(days=rng.randint(-30, 40)), f[3], f[4],
            firm_kind=f[1],
            available_until=rng.choice((None, AS_OF + dt.timedelta(days=rng.randint(-5, 90)))),
            lead_time_days=rng.randint(0, 21),
            unit_price=rng.choice((None, float(rng.randint(50, 150)))),
            delivery_radius_km=(None if rng.random() < 0.01
                                else rng.choice((40.0, 60.0, 80.0, 100.0, 120.0))),
            supplier_live=f[5],
            workers_back=f[6],
            region=f[2],
        ))
    return needs, offers, substitutes_for(cats, rng)


def generate_clustered(n_needs, n_offers, clusters, seed=1):
    """Many small components: the postings fall into `clusters` groups of one category in one
    county (firms of that county, a few kilometres apart, delivery radius 30 km), so the allowed
    pairs (about (needs/clusters) x (offers/clusters) per group) form many small components
    whose solve is fast, and the fixed costs of a run (start, load, index, store) show."""
    rng = random.Random(seed)
    counties, cats = load_reference()
    codes = [c for c, _ in cats]
    groups = rng.sample([(c, k) for c in codes for k in range(len(counties))], clusters)
    firms_of = {}

    def firm(k):
        pool = firms_of.setdefault(k, [])
        if len(pool) < 8 or rng.random() < 0.3:
            code, lat, lon = counties[k]
            pool.append(("F%03d%04d" % (k, len(pool)), "leading" if rng.random() < 0.2 else "sme", code,
                         lat + rng.uniform(-0.04, 0.04), lon + rng.uniform(-0.04, 0.04),
                         rng.random() < 0.97, round(rng.random(), 2)))
        return rng.choice(pool)

    needs, offers = [], []
    for i in range(n_needs):
        cat, k = groups[i % clusters]
        f = firm(k)
        needs.append(NeedRecord(
            "N%06d" % i, f[0], cat, float(rng.randint(1, 400)),
            AS_OF + dt.timedelta(days=rng.randint(20, 60)), f[3], f[4], firm_kind=f[1],
            max_unit_price=rng.choice((None, float(rng.randint(100, 160)))), region=f[2]))
    for i in range(n_offers):
        cat, k = groups[i % clusters]
        f = firm(k)
        offers.append(OfferRecord(
            "O%06d" % i, f[0], cat, float(rng.randint(1, 400)),
            AS_OF + dt.timedelta(days=rng.randint(-10, 0)), f[3], f[4], firm_kind=f[1],
            lead_time_days=rng.randint(0, 14), unit_price=rng.choice((None, float(rng.randint(50, 100)))),
            delivery_radius_km=30.0, supplier_live=True, workers_back=f[6], region=f[2]))
    return needs, offers, {}


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _networkx_child(path, budget):
    """Run networkx max_flow_min_cost on a saved instance in a subprocess."""
    code = r"""
import sys, time, numpy as np, networkx as nx
d = np.load(sys.argv[1])
G = nx.DiGraph()
no, nn = len(d["o_qty"]), len(d["n_qty"])
G.add_edges_from((("s", ("o", i), {"capacity": int(q), "weight": 0}) for i, q in enumerate(d["o_qty"].tolist())))
G.add_edges_from(((("n", i), "t", {"capacity": int(q), "weight": 0}) for i, q in enumerate(d["n_qty"].tolist())))
G.add_edges_from(((("o", o), ("n", n), {"weight": int(c)}) for n, o, c in zip(d["ni"].tolist(), d["oi"].tolist(), d["cost"].tolist())))
t = time.perf_counter()
flow = nx.max_flow_min_cost(G, "s", "t")
el = time.perf_counter() - t
print(el, sum(flow["s"].values()), nx.cost_of_flow(G, flow))
"""
    t0 = time.perf_counter()
    try:
        out = subprocess.run([sys.executable, "-c", code, path], capture_output=True,
                             text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(out.stderr)
    el, flow, cost = out.stdout.split()
    return (float(el), int(flow), int(cost)), time.perf_counter() - t0


def bench_core(needs, offers, subs, args):
    """Index, candidates, solver (per component and whole graph), greedy, networkx."""
    c0, t0 = time.process_time(), time.perf_counter()
    index = build_index(needs, offers, as_of=AS_OF, substitutes=subs)
    t_index, c_index = time.perf_counter() - t0, time.process_time() - c0
    c0, t0 = time.process_time(), time.perf_counter()
    ni, oi, cost, dist = candidate_arrays(index)
    t_cand, c_cand = time.perf_counter() - t0, time.process_time() - c0
    print("instance: %d open needs, %d open offers, %d allowed pairs, %d categories"
          % (len(index.needs), len(index.offers), ni.size, len(index.categories)))
    timings = {"index": t_index, "candidates": t_cand}
    c0, t0 = time.process_time(), time.perf_counter()
    flow = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost, batch_arcs=1)
    timings["solve_per_component"] = time.perf_counter() - t0
    timings["cpu"] = {"index": c_index, "candidates": c_cand, "solve_per_component": time.process_time() - c0}
    opt_q = int(flow.sum())
    opt_c = int((flow * cost).sum())
    if not args.skip_whole:
        t0 = time.perf_counter()
        flow2 = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost, batch_arcs=10 ** 12)
        timings["solve_whole_graph"] = time.perf_counter() - t0
        assert int(flow2.sum()) == opt_q and int((flow2 * cost).sum()) == opt_c
    t0 = time.perf_counter()
    greedy = greedy_pairings(index, (ni, oi, cost, dist))
    timings["greedy"] = time.perf_counter() - t0
    g_q = greedy["matched_quantity"]
    g_c = greedy["total_cost"]
    q = opt_q / QUANTITY_SCALE
    c = opt_c / (QUANTITY_SCALE * COST_SCALE)
    print("optimum: matched %.3f, total cost %.3f" % (q, c))
    print("greedy, cheapest pair first: matched %.3f (%.2f%% less), total cost %.3f (%+.2f%%), "
          "cost per unit matched %+.2f%%"
          % (g_q, 100 * (1 - g_q / q), g_c, 100 * (g_c / c - 1),
             100 * ((g_c / g_q) / (c / q) - 1)))
    g2 = greedy_pairings(index, (ni, oi, cost, dist), order="need")
    print("greedy, need by need (soonest due first, cheapest offers): matched %.3f (%.2f%% less), "
          "total cost %.3f (%+.2f%%), cost per unit matched %+.2f%%"
          % (g2["matched_quantity"], 100 * (1 - g2["matched_quantity"] / q), g2["total_cost"],
             100 * (g2["total_cost"] / c - 1),
             100 * ((g2["total_cost"] / g2["matched_quantity"]) / (c / q) - 1)))
    return index, timings, (ni, oi, cost, opt_q, opt_c)


def bench_networkx(index, arrays, args, timings):
    """networkx's max_flow_min_cost on the same arcs, in a subprocess with a time budget."""
    ni, oi, cost, opt_q, opt_c = arrays
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "instance.npz")
        np.savez(path, n_qty=index.n_qty, o_qty=index.o_qty, ni=ni, oi=oi, cost=cost)
        nx_result, wall = _networkx_child(path, args.budget)
    if nx_result is None:
        timings["networkx"] = None
    else:
        timings["networkx"] = nx_result[0]
        assert nx_result[1] == opt_q and nx_result[2] == opt_c, nx_result


def bench_best_partners(index, args, rng):
    """Latency of best_partners on random indexed postings (ms)."""
    lat = []
    postings = ([index.needs[rng.randrange(len(index.needs))] for _ in range(args.queries // 2)]
                + [index.offers[rng.randrange(len(index.offers))] for _ in range(args.queries // 2)])
    for p in postings:
        t0 = time.perf_counter()
        best_partners(p, index, n=10)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    return lat[len(lat) // 2], lat[int(len(lat) * 0.95) - 1], lat[-1]


def _store_instance(url, needs, offers, subs, products=()):
    """Write the instance into a fresh database as stored rows (regions, categories, products,
    firms, needs, offers, substitutes) with bulk inserts."""
    from matchmaker import create_app
    from matchmaker.infra.extensions import db
    from matchmaker.models import Category, Firm, Need, Offer, Region, category_substitute

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        regions = []
        with open(ROOT / "matchmaker" / "data" / "regions.csv", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["code"].startswith(PROVINCE):
                    regions.append(dict(code=row["code"], name=row["name"], level=row["level"],
                                        parent_code=row["parent"] or None,
                                        lat=float(row["lat"]) if row["lat"] else None,
                                        lon=float(row["lon"]) if row["lon"] else None, risk="low"))
        regions.sort(key=lambda r: ["province", "city", "county"].index(r["level"]))
        db.session.execute(sa.insert(Region), regions)
        with open(ROOT / "matchmaker" / "data" / "categories.csv", encoding="utf-8") as f:
            cats = [dict(code=r["code"], name=r["name"], name_en=r["name_en"], unit=r["unit"])
                    for r in csv.DictReader(f)]
        db.session.execute(sa.insert(Category), cats)
        named = {}
        if products:
            from matchmaker.models import Product

            db.session.execute(sa.insert(Product), [dict(
                code=p, name_zh="产品" + p, name_en="product " + p, unit=u, category_code=c, hs=None, aliases=[],
                shipped=False) for p, c, u in products])
            named = {"product_code": lambda r: r.product}
        if subs:
            db.session.execute(sa.insert(category_substitute), [
                dict(category_code=c, substitute_code=s) for c, ss in sorted(subs.items()) for s in sorted(ss)])
        firms = {}
        for rec in list(needs) + list(offers):
            if rec.firm not in firms:
                firms[rec.firm] = dict(ref=rec.firm, name=rec.firm, kind=rec.firm_kind,
                                       region_code=rec.region, operating=True, workers_back=None,
                                       blockers=[], version=1)
            if hasattr(rec, "supplier"):  # an offer record (needs have a buyer)
                f = firms[rec.firm]
                f["kind"] = rec.firm_kind
                f["workers_back"] = rec.workers_back
                f["operating"] = bool(rec.supplier_live)  # same instance as the core measurement
        rows = sorted(firms.values(), key=lambda r: r["ref"])
        db.session.execute(sa.insert(Firm), rows)
        ids = dict(db.session.execute(sa.select(Firm.ref, Firm.id)).all())
        if products:
            named["accepts"] = lambda r: list(r.accepts)
        db.session.execute(sa.insert(Need), [dict(
            ref=n.ref, firm_id=ids[n.firm], category_code=n.category, quantity=n.quantity,
            needed_by=n.needed_by, max_unit_price=n.max_unit_price, terms=list(n.terms), status="open",
            committed_quantity=0.0, version=1, **{k: f(n) for k, f in named.items()}) for n in needs])
        named.pop("accepts", None)
        db.session.execute(sa.insert(Offer), [dict(
            ref=o.ref, firm_id=ids[o.firm], category_code=o.category, quantity=o.quantity,
            available_from=o.available_from, available_until=o.available_until,
            lead_time_days=o.lead_time_days, unit_price=o.unit_price,
            delivery_radius_km=o.delivery_radius_km, help_wanted=[], status="open",
            committed_quantity=0.0, version=1, **{k: f(o) for k, f in named.items()}) for o in offers])
        db.session.commit()
    return app


def run_end_to_end(needs, offers, subs, as_of, url=None, queries=200, products=()):
    """Store the instance, then time `matchmaker match` in its own process (stored rows to stored
    proposals), and the best-partner service call (database + index) in this one."""
    tmp = None
    if url is None:
        tmp = tempfile.mkdtemp(prefix="bench-match-")
        url = "sqlite:///" + os.path.join(tmp, "bench.sqlite")
    t0 = time.perf_counter()
    app = _store_instance(url, needs, offers, subs, products)
    print("stored the instance in %.1f s (%s)" % (time.perf_counter() - t0, url.split("://")[0]))
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
    # the console script, with its own peak memory printed on exit
    # ... and the CPU it has used when its app is ready (the CLI's start) and when the run begins
    code = ("import atexit, resource, sys\n"
            "def cpu():\n"
            "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
            "    return r.ru_utime + r.ru_stime\n"
            "def report():\n"
            "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
            "    print('CPU_S', cpu(), 'MAXRSS_KIB', r.ru_maxrss, file=sys.stderr)\n"
            "atexit.register(report)\n"
            "import matchmaker.cli as cli\n"
            "def app(*a, _create=cli.create_app, **k):\n"
            "    made = _create(*a, **k)\n"
            "    print('APP_READY_CPU_S', cpu(), file=sys.stderr)\n"
            "    from matchmaker import collector_paused\n"
            "    with collector_paused():  # as the command imports the matcher\n"
            "        import matchmaker.services.matching.runs as runs\n"
            "    def run(*a, _run=runs._run_matching, **k):\n"
            "        print('RUN_START_CPU_S', cpu(), file=sys.stderr)\n"
            "        return _run(*a, **k)\n"
            "    runs._run_matching = run\n"
            "    return made\n"
            "cli.create_app = app\n"
            "sys.argv = ['matchmaker', 'match', '--as-of', %r, '--no-progress']\n"
            "cli.main()\n" % as_of.isoformat())
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=str(ROOT))
    seconds = time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(out.stderr)
    child_rss = int(out.stderr.split("MAXRSS_KIB")[-1].split()[0])
    child_cpu = float(out.stderr.split("CPU_S")[-1].split()[0])
    app_ready = float(out.stderr.split("APP_READY_CPU_S")[-1].split()[0])
    run_start = float(out.stderr.split("RUN_START_CPU_S")[-1].split()[0])
    print(out.stdout.strip())
    from matchmaker.infra.extensions import db
    from matchmaker.models import User
    from matchmaker.models.pairing import MatchRun, Pairing
    from matchmaker.services import matching

    with app.app_context():
        run = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
        stored = db.session.scalar(sa.select(sa.func.count(Pairing.id)).where(Pairing.run_id == run.id))
        phases, objective = dict(run.timings), dict(run.objective)
        admin = User(email="bench@example.cn", name="bench", password_hash="x", role="admin")
        db.session.add(admin)
        db.session.commit()
        rng = random.Random(3)
        from matchmaker.models import Need, Offer

        need_ids = db.session.scalars(sa.select(Need.id)).all()
        offer_ids = db.session.scalars(sa.select(Offer.id)).all()
        t1 = time.perf_counter()
        matching.best_partners(admin, "need", need_ids[0], 10, as_of)  # builds the index
        build = time.perf_counter() - t1
        lat = []
        for i in range(queries):
            kind, ids = ("need", need_ids) if i % 2 == 0 else ("offer", offer_ids)
            t1 = time.perf_counter()
            matching.best_partners(admin, kind, rng.choice(ids), 10, as_of)
            lat.append((time.perf_counter() - t1) * 1000)
        lat.sort()
    return {
        "seconds": seconds,
        "cpu_seconds": child_cpu,
        "app_ready_cpu": app_ready,
        "run_start_cpu": run_start,
        "phases": phases,
        "stored_proposals": stored,
        "objective": objective,
        "max_rss_mib": child_rss / 1024,
        "service_best_partners": (build, lat[len(lat) // 2], lat[int(len(lat) * 0.95) - 1]),
    }


def main(argv=None):
    """Generate the instance, run every measurement, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--needs", type=int, default=50_000)
    ap.add_argument("--offers", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=300.0, help="networkx budget (s)")
    ap.add_argument("--queries", type=int, default=400, help="best-partner queries")
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--skip-whole", action="store_true")
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--db", help="database URL for the end-to-end run (default: temp SQLite)")
    ap.add_argument("--products", action="store_true", help="a product on every posting (spec/products.md)")
    ap.add_argument("--clusters", type=int, default=0,
                    help="many small components: postings in this many (category, county) groups "
                         "(e.g. 2000: about 1.2 million allowed pairs at the default size)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    if args.clusters:
        needs, offers, subs = generate_clustered(args.needs, args.offers, args.clusters, args.seed)
    else:
        needs, offers, subs = generate(args.needs, args.offers, args.seed)
    products = ()
    if args.products:
        needs, offers, products = add_products(needs, offers, args.seed)
    print("generated %d needs, %d offers in %.1f s (%d categories with a substitute; %s)"
          % (len(needs), len(offers), time.perf_counter() - t0, len(subs),
             "%d products, one on every posting" % len(products) if products else "no products"))
    index, timings, arrays = bench_core(needs, offers, subs, args)
    rng = random.Random(args.seed)
    p50, p95, pmax = bench_best_partners(index, args, rng)
    # best partners with 100,000 open postings: the index of this instance holds
    # needs + offers; scale up when the instance is smaller.
    print("best partners (index of %d postings): p50 %.2f ms, p95 %.2f ms, max %.2f ms"
          % (len(index.needs) + len(index.offers), p50, p95, pmax))
    e2e = None
    if not args.skip_e2e:
        e2e = run_end_to_end(needs, offers, subs, AS_OF, args.db, products=products)
    if not args.skip_networkx:
        bench_networkx(index, arrays, args, timings)
    print()
    print("%-42s %12s" % ("measurement", "seconds"))
    rows = [
        ("index build (graphs.matching)", timings["index"]),
        ("allowed pairs (indexed)", timings["candidates"]),
        ("solver: OR-Tools per component", timings["solve_per_component"]),
        ("solver: OR-Tools whole graph", timings.get("solve_whole_graph")),
        ("greedy baseline", timings["greedy"]),
    ]
    if e2e:
        rows.append(("end to end: matchmaker match (process)", e2e["seconds"]))
        for k, v in e2e.get("phases", {}).items():
            if isinstance(v, float):
                rows.append(("  phase %s" % k, v))
    for name, v in rows:
        print("%-42s %12s" % (name, "-" if v is None else "%.2f" % v))
    cpu = timings["cpu"]
    print("CPU seconds: index %.2f, candidates %.2f, solver per component %.2f, together %.2f%s"
          % (cpu["index"], cpu["candidates"], cpu["solve_per_component"], sum(cpu.values()),
             ", end to end matchmaker match (process) %.2f" % e2e["cpu_seconds"] if e2e else ""))
    nxv = timings.get("networkx", "skipped")
    if nxv is None:
        print("%-42s %12s" % ("networkx max_flow_min_cost", "over %g s" % args.budget))
    elif nxv != "skipped":
        print("%-42s %12.2f" % ("networkx max_flow_min_cost", nxv))
    raw = min(v for k, v in timings.items() if k.startswith("solve") and isinstance(v, float) and v)
    if e2e:
        print("end to end / best raw solver time: %.1fx (wall); CPU %.2f s / %.2f s = %.1fx"
              % (e2e["seconds"] / raw, e2e["cpu_seconds"], cpu["solve_per_component"],
                 e2e["cpu_seconds"] / cpu["solve_per_component"]))
        print("matchmaker match start (CPU): app ready after %.2f s, the run begins after %.2f s"
              % (e2e["app_ready_cpu"], e2e["run_start_cpu"]))
    if nxv is None:
        print("networkx / OR-Tools per component: > %.0fx" % (args.budget / raw))
    elif nxv != "skipped":
        print("networkx / OR-Tools per component: %.0fx" % (nxv / raw))
    print("peak memory (max RSS) of the benchmark process: %.0f MiB" % _rss_mib())
    if e2e:
        print("peak memory (max RSS) of matchmaker match: %.0f MiB" % e2e["max_rss_mib"])
        print("stored proposals: %d; objective %s" % (e2e["stored_proposals"], e2e["objective"]))
        b, p50s, p95s = e2e["service_best_partners"]
        print("best partners via the service (database + cached index): first call %.2f s "
              "(builds the index), then p50 %.2f ms, p95 %.2f ms" % (b, p50s, p95s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
