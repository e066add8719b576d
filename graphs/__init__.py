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
"""

from .exceptions import *  # noqa: F401,F403
from .records import *  # noqa: F401,F403
from .coerce import *  # noqa: F401,F403
from .build import *  # noqa: F401,F403
from .breaks import *  # noqa: F401,F403
from .stakes import *  # noqa: F401,F403
from .matching import *  # noqa: F401,F403
from .commitments import *  # noqa: F401,F403
from .visibility import *  # noqa: F401,F403
from .alternates import *  # noqa: F401,F403
from .agenda import *  # noqa: F401,F403
from . import (agenda, alternates, breaks, build, coerce, commitments, exceptions, help_matching, matching, records,
    stakes, survival, visibility)

# each name once (graphs.matching re-exports the records it takes)
__all__ = list(dict.fromkeys(
    exceptions.__all__ + records.__all__ + coerce.__all__ + build.__all__ + breaks.__all__ + stakes.__all__ + matching.__all__
    + commitments.__all__ + visibility.__all__ + alternates.__all__ + agenda.__all__))
