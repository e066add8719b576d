"""The break detection alone on the weekly report's province (issue 14, item 2): CPU seconds of
``graphs.chain_breaks_of`` over the rows the report loads, this checkout against another, alternated in
one process (so a busy machine disturbs both alike), and whether both found the same breaks.

The province is :mod:`benchmarks.bench_weekly_report`'s (50,000 firms, 200,000 links by default, the
same seed, the same generator), loaded as ``matchmaker report weekly`` loads it for 2020-W12 and
2020-W13 (firms, links, chain, needs, the needs with an allowed offer); the collector is off, as in
the report run. ``--before TREE``: the ``graphs`` package of another checkout, imported under another
name, runs beside this one's, each first in every other round.

Run:  ``python benchmarks/bench_detection.py --before /path/to/old/checkout [--repeat 3]``
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import shutil
import sys
import tempfile
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.bench_weekly_report import _app, add_province_arguments, generate  # noqa: E402

WEEKS = (("2020-W12", date(2020, 3, 16)), ("2020-W13", date(2020, 3, 23)))


def _inputs(url):
    """What the report's detection gets for each week: (week, args, keyword args)."""
    from matchmaker.services import risk_zones
    from matchmaker.services.reports.write import detection_options
    from matchmaker.services.support import network as net

    with _app(url).app_context():
        out = []
        for week, as_of in WEEKS:
            network = net.load_network(as_of, risks=risk_zones.risk_overrides(as_of))
            allowed = net.needs_with_allowed_offer(as_of, network)
            out.append((week, (list(network.firms), list(network.links), network.chain, list(network.needs)),
                        dict(as_of=as_of, needs_with_allowed_offer=set(allowed), **detection_options())))
        return out


def _package_of(tree, tmp):
    """The ``graphs`` package of another checkout, copied and imported as ``graphs_before``."""
    shutil.copytree(os.path.join(tree, "graphs"), os.path.join(tmp, "graphs_before"))
    sys.path.insert(0, tmp)
    return importlib.import_module("graphs_before.breaks")


def _own_records(module, args):
    """The firms, links and needs as the records of *module*'s package (records of another package's
    classes would take its slow path for records of unknown kind)."""
    records = importlib.import_module(module.__name__.rsplit(".", 1)[0] + ".records")
    firms, links, chain, needs = args
    return ([records.Firm(*f) for f in firms], [records.Link(*lk) for lk in links], chain,
            [records.Need(*n) for n in needs])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_province_arguments(p)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--before", help="another checkout whose detection runs beside this one")
    args = p.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-detection-")
    try:
        url = f"sqlite:///{tmp}/bench.sqlite"
        generate(url, args.firms, args.links, args.needs, args.seed)
        inputs = _inputs(url)
        import graphs.breaks as after

        runs = ([("before", _package_of(os.path.abspath(args.before), tmp))] if args.before else []) + [
            ("after", after)]
        gc.disable()  # as in the report run
        for week, a, kw in inputs:
            cpu, found = {}, {}
            own = {label: _own_records(module, a) for label, module in runs}
            for i in range(args.repeat):
                for label, module in runs if i % 2 == 0 else runs[::-1]:  # each first in turn
                    c0 = time.process_time()
                    breaks = module.chain_breaks_of(*own[label], **kw)
                    cpu.setdefault(label, []).append(time.process_time() - c0)
                    found.setdefault(label, [tuple(b) for b in breaks])
                    del breaks
                    gc.collect()
            same = all(x == found["after"] for x in found.values())
            print(f"{week}: {len(found['after'])} breaks" + (f", the same as before: {same}" if args.before else ""))
            for label, times in cpu.items():
                print(f"  {label:6s} {min(times):.2f}-{max(times):.2f} s CPU ({' '.join(f'{t:.2f}' for t in times)})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
