"""Optimal "hand-in-hand" pairing of open needs with open offers.

The algorithmic core of the matcher (``spec/matching.md``), written on plain records so
it can be tested without Flask or a database, one module per step, in the manner of
``networkx.algorithms.flow``:

* :class:`~graphs.records.Need` and :class:`~graphs.records.Offer` (built with
  :func:`NeedRecord` and :func:`OfferRecord` in the matcher's argument order) carry
  what is still open of a posting;
* :mod:`~graphs.matching.goods` -- hard rule 2 with products (``spec/products.md``):
  :func:`goods_allowed` on one pair, :class:`GoodsGroups` on groups of postings;
* :mod:`~graphs.matching.index` -- :func:`build_index` keeps what is open and groups
  the offers and needs by their goods (category, product, accepts, unit) so that
  allowed pairs are found per pair of groups, never by scanning all pairs; its
  columns are in :mod:`~graphs.matching.columns`;
* :mod:`~graphs.matching.candidates` -- :func:`allowed_pairs` yields every pair the
  seven hard rules allow, with its unit cost (:mod:`~graphs.matching.costs`) and
  distance (:mod:`~graphs.matching.geo`);
* :mod:`~graphs.matching.solve` and :mod:`~graphs.matching.propose` --
  :func:`propose_pairings` computes the lexicographic optimum -- the largest total
  quantity matched, then the least total cost -- over *all* allowed pairs;
  :func:`greedy_pairings` is the cheapest-pair-first baseline used by the benchmark;
* :mod:`~graphs.matching.partners` -- :func:`best_partners` answers "the top N
  partners of this posting" from a prebuilt index, without a full run;
* :mod:`~graphs.matching.reasons` -- :func:`pairing_reasons` words why a pair was
  proposed; :mod:`~graphs.matching.results` holds what a run returns.

The hard rules are listed in :mod:`graphs.matching.candidates`, the unit cost and the
integer scales of the solver in :mod:`graphs.matching.costs`.

Examples
--------
>>> from datetime import date
>>> from graphs import matching as gm
>>> need = gm.NeedRecord("N1", "B", "steel", 10, date(2020, 3, 31), 45.7, 126.6)
>>> offer = gm.OfferRecord("O1", "S", "steel", 4, date(2020, 3, 1), 45.8, 126.5)
>>> r = gm.propose_pairings([need], [offer], as_of=date(2020, 3, 16))
>>> [(p.need, p.offer, p.quantity) for p in r.pairings], [(u.need, u.quantity) for u in r.unmet]
([('N1', 'O1', 4.0)], [('N1', 6.0)])
"""

from ..exceptions import MatchingError
from ..records import ARTICLE_10_TERMS, Need, NeedRecord, Offer, OfferRecord
from .candidates import *  # noqa: F401,F403
from .costs import *  # noqa: F401,F403
from .geo import *  # noqa: F401,F403
from .goods import *  # noqa: F401,F403
from .index import *  # noqa: F401,F403
from .partners import *  # noqa: F401,F403
from .propose import *  # noqa: F401,F403
from .reasons import *  # noqa: F401,F403
from .results import *  # noqa: F401,F403
from .solve import *  # noqa: F401,F403
from . import candidates, costs, geo, goods, index, partners, propose, reasons, results, solve

__all__ = ["Need", "Offer", "NeedRecord", "OfferRecord", "ARTICLE_10_TERMS", "MatchingError"]
for _module in (geo, costs, results, goods, index, candidates, solve, propose, partners, reasons):
    __all__ += _module.__all__
del _module
