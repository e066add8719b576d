"""The Heilongjiang demo package: a seeded generator (``random.Random(2020)``).

Places (counties of all 13 cities of province 23), industries (GB/T 4754-2017) and the
product chain (the 2020 input-output categories shipped in ``matchmaker/data``) are real;
firm names, credit codes, quantities, prices and statuses are invented.  The demo is "as of"
:data:`AS_OF` (2020-03-16, the Monday of ISO week 2020-W12): needs fall due in March to May
2020, so run the matcher and the weekly report with ``--as-of 2020-03-16`` / ``--week
2020-W12``.

Besides the random body, a few hand-built scenarios guarantee that the demo shows every
kind of chain break of ``chain-breaks.md`` (see :data:`SCENARIOS`), and the package carries
the ``regions`` records of one medium-risk and one high-risk county so that importing it
sets their risk level.

Usage::

    python scripts/generate_demo.py            # writes matchmaker/data/demo.json
"""
from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from matchmaker.demo.builder import Builder
from matchmaker.demo.catalogue import AS_OF, FACTORS, KINDS, LEADING, SEED, SME_INPUTS
from matchmaker.demo.goods import BUYS, EXTRA_NEEDS
from matchmaker.demo.places import HIGH_RISK_COUNTY, MEDIUM_RISK_COUNTY
from matchmaker.demo.scenarios import SCENARIOS, add_scenarios
from matchmaker.infra.reference import DATA_DIR

__all__ = ["AS_OF", "SEED", "HIGH_RISK_COUNTY", "MEDIUM_RISK_COUNTY", "SCENARIOS", "generate", "write"]

DEMO_FILE = DATA_DIR / "demo.json"


def _check_chain(b: Builder):
    """Every link's category is an input of the buyer's own category (the chain is real)."""
    for link in b.links:
        buyer_cat = b.meta[link["buyer"]]["category"]
        if link["category"] not in b.categories[buyer_cat]["inputs"]:
            raise AssertionError(f"{link['ref']}: {link['category']} is not an input of {buyer_cat}")


def generate(seed: int = SEED) -> dict:
    """Build the demo package (a dict of sections) deterministically from `seed`."""
    rng = random.Random(seed)
    b = Builder(rng)

    # 1. leading firms
    leaders = []
    for tag, county, brand, suffix, park, inputs, product in LEADING:
        ref = b.add_firm("leading", tag, county, brand=brand, suffix=suffix, park=park, product=product)
        leaders.append((ref, inputs))
        own = KINDS[tag][0]
        for t in inputs:
            if KINDS[t][0] not in b.categories[own]["inputs"] or (tag, t) not in BUYS:
                raise AssertionError(f"{t} is not an input of {tag}")

    # 2. their suppliers (tier 1), then the suppliers' suppliers (tiers 2 and 3)
    frontier = []
    for ref, inputs in leaders:
        city = b.meta[ref]["city"]
        for t in inputs:
            n = rng.randint(2, 5) if KINDS[t][2] else rng.randint(1, 2)
            for _ in range(n):
                s = b.sme_supplier(t, city, tier=1, exclude=(ref,), wanted=BUYS[(b.meta[ref]["tag"], t)])
                if b.add_link(s, ref) and b.firm(s)["kind"] == "sme":
                    frontier.append((s, 1))
    seen = set()
    while frontier:
        ref, tier = frontier.pop(0)
        if ref in seen or tier >= 3:
            continue
        seen.add(ref)
        tag = b.meta[ref]["tag"]
        for t, p, (lo, hi) in SME_INPUTS.get(tag, ()):
            if rng.random() >= p:
                continue
            for _ in range(rng.randint(lo, hi)):
                s = b.sme_supplier(t, b.meta[ref]["city"], tier=tier + 1, exclude=(ref,), wanted=BUYS[(tag, t)])
                if b.add_link(s, ref) and b.firm(s)["kind"] == "sme":
                    frontier.append((s, tier + 1))

    # 3. more SMEs (no links; they post offers), until there are 440, and a few in the risk counties
    offer_only = [t for t, spec in KINDS.items() if spec[1] and spec[2] and t != "fans"]
    while sum(f["kind"] == "sme" for f in b.firms) < 440:
        t = rng.choice(offer_only)
        city = rng.choice(KINDS[t][2])
        s = b.add_firm("sme", t, rng.choice(b.counties[city]), tier=1)
        b.pools.setdefault((t, city), []).append(s)
    for county in (HIGH_RISK_COUNTY, MEDIUM_RISK_COUNTY):  # a few more in the risk counties
        for t in ("corn", "soy", "hogs") if county == HIGH_RISK_COUNTY else ("coal", "milk", "rice"):
            s = b.add_firm("sme", t, county, tier=1)
            b.pools.setdefault((t, county[:4]), []).append(s)
            buyers = [r for r, inputs in leaders
                      if t in inputs and any(b.can_make(s, p) for p in BUYS[(b.meta[r]["tag"], t)])]
            buyers.sort(key=lambda r: (b.distance(s, r), r))
            if buyers:
                b.add_link(s, buyers[0])

    # 4. resumption status of every firm not in a scenario
    _assign_status(b)

    # 5. hand-built scenarios (their firms are locked: healthy or down as the story needs)
    add_scenarios(b, dict((b.meta[r]["tag"] + ":" + b.firm(r)["region"], r) for r, _ in leaders))

    # 6. needs and offers
    _postings(b, leaders)
    _check_chain(b)

    region_records = []
    for code, risk in ((MEDIUM_RISK_COUNTY, "medium"), (HIGH_RISK_COUNTY, "high")):
        r = b.regions[code]
        region_records.append({"code": code, "name": r["name"], "level": r["level"], "parent": r["parent"],
                               "lat": r["lat"], "lon": r["lon"], "risk": risk})
    _emails(b)
    return {
        "regions": region_records,
        "firms": [_clean(f) for f in b.firms],
        "needs": b.needs,
        "offers": b.offers,
        "links": b.links,
    }


