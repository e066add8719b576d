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
            "graphs.build_supply_graph\n"
            "assert 'networkx' in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
