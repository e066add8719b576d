"""The graphs package loads its modules on first use (issue 14, item 1: the matcher's process does
not pay for networkx) and still offers every name its modules export, as star imports did."""
import importlib
import subprocess
import sys

import graphs


def test_every_name_is_what_the_star_imports_gave():
    expected = {}
    for name in graphs._EXPORTING:  # in order: a later module's name wins
        module = importlib.import_module("graphs." + name)
        for attr in module.__all__:
            expected[attr] = getattr(module, attr)
    assert graphs.__all__ == list(expected)
    for attr, value in expected.items():
        assert getattr(graphs, attr) is value, attr
    for name in graphs._SUBMODULES:
        assert getattr(graphs, name) is importlib.import_module("graphs." + name)
    assert set(graphs.__all__) <= set(dir(graphs))


def test_an_unknown_name_is_an_attribute_error():
    try:
        graphs.no_such_thing
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("graphs.no_such_thing resolved")


def test_matching_needs_no_networkx():
    code = ("import sys, graphs, graphs.matching\n"
            "graphs.Need, graphs.Offer, graphs.substitutes_map, graphs.firm_is_live, graphs.DeclinedPair\n"
            "assert 'networkx' not in sys.modules, 'networkx loaded'\n"
            "graphs.build_supply_graph([], [])\n"
            "assert 'networkx' in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_detection_over_plain_maps_needs_no_networkx():
    """The weekly report detects over plain maps (issue 14, item 2): networkx is loaded only where a
    graph is built, and a chain given as a plain mapping is never taken for one."""
    code = ("import sys, graphs\n"
            "firms = [{'ref': 'B', 'kind': 'leading', 'county': '230102'},\n"
            "         {'ref': 'S', 'county': '230102', 'operating': False}]\n"
            "found = graphs.chain_breaks_of(firms, [('S', 'B', 'car', 10)], {'car': ['steel']},\n"
            "                               as_of='2020-03-16')\n"
            "assert [b.kind for b in found] == ['supplier_down'], found\n"
            "assert graphs.input_output_maps({'car': ['steel']})[0] == {'car': frozenset({'steel'})}\n"
            "assert 'networkx' not in sys.modules, 'networkx loaded'\n"
            "chain = graphs.build_category_chain([('car', ['steel']), ('steel', [])])\n"
            "assert 'networkx' in sys.modules\n"
            "assert graphs.input_output_maps(chain)[0] == {'car': frozenset({'steel'})}\n"
            "assert graphs.category_inputs(chain, 'car') == ('steel',)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
