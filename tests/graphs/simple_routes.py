"""The upstream breaks of chain-breaks.md kind 6 by enumerating every simple route (a test oracle).

Over the maps the detection scans (``graphs.supply_maps``), with stopped firms and high-risk counties:
a healthy edge ``S -> B`` in ``c`` (S live, no blockers) gets the smallest tier over the routes that
pass no firm twice, the path of that tier that sorts first, and the union of the factors of that
tier's roots (a supplier down: the factors of its ``supplier_down`` break; a chain gap:
``materials``). Exponential in the graph: for small graphs only.
"""

ROUTES_AT_MOST = 1_000_000


class TooManyRoutes(Exception):
    """The graph has too many simple routes to enumerate in a test."""


def exact_upstream(nodes, succ, chain, breaks, *, stopped=(), high_risk_counties=()):
    """``{(supplier, buyer, category): (tier, path, set of factors)}`` of every upstream break, from
    the other kinds in *breaks* (the detection's supplier_down factors and chain gaps)."""
    gaps = {(b.buyer, b.category) for b in breaks if b.kind == "chain_gap"}
    down_factors = {b.supplier: set(b.factors) for b in breaks if b.kind == "supplier_down"}

    def live(x):
        node = nodes[x]
        return (node.get("operating", True) and x not in stopped and node["county"] not in high_risk_counties
                and node.get("county_risk") != "high")

    into_healthy, into_down = {}, {}
    for s, buyers in succ.items():
        for b, kinds in buyers.items():
            for c in kinds:
                if not live(s):
                    into_down.setdefault((b, c), []).append(s)
                elif not nodes[s].get("blockers"):
                    into_healthy.setdefault((b, c), []).append(s)
    chain = chain or {}
    count = [0]

    def routes(s, b, c, visited):
        out = []
        for c1 in chain.get(c, ()):
            out.extend((2, (b, s, x), down_factors[x]) for x in into_down.get((s, c1), ()) if x not in visited)
            if (s, c1) in gaps:
                out.append((2, (b, s), {"materials"}))
            for t in into_healthy.get((s, c1), ()):
                if t not in visited:
                    out.extend((tier + 1, (b,) + path, f) for tier, path, f in routes(t, s, c1, visited | {t}))
        count[0] += len(out)
        if count[0] > ROUTES_AT_MOST:
            raise TooManyRoutes
        return out

    result = {}
    for (b, c), suppliers in into_healthy.items():
        for s in suppliers:
            if s == b:
                continue
            found = routes(s, b, c, frozenset({b, s}))
            if found:
                tier = min(r[0] for r in found)
                at = [r for r in found if r[0] == tier]
                result[(s, b, c)] = (tier, min(r[1] for r in at), set().union(*(r[2] for r in at)))
    return result


def upstream_of(breaks):
    """The detection's upstream breaks in the same form as :func:`exact_upstream`."""
    return {(b.supplier, b.buyer, b.category): (b.tier, b.path, set(b.factors))
            for b in breaks if b.kind == "upstream_break"}


def main(argv=None):
    """Count the generated provinces of ``test_detection_previous`` (``--dense``: of
    ``test_propagation_passes``), seeds FIRST..LAST-1, whose upstream breaks differ from the enumeration,
    at ``--max-routes`` (default 4); provinces with too many simple routes are left out and counted."""
    import argparse
    import random

    from graphs import supply_maps
    from graphs.detection import detect_in_maps
    from tests.graphs.test_detection_previous import AS_OF, COUNTIES, generated

    p = argparse.ArgumentParser(description=main.__doc__.split(";")[0])
    p.add_argument("first", type=int)
    p.add_argument("last", type=int)
    p.add_argument("--max-routes", type=int, default=4)
    p.add_argument("--dense", action="store_true", help="test_propagation_passes' denser generator instead")
    args = p.parse_args(argv)
    wrong, left_out = [], 0
    for seed in range(args.first, args.last):
        rnd = random.Random(seed)
        if args.dense:
            from graphs import chain_breaks_of
            from tests.graphs import test_propagation_passes as tpp

            firms, links, chain = tpp.generated(rnd)
            nodes, succ = supply_maps(firms, links)
            breaks = chain_breaks_of(firms, links, chain, as_of=tpp.AS_OF, max_routes=args.max_routes)
            try:
                exact = exact_upstream(nodes, succ, chain, breaks)
            except TooManyRoutes:
                left_out += 1
                continue
            if upstream_of(breaks) != exact:
                wrong.append(seed)
            continue
        firms, links, chain, needs, allowed = generated(rnd)
        rnd.randint(1, 8)  # the test's own max_routes: the same stopped firms and counties follow
        nodes, succ = supply_maps(firms, links)
        refs = [f["ref"] for f in firms]
        stopped = set(rnd.sample(refs, min(len(refs), rnd.randint(0, 2))))
        high_risk = set(rnd.sample(COUNTIES, rnd.randint(0, 1)))
        breaks = detect_in_maps(nodes, succ, chain, needs, as_of=AS_OF, allowed=allowed, horizon_days=56,
                                max_routes=args.max_routes, stopped=stopped, high_risk_counties=high_risk)
        try:
            exact = exact_upstream(nodes, succ, chain, breaks, stopped=stopped, high_risk_counties=high_risk)
        except TooManyRoutes:
            left_out += 1
            continue
        if upstream_of(breaks) != exact:
            wrong.append(seed)
    checked = args.last - args.first - left_out
    print(f"{len(wrong)} of {checked} provinces differ from the enumeration ({left_out} left out: too many routes)"
          + (f": seeds {', '.join(map(str, wrong))}" if wrong else ""))


if __name__ == "__main__":
    main()
