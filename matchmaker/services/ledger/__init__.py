"""The article-10 ledger (spec/article10.md), by use case.

- :mod:`.entries`: recording orders, deliveries and payments on a link, confirming a delivery, reading;
- :mod:`.status`: a link's ledger settled as of today (what each delivery still owes, when it is due,
  what is overdue), for the pages and the API.

How payments settle deliveries and what is overdue is :mod:`graphs.commitments`; the weekly
report's `commitments` and `leading_firms` are written by :mod:`matchmaker.services.reports`.
"""
from matchmaker.services.ledger.entries import *  # noqa: F401,F403
from matchmaker.services.ledger.status import *  # noqa: F401,F403
from matchmaker.services.ledger import entries, status

__all__ = [*entries.__all__, *status.__all__]
