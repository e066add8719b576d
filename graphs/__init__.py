"""Pure graph library of the chain matchmaking service.

Plain records in (firms, links, needs, offers, categories: :mod:`graphs.records`,
put in shape by :mod:`graphs.coerce`), networkx graphs and plain results out; no
Flask, no database. See
:mod:`graphs.build` for the supply graph and category chain, :mod:`graphs.breaks`
for the chain breaks of the weekly dispatch report (its machinery in
:mod:`graphs.detection`, :mod:`graphs.propagation` and :mod:`graphs.routes`; what each puts
at stake, product by product, in :mod:`graphs.stakes`) and
:mod:`graphs.matching` for the pairing of needs with offers; :mod:`graphs.commitments` for
the article-10 ledger (settlement, overdue commitments, the leading firms' scorecard);
:mod:`graphs.visibility` for who sees a break (its ``regions``), the firms asking for help and
escalation by idle weeks; :mod:`graphs.alternates` for the alternate suppliers of the week's breaks,
:mod:`graphs.help_matching` for the help leading firms give SMEs, :mod:`graphs.survival`
for a break's time to survive and time to recover; :mod:`graphs.agenda` for the dispatch meeting's
agenda (one item per problem).

The package loads its modules on first use (PEP 562): ``graphs.Need`` imports
:mod:`graphs.records` only, so a process that matches needs with offers never pays for
networkx (loaded only where a graph is built: the weekly report, detecting over plain maps, never
loads it either). The names are those of the modules below, as a star import of each in that order
would give them.
"""

import importlib

#: the modules whose public names ``graphs`` offers (a later one's name wins, as star imports would)
_EXPORTING = ("exceptions", "records", "coerce", "build", "breaks", "stakes", "matching", "commitments", "visibility",
             "alternates", "agenda")
#: every submodule reachable as an attribute
_SUBMODULES = _EXPORTING + ("help_matching", "survival")
# where a name is looked for: the modules that need no networkx first (a name is exported by one
# module, or re-exported as the same object: tests/graphs/test_package.py checks that the order
# gives what the star imports gave)
_LOOKUP = ("exceptions", "records", "coerce", "stakes", "commitments", "matching", "build", "breaks", "visibility",
           "alternates", "agenda")


def _module(name):
    return importlib.import_module("." + name, __name__)


def _all():
    # each name once (graphs.matching re-exports the records it takes)
    return list(dict.fromkeys(n for m in _EXPORTING for n in _module(m).__all__))


def __getattr__(name):
    if name in _SUBMODULES:
        return _module(name)
    if name == "__all__":
        value = _all()
    else:
        for m in _LOOKUP:
            module = _module(m)
            if name in module.__all__:
                value = getattr(module, name)
                break
        else:
            raise AttributeError("module %r has no attribute %r" % (__name__, name))
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(__getattr__("__all__")))
