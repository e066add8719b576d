"""What a weekly report run holds on to: nothing of the supply graph outlives the detection.

A report run switches the cyclic garbage collector off (10^6 short-lived containers); a networkx
graph's cached views (``G.nodes``, ``G.edges``) refer back to the graph, so it would stay in memory
until the run ends (issue 14: ~100 MiB at a province's scale). The report builds none: its
detection reads plain dicts (graphs.chain_breaks_of).
"""
import gc
from datetime import date

from matchmaker.services.reports import write
from tests import factories as f


def test_the_report_detects_without_building_a_supply_graph(db, monkeypatch):
    """No networkx graph at all (nothing to outlive the detection): the detection reads plain
    dicts of the firms and links (graphs.chain_breaks_of), and finds what chain_breaks finds."""
    import networkx as nx

    from graphs import build_supply_graph, chain_breaks
    from matchmaker.services.support import network as net

    b = f.firm("B", kind="leading", region_code="230102")
    s = f.firm("S", region_code="230102", operating=False, blockers=["labour"])
    f.link(s, b, "C1", 40.0)
    db.session.commit()
    made = []

    class Spy(nx.MultiDiGraph):
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(nx, "MultiDiGraph", Spy)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        detected = write.detect_breaks(date(2020, 3, 16))
    finally:
        if was_enabled:
            gc.enable()
    assert [(x.kind, x.supplier) for x in detected] == [("supplier_down", "S")]
    assert made == []
    monkeypatch.undo()
    network = net.load_network(date(2020, 3, 16))
    G = build_supply_graph(network.firms, network.links)
    assert detected == chain_breaks(G, network.chain, network.needs, as_of=date(2020, 3, 16),
                                    **write.detection_options())