def _assign_status(b: Builder):
    rng = b.rng
    smes = [f for f in b.firms if f["kind"] == "sme"]
    # every factor appears: the first blocked firms get them in turn
    cycle = list(FACTORS)
    for f in b.firms:
        if b.meta[f["ref"]]["locked"]:
            continue
        x = rng.random()
        leading = f["kind"] == "leading"
        if x < (0.04 if leading else 0.13):
            f["operating"] = False
            f["capacity_utilization"] = 0.0
            f["workers_back"] = round(rng.uniform(0.0, 0.35), 2)
            k = rng.randint(1, 3)
        elif x < (0.3 if leading else 0.45):
            f["operating"] = True
            f["capacity_utilization"] = round(rng.uniform(0.25, 0.8), 2)
            f["workers_back"] = round(rng.uniform(0.4, 0.9), 2)
            k = rng.randint(1, 2)
        else:
            f["operating"] = True
            f["capacity_utilization"] = round(rng.uniform(0.6, 1.0), 2)
            f["workers_back"] = round(rng.uniform(0.75, 1.0), 2)
            k = 0
        blockers = []
        for _ in range(k):
            factor = cycle.pop(0) if cycle else rng.choice(FACTORS)
            if factor not in blockers:
                blockers.append(factor)
        f["blockers"] = sorted(blockers, key=FACTORS.index)
        if rng.random() < 0.08:  # not every firm reports its figures
            f["capacity_utilization"] = None
            f["workers_back"] = None
    assert len(smes) >= 400


#: The products of the hand-built chain gaps (peanut meal, copper sheet, industrial fans): their
#: needs stay open and their offers as the scenario made them.
GAP_PRODUCTS = ("P014013", "P065006", "P071001")


def _postings(b: Builder, leaders):
    rng = b.rng
    # needs of leading firms, in the categories they buy, and what they buy outside the chain
    for ref, inputs in leaders:
        for t in inputs:
            if rng.random() < 0.75:
                b.add_need(ref, t)
        if rng.random() < 0.25 and inputs:
            b.add_need(ref, rng.choice(inputs))
        for t, products, chance in EXTRA_NEEDS.get(b.meta[ref]["tag"], ()):
            if rng.random() < chance:
                b.add_need(ref, t, product=rng.choice(products))
    # needs of SMEs short of materials (tier-2 demand)
    for f in b.firms:
        meta = b.meta[f["ref"]]
        if f["kind"] != "sme" or meta["locked"]:
            continue
        wants = SME_INPUTS.get(meta["tag"], ())
        if wants and ("materials" in f["blockers"] or rng.random() < 0.06):
            b.add_need(f["ref"], wants[0][0])
    # a few closed needs and a few past due
    open_needs = [n for n in b.needs if n["status"] == "open" and n["product"] not in GAP_PRODUCTS]
    for n in rng.sample(open_needs, 6):
        n["status"] = "closed"
    for n in rng.sample([n for n in open_needs if n["status"] == "open"], 3):
        n["needed_by"] = (AS_OF - timedelta(days=rng.randint(3, 14))).isoformat()
    # offers: most SMEs, some leading makers of intermediate goods
    for f in b.firms:
        meta = b.meta[f["ref"]]
        if meta["tag"] == "fans":
            continue
        if f["kind"] == "sme":
            if rng.random() < 0.72:
                b.add_offer(f["ref"])
                if rng.random() < 0.12:
                    b.add_offer(f["ref"])
        elif meta["tag"] in ("coal", "refined", "soy_oil", "milled", "chemicals", "crude", "timber") \
                and rng.random() < 0.7:
            b.add_offer(f["ref"], help_wanted=[])
    for o in rng.sample([o for o in b.offers if o["product"] not in GAP_PRODUCTS], 12):
        o["status"] = "closed"
    # a few links that no longer run (kept for the record, not part of the supply graph)
    loose = [link for link in b.links
             if not b.meta[link["supplier"]]["locked"] and not b.meta[link["buyer"]]["locked"]]
    for link in rng.sample(loose, 12):
        link["active"] = False


def _emails(b: Builder):
    rng = b.rng
    for f in b.firms:
        if f["kind"] == "leading" or rng.random() < 0.3:
            f["contact_email"] = f"{'supply' if f['kind'] == 'leading' else 'sales'}.{f['ref'].lower()}@example.com"


def _clean(firm: dict) -> dict:
    """Leave out unset fields (a package record may omit what takes its default)."""
    out = {}
    for k, v in firm.items():
        if v is None or (k == "blockers" and not v):
            continue
        out[k] = v
    return out


def write(path: Path | str = DEMO_FILE, seed: int = SEED) -> dict:
    """Generate the package and write it as JSON (UTF-8, sorted as generated); return it."""
    package = generate(seed)
    Path(path).write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return package
