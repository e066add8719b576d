"""The Heilongjiang demo package: valid by data-package.md, and rich enough for the matcher and
the weekly report (every kind of break of chain-breaks.md shows up as of 2020-03-16).

The checks here re-derive the rules from the specs on plain records, independently of the
service's own importer, matcher and report.
"""
import json
import math
import re
from collections import defaultdict
from datetime import date, timedelta

import pytest

from matchmaker.demo.generate import AS_OF, DEMO_FILE, HIGH_RISK_COUNTY, MEDIUM_RISK_COUNTY, generate
from matchmaker.rules.creditcode import is_valid
from matchmaker.infra.reference import is_valid_industry, load_categories, load_products, load_regions

SPEC_FIELDS = {
    "regions": {"code", "name", "level", "parent", "lat", "lon", "risk"},
    "firms": {"ref", "name", "kind", "region", "industry", "park", "credit_code", "operating",
              "capacity_utilization", "workers_back", "blockers", "contact_email"},
    "needs": {"ref", "firm", "category", "product", "accepts", "quantity", "needed_by", "max_unit_price", "terms",
              "status", "note"},
    "offers": {"ref", "firm", "category", "product", "quantity", "available_from", "available_until",
               "lead_time_days", "unit_price", "delivery_radius_km", "help_wanted", "status", "note"},
    "links": {"ref", "supplier", "buyer", "category", "product", "quantity_per_week", "active"},
}
REQUIRED = {
    "regions": {"code", "name", "level"},
    "firms": {"ref", "name", "kind", "region"},
    "needs": {"ref", "firm", "category", "quantity", "needed_by"},
    "offers": {"ref", "firm", "category", "quantity", "available_from"},
    "links": {"ref", "supplier", "buyer", "category", "quantity_per_week"},
}
FACTORS = {"ppe", "labour", "transport", "materials", "funds", "orders", "other"}
HORIZON = timedelta(days=56)


