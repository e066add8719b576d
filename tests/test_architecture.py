"""Dependency direction: graphs/ is a pure library (no Flask, no database, no service imports)."""
import ast
from pathlib import Path

import pytest

GRAPHS = Path(__file__).resolve().parent.parent / "graphs"
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "marshmallow", "matchmaker", "apscheduler")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("path", sorted(GRAPHS.glob("*.py")), ids=lambda p: p.name)
def test_graphs_module_imports_no_service_layer(path):
    bad = [name for name in _imports(path) if name.split(".")[0] in FORBIDDEN]
    assert not bad, f"{path.name} imports {bad}"


def test_graphs_package_is_not_empty():
    assert len(list(GRAPHS.glob("*.py"))) >= 4
