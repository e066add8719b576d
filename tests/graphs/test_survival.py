"""graphs.survival: when the buyer runs out, when supply recovers, what is critical and first."""
from datetime import date, timedelta

import pytest

from graphs.survival import Survival, critical_first, survival

D = date(2020, 3, 16)


@pytest.mark.parametrize("kind, stock, restart, due, critical", [
    ("supplier_down", 10, D + timedelta(days=11), None, True),    # back a day after it runs out
    ("supplier_down", 10, D + timedelta(days=10), None, False),   # back the day it runs out
    ("supplier_down", 10, None, None, True),                      # down with no restart date
    ("supplier_strained", 10, None, None, False),                 # strained, still supplying
    ("supplier_strained", 2, D + timedelta(days=5), None, True),
    ("uncovered_need", 3, None, D + timedelta(days=4), True),     # asked to arrive after it runs out
    ("chain_gap", 5, None, D + timedelta(days=4), False),
    ("supplier_down", None, D + timedelta(days=30), None, False),  # stock unknown: nothing to say
    ("single_source", 1, D + timedelta(days=30), None, False),
])
def test_critical_when_recovery_comes_after_the_buyer_runs_out(kind, stock, restart, due, critical):
    s = survival(kind, D, days_of_stock=stock, restart=restart, due=due)
    assert s.critical is critical
    assert s.runs_out == (None if stock is None else D + timedelta(days=stock)) and s.days_left == stock


def test_critical_first_then_days_left_then_given_order():
    s = {"late": Survival(None, None, 30, True), "soon": Survival(None, None, 1, False),
         "unknown": None, "later": Survival(None, None, 7, False), "urgent": Survival(None, None, 2, True)}
    assert critical_first(["unknown", "later", "late", "soon", "urgent"], s.get) == [
        "urgent", "late", "soon", "later", "unknown"]
