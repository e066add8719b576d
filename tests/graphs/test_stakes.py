"""graphs.edge_stakes (and its column form) against the rule read straight off the module's text."""
import random
from collections import namedtuple

from graphs.stakes import Stake, edge_stakes, edge_stakes_of_columns

LinkObject = namedtuple("LinkObject", "supplier buyer category quantity_per_week product unit active")


def _reference(links):
    """Per (supplier, buyer, category) of the active links, in the order of their first link: the
    quantities summed per (product, unit), products in code order, unnamed goods last."""
    per: dict = {}
    for s, b, c, q, p, u, active in links:
        if active:
            totals = per.setdefault((s, b, c), {})
            totals[p, u] = totals.get((p, u), 0.0) + float(q or 0.0)
    return {key: tuple(Stake(p, u, q) for (p, u), q in sorted(
        totals.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1] or "")))
        for key, totals in per.items()}


def _random_links(rng):
    firms = ["F%d" % i for i in range(rng.randint(1, 8))]
    return [(rng.choice(firms), rng.choice(firms), rng.choice(("C1", "C2", "C3")),
             rng.choice((None, 0, 0.0, 1, 2.5, rng.randint(1, 90), rng.random() * 100)),
             rng.choice((None, "P1", "P2", "P10")), rng.choice((None, "t", "head")), rng.random() < 0.9)
            for _ in range(rng.randint(0, 60))]


def test_edge_stakes_of_random_links_as_the_rule_says():
    for seed in range(400):
        rng = random.Random(seed)
        links = _random_links(rng)
        want = _reference(links)
        active = [link for link in links if link[6]]
        tuples = edge_stakes(tuple(link[:6]) for link in active)
        objects = edge_stakes([LinkObject(*link) for link in links])
        columns = edge_stakes_of_columns([link[:3] for link in active], [float(link[3] or 0.0) for link in active],
                                         [link[4] for link in active], [link[5] for link in active])
        for got in (tuples, objects, columns):
            assert list(got.items()) == list(want.items()), seed  # same edges, in the same order
            assert all(type(q) is float for stakes in got.values() for _p, _u, q in stakes)


def test_equal_stakes_of_single_link_edges_are_one_tuple():
    stakes = edge_stakes([("S", "B", "C1", 3, "P1", "t"), ("T", "B", "C1", 3.0, "P1", "t"),
                          ("S", "B", "C2", 3, "P2", "t")])
    assert stakes["S", "B", "C1"] is stakes["T", "B", "C1"]
    assert stakes["S", "B", "C2"] == (Stake("P2", "t", 3.0),)
