"""Matching: the service side of :mod:`graphs.matching`, by use case.

- :mod:`.runs`: runs of the matcher (stored rows -> optimal proposals), started by staff, the
  daily schedule or ``matchmaker match``; listing and reading stored runs;
- :mod:`.proposals`: the proposal lifecycle (accept by both sides -> an active link, decline,
  lapse), with the signal receivers that lapse proposals when a posting closes or changes;
- :mod:`.partners`: the best partners of one posting from a cached index of the open postings;
- :mod:`.weights`: the configured unit-cost weights.

Rows become matcher records only in :mod:`matchmaker.services.support.network`; the run file is
written by :mod:`matchmaker.packages.runfile`. The public functions are re-exported here.
"""
from matchmaker.services.matching.partners import INDEX_TTL_SECONDS, best_partners, invalidate_index
from matchmaker.services.matching.proposals import (
    accept_pairing,
    can_read_pairing,
    decline_pairing,
    get_pairing,
    lapse_for_posting,
    list_my_pairing_rows,
    list_my_pairings,
    quantity_per_week,
)
from matchmaker.services.matching.runs import get_run, list_runs, may_start_run, run_matching, start_run

__all__ = [
    "INDEX_TTL_SECONDS",
    "accept_pairing",
    "best_partners",
    "can_read_pairing",
    "decline_pairing",
    "get_pairing",
    "get_run",
    "invalidate_index",
    "lapse_for_posting",
    "list_my_pairing_rows",
    "list_my_pairings",
    "list_runs",
    "may_start_run",
    "quantity_per_week",
    "run_matching",
    "start_run",
]
