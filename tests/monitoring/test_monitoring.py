"""Monitoring (article 13, issue 12 item 8): shares by GB/T division and by chain, unweighted and
headcount-weighted, week over week and by county, checked against an independent computation
over the firms the test made; the chain configuration is overridable; scope."""
import json
import random

import pytest

from matchmaker.models import Firm
from matchmaker.services import monitoring, reports
from matchmaker.services.support.errors import Forbidden, NotFound
from tests import factories as f

COUNTIES = ("230102", "230103", "231221")  # two in city 2301, one in 2312
INDUSTRIES = ("C1441", "C1411", "C2511", "C", "A0111", None)
# category -> chains (the shipped config): IO020 dairy; IO014 soybean; IO013 dairy and soybean; IO080 auto parts
CATS = {"IO020": {"dairy"}, "IO014": {"soybean"}, "IO013": {"dairy", "soybean"}, "IO080": {"auto_parts"},
        "IO099": set()}


def _world(db, seed=7, n=60):
    """Firms with random status, headcount, industry and postings; returns {ref: facts} kept by the test."""
    rnd = random.Random(seed)
    facts = {}
    firms = []
    for i in range(n):
        county = rnd.choice(COUNTIES)
        hc = rnd.choice([None, 5, 12, 40, 300])
        wb = rnd.choice([None, 0.0, 0.25, 0.5, 1.0])
        row = f.firm(f"M{i}", region_code=county, industry=rnd.choice(INDUSTRIES), headcount=hc,
                     operating=rnd.random() < 0.6, workers_back=wb)
        cats = set()
        for _ in range(rnd.randint(0, 2)):
            cat = rnd.choice(sorted(CATS))
            (f.need if rnd.random() < 0.5 else f.offer)(row, cat)
            cats.add(cat)
        firms.append(row)
        facts[row.ref] = {"county": county, "cats": cats}
    for _ in range(10):  # links put both sides in the link's category
        s, b = rnd.sample(firms, 2)
        cat = rnd.choice(sorted(CATS))
        f.link(s, b, cat)
        facts[s.ref]["cats"].add(cat)
        facts[b.ref]["cats"].add(cat)
    db.session.commit()
    return facts


def _expected(db, facts, group, prefix=""):
    """Independent: group firm refs, then compute each share straight from the definitions."""
    groups = {}
    for firm in db.session.query(Firm).all():
        fact = facts[firm.ref]
        if not fact["county"].startswith(prefix):
            continue
        if group == "division":
            keys = [{"C1441": "C14", "C1411": "C14", "C2511": "C25", "C": "C", "A0111": "A01"}[firm.industry]] \
                if firm.industry else []
        elif group == "chain":
            keys = set().union(*(CATS[c] for c in fact["cats"])) if fact["cats"] else set()
        else:
            keys = [fact["county"]]
        for k in keys:
            groups.setdefault(k, []).append(firm)
    out = {}
    for k, fs in groups.items():
        with_hc = [x for x in fs if x.headcount]
        with_wb = [x for x in fs if x.workers_back is not None]
        with_both = [x for x in with_wb if x.headcount]
        out[k] = {
            "firms": len(fs),
            "share_operating": sum(x.operating for x in fs) / len(fs),
            "share_operating_weighted": (sum(x.headcount for x in with_hc if x.operating)
                                         / sum(x.headcount for x in with_hc)) if with_hc else None,
            "share_workers_back": (sum(x.workers_back for x in with_wb) / len(with_wb)) if with_wb else None,
            "share_workers_back_weighted": (sum(x.workers_back * x.headcount for x in with_both)
                                            / sum(x.headcount for x in with_both)) if with_both else None,
        }
    return out


def _got(view, part):
    return {r["key"]: {k: r[k] for k in ("firms", *monitoring.FIGURES)} for r in view[part] if r["firms"]}


def _close(got, expected):
    assert set(got) == set(expected)
    for k, e in expected.items():
        for name, value in e.items():
            assert got[k][name] == (None if value is None else pytest.approx(value, abs=1e-4)), (k, name)


