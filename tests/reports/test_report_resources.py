"""What a weekly report run holds on to: nothing of the supply graph outlives the detection.

A report run switches the cyclic garbage collector off (10^6 short-lived containers); the graph's
cached views (``G.nodes``, ``G.edges``) refer back to the graph, so without care the whole graph
would stay in memory until the run ends (issue 14: ~100 MiB at a province's scale).
"""
import gc
from datetime import date

from matchmaker.services.reports import write
from tests import factories as f


def test_the_supply_graph_is_emptied_once_the_breaks_are_detected(db, monkeypatch):
    b = f.firm("B", kind="leading", region_code="230102")
    s = f.firm("S", region_code="230102", operating=False, blockers=["labour"])
    f.link(s, b, "C1", 40.0)
    db.session.commit()
    graphs = []
    build = write.build_supply_graph

    def spy(*args, **kwargs):
        G = build(*args, **kwargs)
        graphs.append(G)
        return G

    monkeypatch.setattr(write, "build_supply_graph", spy)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        detected = write.detect_breaks(date(2020, 3, 16))
    finally:
        if was_enabled:
            gc.enable()
    assert [(x.kind, x.supplier) for x in detected] == [("supplier_down", "S")]
    (G,) = graphs
    assert G.number_of_nodes() == 0 and G.number_of_edges() == 0
