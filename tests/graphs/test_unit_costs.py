"""The vectorised unit costs (graphs.matching.costs.unit_costs) are, pair by pair, the sum of the module's
terms in its order, computed one float at a time (so a faster form cannot change a run's costs)."""
import math
import random

import numpy as np
import pytest

from graphs.matching import COST_SCALE, build_index, candidate_arrays
from graphs.matching.costs import PRICE_RATIO_CAP, not_supply_first

from .test_matching_records import AS_OF, _instance


def _scalar_cost(index, n, o, dist):
    nc, oc, w = index.need_columns, index.offer_columns, index.weights
    ref = float(nc.max_price[n])
    if math.isnan(ref):
        ref = float(index.cat_median[oc.goods[o]])
    price = float(oc.price[o])
    try:
        ratio = price / ref
    except ZeroDivisionError:
        ratio = math.inf
    ratio = ratio if math.isfinite(ratio) else 1.0
    ratio = min(max(ratio, 0.0), PRICE_RATIO_CAP)
    hand = not (oc.sme[o] and nc.leading[n])
    cost = (w["distance"] * (dist / 100.0) + w["price"] * ratio + w["lead_time"] * (float(oc.lead[o]) / 7.0)
            + w["not_hand_in_hand"] * hand + w["workers_away"] * min(max(1.0 - float(oc.workers[o]), 0.0), 1.0)
            + w["no_terms"] * (1.0 - float(nc.terms[n])))
    if index.supply_first is not None:
        cost += w["not_supply_first"] * bool(not_supply_first(nc, oc, np.array([n]), np.array([o]),
                                                              index.supply_first)[0])
    return int(np.rint(max(cost, 0.0) * COST_SCALE))


@pytest.mark.parametrize("seed", range(6))
def test_unit_costs_are_the_terms_summed_pair_by_pair(seed):
    rng = random.Random(seed)
    needs, offers = _instance(rng, 60)
    weights = {k: round(rng.uniform(0.1, 3.0), 3) for k in ("distance", "price", "lead_time", "not_hand_in_hand",
                                                           "workers_away", "no_terms", "not_supply_first")}
    index = build_index(needs, offers, as_of=AS_OF, weights=weights, customers={"F1": ["F2", "F3"], "F4": ["F1"]})
    ni, oi, cost, dist = candidate_arrays(index)
    assert ni.size
    assert cost.tolist() == [_scalar_cost(index, n, o, d) for n, o, d in zip(ni.tolist(), oi.tolist(), dist.tolist())]
