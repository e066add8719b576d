"""Province-scale benchmark of the alternates per break (issue 13, item 5).

Generates the weekly-report benchmark's province (``bench_weekly_report.generate``: 50,000 firms,
200,000 active links on the real category chain and counties, 20,000 needs and 20,000 offers) in
a fresh SQLite database (``--db URL`` for another, e.g. PostgreSQL), writes the report of
2020-W12, then times the alternates of every open supplier_down, supplier_strained, chain_gap
and uncovered_need break of that week, allocated jointly as one min-cost flow:

* ``service``: :func:`matchmaker.services.alternates.week_alternates` end to end (stored rows ->
  break demands -> index, allowed pairs, one flow -> rows for the pages), cache cold;
* ``graphs``: the pure :func:`graphs.find_alternates` on the same demands and offers, stage by
  stage (index, candidates, solve, result), ``--repeat`` times, each connected component handed
  to OR-Tools alone (the default) and all in one call (the same optimum, checked);
* and a check that no offer is promised beyond its open quantity.

Run:  ``python benchmarks/bench_alternates.py [--firms 50000 --links 200000 --needs 20000 --seed 1]``
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import bench_weekly_report as province  # noqa: E402  (the same generator as the report's benchmark)


def main(argv: list[str] | None = None) -> None:
    """Generate the province, write W12's report, time the week's alternates and print figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=50_000)
    ap.add_argument("--links", type=int, default=200_000)
    ap.add_argument("--needs", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = ap.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench_alternates_")
    url = args.db or f"sqlite:///{tmp}/province.sqlite"
    os.environ["MATCHMAKER_TODAY"] = province.AS_OF.isoformat()
    t = time.perf_counter()
    province.generate(url, args.firms, args.links, args.needs, args.seed)
    print(f"generated {args.firms} firms, {args.links} links, {args.needs} needs and offers "
          f"in {time.perf_counter() - t:.1f} s ({url})", flush=True)
    app = province._app(url)
    app.config["TODAY"] = province.AS_OF
    with app.app_context():
        import sqlalchemy as sa

        import graphs
        from matchmaker.infra.extensions import db
        from matchmaker.models.report import OPEN_STATUSES, Break
        from matchmaker.services import alternates, reports
        from matchmaker.services.matching.weights import configured_weights
        from matchmaker.services.support import network as net

        t = time.perf_counter()
        report, _ = reports.write_weekly_report("2020-W12")
        print(f"weekly report 2020-W12 written in {time.perf_counter() - t:.1f} s", flush=True)
        kinds = Counter(dict(db.session.execute(
            sa.select(Break.kind, sa.func.count(Break.id))
            .where(Break.report_id == report.id, Break.status.in_(OPEN_STATUSES),
                   Break.kind.in_(graphs.ALTERNATE_KINDS)).group_by(Break.kind)).all()))
        print(f"breaks that get alternates: {sum(kinds.values())} "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})", flush=True)

        alternates.invalidate_alternates()
        t, c = time.perf_counter(), time.process_time()
        week = alternates.week_alternates("2020-W12")
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        with_alts = sum(1 for v in week.by_break.values() if v)
        n_alts = sum(len(v) for v in week.by_break.values())
        print(f"service week_alternates (cold): {wall:.2f} s wall, {cpu:.2f} s CPU; "
              f"{with_alts} of {len(week.sought)} breaks with alternates, {n_alts} alternates, "
              f"sought {sum(week.sought.values()):,.0f}, matched {week.objective['matched_quantity']:,.0f}, "
              f"cost {week.objective['total_cost']:,.1f}", flush=True)
        print(f"  graphs stages (s): {week.timings}", flush=True)
        t = time.perf_counter()
        alternates.week_alternates("2020-W12")
        print(f"service week_alternates (cached): {1000 * (time.perf_counter() - t):.1f} ms", flush=True)

        # the pure function alone, on the same inputs
        rows = [r._asdict() for r in db.session.execute(
            sa.select(Break.key, Break.kind, Break.buyer, Break.supplier, Break.category, Break.quantity)
            .where(Break.report_id == report.id, Break.status.in_(OPEN_STATUSES),
                   Break.kind.in_(graphs.ALTERNATE_KINDS))).all()]
        postings = net.load_postings(week.as_of)
        edges = {(r["supplier"], r["buyer"], r["category"]) for r in rows if r["supplier"]}
        demands = graphs.break_demands(rows, postings.needs, as_of=week.as_of, places=net.load_places(),
                                       edge_goods=net.load_edge_goods(edges))
        kw = dict(as_of=week.as_of, substitutes=net.load_substitutes(), weights=configured_weights(),
                  customers=net.load_customers(), declined=net.load_declined())
        n_needs = sum(len(d.needs) for d in demands)
        objectives = set()
        for label, batch in (("per component, the default", 1), ("one solver call", None)):
            totals, cpus, stages = [], [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                result = graphs.find_alternates(demands, postings.offers, batch_arcs=batch, **kw)
                totals.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
                stages.append(result.timings)
            objectives.add((result.objective["matched_quantity"], round(result.objective["total_cost"], 3)))
            print(f"graphs.find_alternates ({label}): {len(demands)} breaks ({n_needs} needs) x "
                  f"{len(postings.offers)} offers, {stages[0]['arcs']} allowed pairs; median "
                  f"{statistics.median(totals):.2f} s wall over {args.repeat} (min {min(totals):.2f}, "
                  f"max {max(totals):.2f}), median CPU {statistics.median(cpus):.2f} s", flush=True)
            print("  stages, median s: " + ", ".join(
                f"{name} {statistics.median(s[name] for s in stages):.3f}" for name in stages[0] if name != "arcs"),
                flush=True)
        print(f"same optimum both ways: {len(objectives) == 1} {sorted(objectives)}", flush=True)
        held = {o.ref: o.quantity - o.committed for o in postings.offers}
        used: dict[str, float] = {}
        for alts in result.by_break.values():
            for a in alts:
                used[a.offer] = used.get(a.offer, 0.0) + a.quantity
        over = [r for r, q in used.items() if q > held[r] + 1e-6]
        print(f"offers used: {len(used)}; promised beyond their open quantity: {len(over)}", flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
