"""upstream_break against a brute-force enumeration of every simple route, on random small graphs
with firm and category cycles."""
import random
from datetime import date

import pytest

from graphs import build_supply_graph, chain_breaks

AS_OF = date(2020, 3, 16)


def brute_force(firms, links, chain, gaps):
    """{(S, B, c): (tier, path, factors)} by enumerating all simple routes."""
    live = {f["ref"]: f.get("operating", True) for f in firms}
    blockers = {f["ref"]: tuple(f.get("blockers", ())) for f in firms}
    edges = {(s, b, c) for s, b, c, q in links}
    healthy = {(s, b, c) for s, b, c in edges if live[s] and not blockers[s]}
    down = {(s, b, c) for s, b, c in edges if not live[s]}

    def down_factors(x):
        return set(blockers[x]) or {"other"}

    # routes from a healthy edge (S -> B, c): list of (tier, path, root factors)
    def routes(s, b, c, visited):
        out = []
        for c1 in chain.get(c, ()):
            for (x, y, cc) in down:
                if y == s and cc == c1 and x not in visited:
                    out.append((2, (b, s, x), down_factors(x)))
            if (s, c1) in gaps:
                out.append((2, (b, s), {"materials"}))
            for (t, y, cc) in healthy:
                if y == s and cc == c1 and t not in visited:
                    for tier, path, f in routes(t, s, c1, visited | {t}):
                        out.append((tier + 1, (b,) + path, f))
        return out

    result = {}
    for (s, b, c) in healthy:
        if s == b:
            continue
        rs = routes(s, b, c, frozenset({b, s}))
        if not rs:
            continue
        tier = min(r[0] for r in rs)
        at = [r for r in rs if r[0] == tier]
        result[(s, b, c)] = (tier, min(r[1] for r in at), set().union(*(r[2] for r in at)))
    return result


def random_case(rnd):
    n = rnd.randint(3, 7)
    cats = ["a", "b", "c"][: rnd.randint(2, 3)]
    chain = {c: sorted(rnd.sample(cats, rnd.randint(1, len(cats)))) for c in cats}
    refs = [f"F{i}" for i in range(n)]
    firms = []
    for r in refs:
        x = rnd.random()
        firms.append({"ref": r, "operating": x > 0.25,
                      "blockers": [rnd.choice(["labour", "funds", "ppe"])] if 0.25 < x < 0.35 or x < 0.1 else []})
    links = set()
    for _ in range(rnd.randint(n, 3 * n)):
        s, b = rnd.sample(refs, 2)
        links.add((s, b, rnd.choice(cats), 1.0))
    needs = []
    for r in rnd.sample(refs, rnd.randint(0, 2)):
        needs.append({"ref": f"N{r}", "buyer": r, "category": rnd.choice(cats), "quantity": 5,
                      "needed_by": AS_OF})
    return firms, sorted(links), chain, needs


@pytest.mark.parametrize("seed", range(300))
def test_upstream_breaks_match_brute_force(seed):
    rnd = random.Random(seed)
    firms, links, chain, needs = random_case(rnd)
    G = build_supply_graph(firms, links)
    breaks = chain_breaks(G, chain, needs, as_of=AS_OF, max_routes=8)
    gaps = {(b.buyer, b.category) for b in breaks if b.kind == "chain_gap"}
    expected = brute_force(firms, links, chain, gaps)
    got = {(b.supplier, b.buyer, b.category): (b.tier, b.path, set(b.factors))
           for b in breaks if b.kind == "upstream_break"}
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in expected.items()}
    # exactly the factors of the valid smallest-tier routes: none from a route passing a firm twice
    assert {k: v[2] for k, v in got.items()} == {k: v[2] for k, v in expected.items()}
