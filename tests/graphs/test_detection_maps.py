"""The detection without a networkx graph (graphs.chain_breaks_of over graphs.supply_maps) finds
exactly what chain_breaks finds on the graph built from the same records (issue 14, item 2)."""
import random

import pytest

from graphs import UnknownFirmError, build_supply_graph, chain_breaks, chain_breaks_of, supply_maps
from tests.graphs.test_breaks_bruteforce import AS_OF, random_case


@pytest.mark.parametrize("seed", range(200))
def test_same_breaks_as_on_the_graph(seed):
    rnd = random.Random(seed)
    firms, links, chain, needs = random_case(rnd)
    # links repeated on one supply edge are summed; an inactive one is left out
    links = links + [(s, b, c, 2.5) for s, b, c, _ in links[: rnd.randint(0, 3)]]
    links = [dict(supplier=s, buyer=b, category=c, quantity_per_week=q, active=rnd.random() > 0.1)
             for s, b, c, q in links]
    for f in firms:
        f["county"] = rnd.choice(["230102", "230103", "230202"])
        f["kind"] = rnd.choice(["leading", "sme"])
    allowed = {n["ref"] for n in needs if rnd.random() < 0.5}
    G = build_supply_graph(firms, links)
    expected = chain_breaks(G, chain, needs, as_of=AS_OF, needs_with_allowed_offer=allowed, max_routes=3)
    got = chain_breaks_of(firms, links, chain, needs, as_of=AS_OF, needs_with_allowed_offer=allowed, max_routes=3)
    assert got == expected
    nodes, succ = supply_maps(firms, links)
    assert nodes == dict(G.nodes(data=True))
    assert list(succ) == list(G)
    assert succ == {s: {b: {c: d["quantity_per_week"] for c, d in kd.items()} for b, kd in nbrs.items()}
                    for s, nbrs in G.adjacency()}


def test_a_link_to_an_unknown_firm_raises():
    with pytest.raises(UnknownFirmError):
        supply_maps([{"ref": "B"}], [("S", "B", "C1", 1.0)])
    with pytest.raises(UnknownFirmError):
        supply_maps([{"ref": "S"}], [("S", "B", "C1", 1.0)])


@pytest.mark.parametrize("top", [50, 10**12, 1 << 62, 1 << 66, 1 << 80])
def test_the_upstream_breaks_order_is_that_of_their_keys(top):
    """The upstream breaks are made in the order of their keys (one int per edge, by buyer, category
    and supplier): numpy's argsort where the keys fit in 63 bits, else a sort of the ids by key."""
    from graphs.detection import _argsort

    rnd = random.Random(top)
    for n in (0, 1, 2, 7, 300):
        keys = rnd.sample(range(min(top, 10**6)), min(n, top)) if top < 10**6 else [
            rnd.randrange(top) for _ in range(n)]
        keys = list(dict.fromkeys(keys))  # distinct, as the edges' keys are
        assert _argsort(keys) == sorted(range(len(keys)), key=keys.__getitem__)
        assert all(type(i) is int for i in _argsort(keys))