@pytest.fixture(scope="module")
def package():
    with open(DEMO_FILE, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def regions():
    return {r["code"]: r for r in load_regions()}


@pytest.fixture(scope="module")
def categories():
    return {c["code"]: c for c in load_categories()}


@pytest.fixture(scope="module")
def firms(package):
    return {f["ref"]: f for f in package["firms"]}


def test_shipped_file_is_what_the_seeded_generator_writes(package):
    assert generate(2020) == package
    assert generate(2020) == generate(2020)
    assert generate(7) != package


def test_sections_and_fields_are_the_specs(package):
    assert set(package) == {"regions", "firms", "needs", "offers", "links"}
    for section, records in package.items():
        assert records, section
        for row, rec in enumerate(records, start=2):
            assert set(rec) <= SPEC_FIELDS[section], (section, row, set(rec) - SPEC_FIELDS[section])
            assert REQUIRED[section] <= set(rec), (section, row)
            for value in rec.values():
                assert value not in ("", None), (section, row)


def test_refs_unique_and_shaped(package):
    for section, prefix in (("firms", "F"), ("needs", "N"), ("offers", "O"), ("links", "L")):
        refs = [r["ref"] for r in package[section]]
        assert len(refs) == len(set(refs)), section
        assert all(re.fullmatch(prefix + r"\d{4}", r) for r in refs), section


def test_counts_and_cities(package, regions):
    kinds = [f["kind"] for f in package["firms"]]
    assert set(kinds) == {"leading", "sme"}
    assert kinds.count("leading") >= 40
    assert kinds.count("sme") >= 400
    cities = {r["code"] for r in regions.values() if r["level"] == "city" and r["code"].startswith("23")}
    assert len(cities) == 13
    assert {f["region"][:4] + "00" for f in package["firms"]} == cities


def test_firm_regions_are_counties_of_heilongjiang(package, regions):
    for f in package["firms"]:
        region = regions[f["region"]]
        assert region["level"] == "county" and f["region"].startswith("23"), f["ref"]


def test_credit_codes_valid_and_unique(package):
    codes = [f["credit_code"] for f in package["firms"] if "credit_code" in f]
    assert len(codes) == len(package["firms"])
    assert len(set(codes)) == len(codes)
    assert all(is_valid(c) for c in codes)
    # the division part of the code is the firm's own county
    assert all(f["credit_code"][2:8] == f["region"] for f in package["firms"])


def test_industries_are_gbt4754_codes_of_the_main_sectors(package):
    industries = [f["industry"] for f in package["firms"]]
    assert all(is_valid_industry(i) and re.fullmatch(r"[A-T]\d{4}", i) for i in industries)
    for code in ("C1441", "C1331", "C2511", "B0610", "C3712", "C2740", "C3670", "C2011", "A0311"):
        assert code in industries, code


def test_names_invented_and_unique(package):
    names = [f["name"] for f in package["firms"]]
    assert len(set(names)) == len(names)
    assert all(re.search(r"(有限公司|有限责任公司|专业合作社)$", n) for n in names)


def test_references_resolve(package, firms, categories):
    for section in ("needs", "offers"):
        for rec in package[section]:
            assert rec["firm"] in firms
            assert rec["category"] in categories
    for link in package["links"]:
        assert link["supplier"] in firms and link["buyer"] in firms
        assert link["supplier"] != link["buyer"]
        assert link["category"] in categories


def test_values_within_the_rules(package):
    for f in package["firms"]:
        for key in ("capacity_utilization", "workers_back"):
            if key in f:
                assert 0 <= f[key] <= 1
        assert set(f.get("blockers", ())) <= FACTORS
        assert isinstance(f.get("operating", True), bool)
    for n in package["needs"]:
        assert n["quantity"] > 0 and n.get("max_unit_price", 1) > 0
        assert date(2020, 3, 1) <= date.fromisoformat(n["needed_by"]) <= date(2020, 5, 31)
        assert set(n.get("terms", ())) <= {"order_first", "supply_first", "pay_first"}
        assert n["status"] in ("open", "closed")
    for o in package["offers"]:
        assert o["quantity"] > 0 and o.get("unit_price", 1) > 0 and o.get("delivery_radius_km", 0) >= 0
        start = date.fromisoformat(o["available_from"])
        if "available_until" in o:
            assert date.fromisoformat(o["available_until"]) >= start
        assert o["lead_time_days"] >= 0 and isinstance(o["lead_time_days"], int)
        assert set(o.get("help_wanted", ())) <= {"orders", "marketing", "technology", "management", "funds",
                                                 "materials"}
    for link in package["links"]:
        assert link["quantity_per_week"] > 0
        assert isinstance(link["active"], bool)
    inactive = [link for link in package["links"] if not link["active"]]
    assert 0 < len(inactive) < len(package["links"]) // 10


def test_risk_regions_set_one_medium_and_one_high_county(package, regions, firms):
    recs = {r["risk"]: r for r in package["regions"]}
    assert set(recs) == {"medium", "high"} and len(package["regions"]) == 2
    assert recs["medium"]["code"] == MEDIUM_RISK_COUNTY and recs["high"]["code"] == HIGH_RISK_COUNTY
    for rec in package["regions"]:
        shipped = regions[rec["code"]]
        assert shipped["level"] == "county" and rec["code"].startswith("23")
        for key in ("name", "level", "parent", "lat", "lon"):
            assert rec[key] == shipped[key]
    counties = [f["region"] for f in firms.values()]
    assert counties.count(HIGH_RISK_COUNTY) >= 3 and counties.count(MEDIUM_RISK_COUNTY) >= 3


def test_resumption_mix(package):
    blockers = set()
    for f in package["firms"]:
        blockers |= set(f.get("blockers", ()))
    assert blockers == FACTORS
    down = [f for f in package["firms"] if f.get("operating") is False]
    assert 20 <= len(down) <= len(package["firms"]) // 3
    assert any(f["kind"] == "leading" for f in down)
    assert sum("contact_email" in f for f in package["firms"]) >= 100
    parks = {f.get("park") for f in package["firms"]} - {None}
    assert {"哈尔滨经济技术开发区", "大庆高新技术产业开发区", "齐齐哈尔高新技术产业开发区"} <= parks
    assert any("科技园" in p or "孵化器" in p for p in parks)


def test_links_follow_the_category_chain(package, categories, firms):
    """A firm's supplies are inputs of what it sells (when it sells anything in the package)."""
    sells = defaultdict(set)
    for link in package["links"]:
        sells[link["supplier"]].add(link["category"])
    for o in package["offers"]:
        sells[o["firm"]].add(o["category"])
    checked = 0
    for link in package["links"]:
        for product in sells[link["buyer"]]:
            assert link["category"] in categories[product]["inputs"], link["ref"]
            checked += 1
    assert checked > 200


def test_chains_are_multi_tier(package):
    """Some supply chain reaches four firms deep (three links)."""
    suppliers = defaultdict(set)
    for link in package["links"]:
        suppliers[link["buyer"]].add(link["supplier"])

    def depth(ref, seen=()):
        if len(seen) >= 5:
            return 1
        return 1 + max((depth(s, seen + (ref,)) for s in suppliers.get(ref, ()) if s not in seen), default=0)

    assert max(depth(b) for b in list(suppliers)) >= 4


# ---- the rules of matching.md and chain-breaks.md, re-derived on plain records -------------


def _haversine(a, b):
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class _World:
    products = {p["code"]: p for p in load_products()}

    def __init__(self, package, regions, categories):
        self.regions = {c: dict(r) for c, r in regions.items()}
        for r in package["regions"]:
            self.regions[r["code"]]["risk"] = r["risk"]
        self.categories = categories
        self.firms = {f["ref"]: f for f in package["firms"]}
        self.package = package

    def live(self, ref):
        f = self.firms[ref]
        return f.get("operating", True) and self.regions[f["region"]]["risk"] != "high"

    def point(self, ref):
        r = self.regions[self.firms[ref]["region"]]
        return r["lat"], r["lon"]

    def unit(self, posting):
        """products.md: a posting's quantities are in its product's unit, else its category's."""
        product = posting.get("product")
        return self.products[product]["unit"] if product else self.categories[posting["category"]]["unit"]

    def allowed(self, offer, need, as_of=AS_OF):
        if offer["firm"] == need["firm"]:
            return False
        if need.get("product") and offer.get("product"):  # products.md rule 2(a), both name a product
            if offer["product"] != need["product"] and offer["product"] not in need.get("accepts", ()):
                return False
        else:
            cat = self.categories[need["category"]]
            if offer["category"] != need["category"] and offer["category"] not in cat["substitutes"]:
                return False
        if self.unit(offer) != self.unit(need):  # rule 2(b)
            return False
        needed_by = date.fromisoformat(need["needed_by"])
        if need.get("status", "open") != "open" or offer.get("status", "open") != "open" or needed_by < as_of:
            return False
        if "available_until" in offer and date.fromisoformat(offer["available_until"]) < as_of:
            return False
        start = max(date.fromisoformat(offer["available_from"]), as_of)
        if start + timedelta(days=offer.get("lead_time_days", 0)) > needed_by:
            return False
        radius = offer.get("delivery_radius_km")
        if radius is not None and _haversine(self.point(offer["firm"]), self.point(need["firm"])) > radius:
            return False
        if "unit_price" in offer and "max_unit_price" in need and offer["unit_price"] > need["max_unit_price"]:
            return False
        return self.live(offer["firm"])

    def breaks(self, as_of=AS_OF):
        """{kind: [(buyer, category, supplier, tier, path)]}, per chain-breaks.md."""
        edges = defaultdict(float)
        for link in self.package["links"]:
            if link.get("active", True):
                edges[link["supplier"], link["buyer"], link["category"]] += link["quantity_per_week"]
        out = defaultdict(list)
        down = {}  # (buyer, category) -> [supplier] of supplier_down
        for (s, b, c) in edges:
            if not self.live(s):
                out["supplier_down"].append((b, c, s, 1, [b, s]))
                down.setdefault((b, c), []).append(s)
            elif self.firms[s].get("blockers"):
                out["supplier_strained"].append((b, c, s, 1, [b, s]))
        live_suppliers = defaultdict(set)
        for (s, b, c) in edges:
            if self.live(s):
                live_suppliers[b, c].add(s)
        for (b, c), ss in live_suppliers.items():
            if self.firms[b]["kind"] == "leading" and len(ss) == 1:
                out["single_source"].append((b, c, next(iter(ss)), 1, [b, next(iter(ss))]))
        groups = defaultdict(list)
        for n in self.package["needs"]:
            due = date.fromisoformat(n["needed_by"])
            if n.get("status", "open") == "open" and as_of <= due <= as_of + HORIZON:
                groups[n["firm"], n["category"]].append(n)
        gaps = set()
        for (b, c), needs in groups.items():
            offered = any(self.allowed(o, n, as_of) for n in needs for o in self.package["offers"])
            if not offered and not live_suppliers[b, c]:
                out["chain_gap"].append((b, c, None, 1, [b]))
                gaps.add((b, c))
            else:
                out["uncovered_need"].append((b, c, None, 1, [b]))
        # upstream breaks.  best[(firm, category)] = (tier, path) of the firm's own break in
        # that category as a buyer: supplier_down [F, X] and chain_gap [F] count as tier 1.
        best = {}
        for (b, c), ss in down.items():
            best[b, c] = min((1, [b, s]) for s in ss)
        for (b, c) in gaps:
            best[b, c] = min(best.get((b, c), (1, [b])), (1, [b]))
        healthy = [(s, b, c) for (s, b, c) in edges if self.live(s) and not self.firms[s].get("blockers")]
        upstream = {}
        for _ in range(20):
            changed = False
            for (s, b, c) in healthy:
                for k in self.categories[c]["inputs"]:
                    if (s, k) not in best:
                        continue
                    tier, path = best[s, k]
                    if b in path:
                        continue
                    cand = (tier + 1, [b] + path)
                    if (s, b, c) not in upstream or cand < upstream[s, b, c]:
                        upstream[s, b, c] = cand
                        changed = True
                    if (b, c) not in best or cand < best[b, c]:
                        best[b, c] = cand
                        changed = True
            if not changed:
                break
        for (s, b, c), (tier, path) in upstream.items():
            out["upstream_break"].append((b, c, s, tier, path))
        return out


@pytest.fixture(scope="module")
def world(package, regions, categories):
    return _World(package, regions, categories)


def test_every_kind_of_break_shows_up(world):
    breaks = world.breaks()
    assert set(breaks) == {"supplier_down", "supplier_strained", "uncovered_need", "chain_gap",
                           "single_source", "upstream_break"}
    for kind, found in breaks.items():
        assert found, kind
    tiers = [tier for *_, tier, _path in breaks["upstream_break"]]
    assert max(tiers) >= 3 and min(tiers) >= 2


def test_chain_gaps_have_no_allowed_offer(world, package):
    gaps = {(b, c) for b, c, *_ in world.breaks()["chain_gap"]}
    assert {c for _, c in gaps} >= {"IO014", "IO065", "IO071"}
    # industrial fans (IO071) have offers, but every one breaks a matching rule
    fans = [o for o in package["offers"] if o["product"] == "P071001"]
    assert len(fans) >= 4


def test_supplier_down_in_high_risk_county_and_without_blockers(world):
    downs = world.breaks()["supplier_down"]
    regions = {world.firms[s]["region"] for _, _, s, *_ in downs}
    assert HIGH_RISK_COUNTY in regions
    assert any(world.live(s) is False and world.firms[s].get("operating", True) is False
               and not world.firms[s].get("blockers") for _, _, s, *_ in downs)


def test_the_matcher_has_real_work(world, package):
    open_needs = [n for n in package["needs"] if n.get("status", "open") == "open"]
    with_offers = [n for n in open_needs if any(world.allowed(o, n) for o in package["offers"])]
    assert len(with_offers) >= 60
    # and the hard rules really rule some pairs out
    same_category = [(o, n) for n in open_needs for o in package["offers"] if o["category"] == n["category"]]
    assert any(not world.allowed(o, n) for o, n in same_category)
    assert any(world.allowed(o, n) for o, n in same_category)