@pytest.mark.parametrize("seed", [7, 11])
def test_weighted_shares_by_division_chain_and_county_match_an_independent_computation(db, seed):
    facts = _world(db, seed)
    reports.write_weekly_report("2020-W12")
    view = monitoring.monitoring_view(None, "2020-W12")
    for part, group in (("by_division", "division"), ("by_chain", "chain"), ("by_county", "county")):
        _close(_got(view, part), _expected(db, facts, group))
    # a city reads its counties only
    city = f.user("staff", region_code="230100")
    db.session.commit()
    view = monitoring.monitoring_view(city, "2020-W12")
    assert {r["key"] for r in view["by_county"]} <= {"230102", "230103"}
    _close(_got(view, "by_chain"), _expected(db, facts, "chain", "2301"))
    _close(_got(view, "by_county"), _expected(db, facts, "county", "2301"))


def test_weighting_on_a_hand_made_case(db):
    """A big firm back and a small one stopped: half the firms, but 100/110 of the workforce."""
    big = f.firm("BIG", industry="C1441", headcount=100, operating=True, workers_back=0.8)
    small = f.firm("SMALL", industry="C1411", headcount=10, operating=False, workers_back=0.0)
    f.need(big, "IO020")
    f.offer(small, "IO020")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    (row,) = monitoring.monitoring_view(None, "2020-W12")["by_division"]
    assert (row["key"], row["firms"], row["headcount"]) == ("C14", 2, 110)
    assert row["share_operating"] == 0.5 and row["share_operating_weighted"] == round(100 / 110, 4)
    assert row["share_workers_back"] == 0.4 and row["share_workers_back_weighted"] == round(80 / 110, 4)
    dairy = [r for r in monitoring.monitoring_view(None, "2020-W12")["by_chain"] if r["key"] == "dairy"][0]
    assert dairy["firms"] == 2 and dairy["share_operating_weighted"] == round(100 / 110, 4)


def test_week_over_week_compares_with_the_previous_stored_report(db):
    a = f.firm("A", industry="C1441", headcount=30, operating=False, workers_back=0.0)
    f.firm("B", industry="C1441", headcount=10, operating=True, workers_back=1.0)
    db.session.commit()
    reports.write_weekly_report("2020-W11")
    a.operating, a.workers_back = True, 0.5
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    view = monitoring.monitoring_view(None, "2020-W12")
    assert view["previous_week"] == "2020-W11"
    (row,) = view["by_division"]
    assert row["previous"]["share_operating_weighted"] == 0.25 and row["share_operating_weighted"] == 1.0
    assert row["change"]["share_operating_weighted"] == 0.75
    assert row["change"]["share_workers_back_weighted"] == round((0.5 * 30 + 10) / 40 - 0.25, 4)
    assert view["total"]["change"]["share_operating"] == 0.5
    # the earlier week is read as it was stored, whatever the firms are now
    (old,) = monitoring.monitoring_view(None, "2020-W11")["by_division"]
    assert old["share_operating"] == 0.5 and "change" not in old


def test_chains_come_from_a_configurable_file(db, app, tmp_path):
    path = tmp_path / "chains.json"
    path.write_text(json.dumps({"chains": [{"key": "milk", "zh": "奶", "en": "Milk", "categories": ["IO020"]}]}),
                    encoding="utf-8")
    app.config["MONITORING_CHAINS"] = str(path)
    try:
        firm = f.firm("A", headcount=5)
        f.offer(firm, "IO020")
        db.session.commit()
        reports.write_weekly_report("2020-W12")
        view = monitoring.monitoring_view(None, "2020-W12")
        assert [(r["key"], r["firms"]) for r in view["by_chain"]] == [("milk", 1)]
    finally:
        app.config["MONITORING_CHAINS"] = None
    shipped = {c["key"] for c in monitoring.chains()}
    assert shipped == {"dairy", "soybean", "petrochemical", "coal", "equipment", "pharmaceuticals", "auto_parts",
                       "forest_products"}


def test_scope_county_and_firm_users(db):
    f.firm("A", region_code="231221", headcount=5)
    firm_user = f.user("firm", f.firm("B", region_code="230102"))
    county = f.user("staff", region_code="230102")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    view = monitoring.monitoring_view(county, "2020-W12")
    assert [(r["key"], r["firms"]) for r in view["by_county"]] == [("230102", 1)]
    assert view["total"]["firms"] == 1 and monitoring.monitoring_view(None, "2020-W12")["total"]["firms"] == 2
    with pytest.raises(NotFound):
        monitoring.monitoring_view(county, "2020-W12", county="231221")
    with pytest.raises(Forbidden):
        monitoring.monitoring_view(firm_user, "2020-W12")
    with pytest.raises(NotFound):
        monitoring.monitoring_view(None, "2019-W01")
