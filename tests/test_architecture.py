"""The architecture's guards: graphs/ is a pure library (no Flask, no database, no service imports,
no private names across modules, no networkx internals); each layer of matchmaker/ imports only what
it may (docs/architecture.md); domain errors carry no HTTP status; the public functions of the
services and of graphs/ carry type hints."""
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


GRAPHS_MODULES = sorted(GRAPHS.rglob("*.py"))


@pytest.mark.parametrize("path", GRAPHS_MODULES, ids=lambda p: p.relative_to(GRAPHS).as_posix())
def test_graphs_module_imports_no_service_layer(path):
    bad = [name for name in _imports(path) if name.split(".")[0] in FORBIDDEN]
    assert not bad, f"{path.name} imports {bad}"


def test_graphs_package_is_not_empty():
    assert len(list(GRAPHS.glob("*.py"))) >= 4
    assert len(list((GRAPHS / "matching").glob("*.py"))) >= 6


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_names_taken(path):
    """Private names a module takes from another: ``from x import _y``, ``x._y`` on a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if _private(alias.name):
                    yield f"from {'.' * node.level}{node.module or ''} import {alias.name}"
                if node.module is None:  # from . import build: a module
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and _private(node.attr)):
            yield f"{node.value.id}.{node.attr} (line {node.lineno})"


@pytest.mark.parametrize("path", GRAPHS_MODULES, ids=lambda p: p.relative_to(GRAPHS).as_posix())
def test_graphs_module_takes_no_private_name_from_another(path):
    bad = list(_private_names_taken(path))
    assert not bad, f"{path.name} takes private names: {bad}"


NETWORKX_INTERNALS = {"_succ", "_pred", "_adj", "_node"}


@pytest.mark.parametrize("path", GRAPHS_MODULES, ids=lambda p: p.relative_to(GRAPHS).as_posix())
def test_graphs_module_uses_only_the_public_networkx_api(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f".{node.attr} (line {node.lineno})" for node in ast.walk(tree)
           if isinstance(node, ast.Attribute) and node.attr in NETWORKX_INTERNALS]
    assert not bad, f"{path.name} reads networkx internals: {bad}"


def test_the_guards_catch_what_they_guard(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from __future__ import annotations\n"
                      "from .build import _inputs_map\n"
                      "from . import build\n"
                      "x = build._walk\n"
                      "y = G._succ\n", encoding="utf-8")
    assert list(_private_names_taken(sample)) == ["from .build import _inputs_map", "build._walk (line 4)"]
    with pytest.raises(AssertionError, match="_succ"):
        test_graphs_module_uses_only_the_public_networkx_api(sample)


# --- layers of matchmaker/: what each may import ---------------------------------------------------
# A module's imports are read from its source (top level and inside functions alike), each as the
# full dotted name of what it brings in: `from matchmaker import models` counts as
# `matchmaker.models`, `from matchmaker.infra.extensions import db` as `matchmaker.infra.extensions.db`.

MATCHMAKER = Path(__file__).resolve().parent.parent / "matchmaker"

LAYER_RULES = {
    # services are the use cases: no web framework, and nothing of the edges above them
    "services": ("flask", "flask_babel", "flask_login", "flask_smorest", "flask_sqlalchemy", "flask_wtf",
                 "werkzeug", "matchmaker.web", "matchmaker.api"),
    # packages read and write data-package files, below the services
    "packages": ("flask", "matchmaker.services", "matchmaker.web", "matchmaker.api"),
    # pages go through the services for every read and write
    "web": ("matchmaker.models", "sqlalchemy", "matchmaker.infra.extensions.db"),
    # the rules of fields are domain knowledge that schemas, services and packages read: they import none
    "rules": ("flask", "werkzeug", "sqlalchemy", "marshmallow", "matchmaker.services", "matchmaker.schemas",
              "matchmaker.packages", "matchmaker.models", "matchmaker.infra", "matchmaker.api", "matchmaker.web"),
    # the API's schemas take their limits and vocabularies from the rules, not from the services
    "schemas": ("matchmaker.services",),
    # the edges do not lean on each other: the words they share are in infra (infra.labels)
    "api": ("matchmaker.web", "matchmaker.cli"),
    # commands go through the services like the pages do
    "cli": ("matchmaker.web", "matchmaker.api", "matchmaker.models", "matchmaker.infra.extensions.db"),
}

def _module_name(path, root):
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(path, root=MATCHMAKER):
    """Full dotted names of everything the module imports (relative imports resolved)."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")


def _violations(path, forbidden, root=MATCHMAKER):
    return sorted({name for name in _imported_names(path, root)
                   for bad in forbidden if name == bad or name.startswith(bad + ".")})


def _layer_cases():
    for layer, forbidden in LAYER_RULES.items():
        for path in sorted((MATCHMAKER / layer).rglob("*.py")):
            yield pytest.param(path, forbidden, id=path.relative_to(MATCHMAKER).as_posix())


@pytest.mark.parametrize("path, forbidden", list(_layer_cases()))
def test_layer_imports_only_what_it_may(path, forbidden):
    bad = _violations(path, forbidden)
    assert not bad, f"{path.relative_to(MATCHMAKER)} imports {bad}"


