"""The demo's hand-built chains: a few scenarios that make sure every kind of chain break of
``chain-breaks.md`` shows up in the demo, whatever the random body holds.
"""
from __future__ import annotations

from datetime import timedelta

from matchmaker.demo.builder import Builder
from matchmaker.demo.catalogue import AS_OF
from matchmaker.demo.places import HIGH_RISK_COUNTY

__all__ = ["SCENARIOS", "add_scenarios"]

#: Hand-built chains that make sure every kind of break of chain-breaks.md shows up.
SCENARIOS = {
    "supplier_down→upstream_break tier 2": "dairy 克东 ← healthy farm ← feed mill not operating",
    "supplier_down→upstream_break tier 3": "dairy 安达 ← healthy farm ← healthy feed mill ← corn farm in the high-risk county",
    "chain_gap→upstream_break tier 2/3": "dairy 松北 ← healthy farm ← healthy feed mill whose peanut-meal need (P014013, IO014) has no offer",
    "chain_gap (no offer at all)": "bearing maker needs copper sheet for cages (P065006, IO065): nobody offers it",
    "chain_gap (no offer allowed)": "machine-tool maker needs industrial fans (P071001, IO071): every offer is too late, too dear, closed, expired or from a firm that is down",
    "single_source": "graphite maker has two graphite-ore suppliers, one of them not operating",
    "supplier_down factor other": "a supplier not operating that reports no blocker",
}


def add_scenarios(b: Builder, leader_at: dict[str, str]) -> None:
    """The hand-built chains listed in :data:`SCENARIOS`."""
    healthy = {"operating": True, "blockers": (), "capacity": 0.9, "workers": 0.95, "locked": True}

    def sme(tag, county, **status):
        s = dict(healthy)
        s.update(status)
        locked = s.pop("locked")
        return b.add_firm("sme", tag, county, tier=1, locked=locked, **s)

    # dairy 克东 ← healthy farm ← feed mill not operating: upstream_break tier 2
    d1 = leader_at["dairy:230230"]
    f1 = sme("milk", "230229")  # 克山县
    m1 = sme("feed", "230231", operating=False, blockers=("labour", "ppe"), capacity=0.0, workers=0.2)
    b.add_link(f1, d1, quantity=35.0)
    b.add_link(m1, f1, quantity=12.0)

    # dairy 安达 ← healthy farm ← healthy feed mill ← corn farm in the high-risk county: tier 3
    d2 = leader_at["dairy:231281"]
    f2 = sme("milk", "231281")
    m2 = sme("feed", "231223")  # 青冈县
    c2 = sme("corn", HIGH_RISK_COUNTY, blockers=("transport",), capacity=0.3, workers=0.5, product="P001002")
    b.add_link(f2, d2, quantity=28.0)
    b.add_link(m2, f2, quantity=9.0)
    b.add_link(c2, m2, quantity=40.0)

    # dairy 松北 ← healthy farm ← healthy feed mill with a chain gap in peanut meal (IO014)
    d3 = leader_at["dairy:230109"]
    f3 = sme("milk", "230111")  # 呼兰区
    m3 = sme("feed", "230126")  # 巴彦县
    b.add_link(f3, d3, quantity=30.0)
    b.add_link(m3, f3, quantity=10.0)
    b.add_need(m3, "protein_meal", quantity=40.0, needed_by=AS_OF + timedelta(days=25), max_unit_price=None,
               terms=["pay_first"], note="采购花生粕作饲料蛋白原料")

    # bearing maker needs copper sheet for cages (IO065): no offer anywhere
    bearings = leader_at["bearings:230110"]
    b.add_need(bearings, "rolled_nonferrous", quantity=60.0, needed_by=AS_OF + timedelta(days=30),
               max_unit_price=None, terms=["order_first", "pay_first"], note="采购铜合金保持架带材")

    # machine-tool maker needs industrial fans (IO071); every fan offer is ruled out by a matching rule
    tools = leader_at["machine_tools:230202"]
    need_by = AS_OF + timedelta(days=18)
    b.add_need(tools, "fans", quantity=6.0, needed_by=need_by, max_unit_price=50000.0,
               terms=["order_first"], note="采购数控机床配套工业风机")
    late = sme("fans", "230108")
    dear = sme("fans", "230110")
    down = sme("fans", "230104", operating=False, blockers=("funds",), capacity=0.0, workers=0.1)
    b.add_offer(late, quantity=10.0, available_from=need_by + timedelta(days=10), available_until=None,
                lead_time_days=0, unit_price=42000.0, delivery_radius_km=None, help_wanted=["orders"])
    b.add_offer(dear, quantity=8.0, available_from=AS_OF, available_until=None, lead_time_days=3,
                unit_price=80000.0, delivery_radius_km=None, help_wanted=[])
    b.add_offer(dear, quantity=5.0, available_from=AS_OF - timedelta(days=30),
                available_until=AS_OF - timedelta(days=5), lead_time_days=0, unit_price=45000.0,
                delivery_radius_km=None, help_wanted=[], note="过期报价")
    b.add_offer(late, quantity=4.0, available_from=AS_OF, available_until=None, lead_time_days=2,
                unit_price=41000.0, delivery_radius_km=None, help_wanted=[], status="closed", note="已关闭")
    b.add_offer(down, quantity=12.0, available_from=AS_OF, available_until=None, lead_time_days=1,
                unit_price=39000.0, delivery_radius_km=None, help_wanted=["funds"])
    b.add_link(down, tools, quantity=1.0)

    # graphite maker: two graphite-ore suppliers, one not operating -> single_source
    graphite = leader_at["graphite:230307"]
    ore_ok = sme("graphite_ore", "230303")  # 恒山区
    ore_down = sme("graphite_ore", "230421", operating=False, blockers=("orders", "funds"),
                   capacity=0.0, workers=0.3)  # 萝北县
    b.add_link(ore_ok, graphite, quantity=120.0)
    b.add_link(ore_down, graphite, quantity=80.0)

    # a supplier not operating that reports no blocker (factor "other")
    quiet = sme("timber", "230722", operating=False, capacity=0.0, workers=0.0)  # 嘉荫县
    wood = leader_at["wood:230781"]
    b.add_link(quiet, wood, quantity=60.0)