@pytest.mark.parametrize("layer", sorted(LAYER_RULES))
def test_each_layer_is_checked(layer):
    assert len(list((MATCHMAKER / layer).rglob("*.py"))) >= 3


def test_the_import_reader_sees_every_form(tmp_path):
    """The checker itself: plain, from-, relative and in-function imports are all seen."""
    package = tmp_path / "matchmaker" / "web"
    package.mkdir(parents=True)
    probe = package / "probe.py"
    probe.write_text("import sqlalchemy as sa\nfrom matchmaker import models\n"
                     "from ..infra.extensions import db\n"
                     "def f():\n    from matchmaker.models.firm import KINDS\n", encoding="utf-8")
    bad = _violations(probe, LAYER_RULES["web"], root=tmp_path / "matchmaker")
    assert bad == ["matchmaker.infra.extensions.db", "matchmaker.models", "matchmaker.models.firm",
                   "matchmaker.models.firm.KINDS", "sqlalchemy"]


# --- domain errors: no HTTP status; the edge maps each class to one --------------------------------

def test_domain_errors_carry_no_http_status():
    from matchmaker import errors

    assert [name for name in _imported_names(MATCHMAKER / "errors.py") if not name.startswith("typing")] == []
    classes = [getattr(errors, name) for name in errors.__all__]
    assert errors.DomainError in classes and len(classes) >= 6
    for cls in classes:
        assert not {"status", "code", "status_code"} & set(vars(cls)), cls.__name__


def test_the_edge_maps_every_domain_error_to_a_status():
    from matchmaker import errors
    from matchmaker.infra.errors import status_of
    from matchmaker.packages.problems import PackageInvalid

    assert {name: status_of(getattr(errors, name)) for name in errors.__all__ if name != "Message"} == {
        "DomainError": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "Conflict": 409,
        "Invalid": 422, "ServiceUnavailable": 503,
    }
    assert status_of(PackageInvalid([])) == 422


# --- the rules of fields ------------------------------------------------------------------------

def test_the_control_character_pattern_is_written_once():
    # (packages/writers.py has its own, different set: the characters XML 1.0 cannot hold)
    written = [p.relative_to(MATCHMAKER).as_posix() for p in sorted(MATCHMAKER.rglob("*.py"))
               if r"\x0e-\x1f\x7f" in p.read_text(encoding="utf-8")]
    assert written == ["rules/values.py"]


# --- type hints on the public functions of the services and of graphs/ ----------------------------

TYPED_ROOTS = (MATCHMAKER / "services", GRAPHS)


def _unannotated(path):
    """`name: [what lacks a hint]` for each public function and public method of a public class
    (no leading underscore) whose parameters (self and cls aside) or return carry no annotation."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                yield from visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                args = node.args
                params = [a for a in args.posonlyargs + args.args + args.kwonlyargs
                          if not (prefix and a.arg in ("self", "cls"))]
                lacking = [a.arg for a in params if a.annotation is None]
                lacking += [f"{stars}{a.arg}" for stars, a in (("*", args.vararg), ("**", args.kwarg))
                            if a is not None and a.annotation is None]
                if node.returns is None:
                    lacking.append("return")
                if lacking:
                    yield f"{prefix}{node.name}: {lacking}"

    return list(visit(tree.body, ""))


def _typed_cases():
    for root in TYPED_ROOTS:
        for path in sorted(root.rglob("*.py")):
            yield pytest.param(path, id=path.relative_to(root.parent).as_posix())


@pytest.mark.parametrize("path", list(_typed_cases()))
def test_public_functions_carry_type_hints(path):
    bad = _unannotated(path)
    assert not bad, f"{path.name}: public functions without type hints: {bad}"


def test_the_type_hint_guard_catches_what_it_guards(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def typed(a: int, *rest: str, k: bool = True, **kw: int) -> int: ...\n"
                      "def no_return(a: int): ...\n"
                      "def half(a, b: int) -> None: ...\n"
                      "def stars(*args, **kwargs) -> None: ...\n"
                      "def _private(a): ...\n"
                      "class Public:\n"
                      "    def method(self, x) -> None: ...\n"
                      "    @classmethod\n"
                      "    def make(cls) -> 'Public': ...\n"
                      "    def _helper(self, y): ...\n"
                      "class _Hidden:\n"
                      "    def method(self, x): ...\n", encoding="utf-8")
    assert _unannotated(sample) == ["no_return: ['return']", "half: ['a']", "stars: ['*args', '**kwargs']",
                                    "Public.method: ['x']"]
    with pytest.raises(AssertionError, match="no_return"):
        test_public_functions_carry_type_hints(sample)


# --- each module says what it is for ----------------------------------------------------------------

@pytest.mark.parametrize("root", [MATCHMAKER, GRAPHS], ids=lambda p: p.name)
def test_every_module_opens_with_a_docstring(root):
    silent = [p.relative_to(root.parent).as_posix() for p in sorted(root.rglob("*.py"))
              if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert silent == []
