"""chain-breaks.md, "Who sees it" and "Firms asking for help", on the shipped demo over four weeks.

Each week's report file is written by the CLI (`matchmaker report weekly --week W --out FILE`) and
checked against an independent computation written here from the stored package alone (firms, their
counties and the counties' risk), not from the production code: every break's `regions`, and the
whole `blocked_firms` list (firms with no links included, weeks open carried by firm ref, breaks
counted over the report's paths). Between weeks the firms are re-sent in a data package with their
status changed, and a county's risk changes.
"""
import json

import pytest

from matchmaker.packages.writers import write_package
from matchmaker.services.packages import import_package, stored_package

# the data-package order of factor codes (chain-breaks.md, factors of supplier_down)
FACTOR_ORDER = ["ppe", "labour", "transport", "materials", "funds", "orders", "risk_zone", "other"]


def _expected_blocked(package, breaks, previous):
    risk = {r["code"]: r["risk"] for r in package["regions"]}
    out = []
    for firm in sorted(package["firms"], key=lambda x: x["ref"]):
        high = risk.get(firm["region"]) == "high"
        live = firm["operating"] and not high
        if live and not firm["blockers"]:
            continue
        factors = set(firm["blockers"]) | ({"risk_zone"} if high else set())
        factors = sorted(factors, key=FACTOR_ORDER.index) or ["other"]
        on_paths = sum(1 for b in breaks if firm["ref"] in b["path"][1:])
        out.append({"firm": firm["ref"], "county": firm["region"], "operating": firm["operating"],
                    "factors": factors, "weeks_open": previous.get(firm["ref"], 0) + 1, "breaks": on_paths})
    return out


def _report(runner, tmp_path, week):
    out = tmp_path / f"{week}.json"
    result = runner.invoke(args=["report", "weekly", "--week", week, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def _check(package, data, previous):
    county = {f["ref"]: f["region"] for f in package["firms"]}
    assert data["breaks"], "the scenario must have breaks"
    for b in data["breaks"]:
        assert b["regions"] == sorted({county[ref] for ref in b["path"]}), b
    expected = _expected_blocked(package, data["breaks"], previous)
    assert data["blocked_firms"] == expected
    return {f["firm"]: f["weeks_open"] for f in expected}


def _resend(tmp_path, package, name):
    path = tmp_path / name
    write_package(package, path)
    import_package(path, reference=False)


@pytest.mark.slow
def test_regions_and_blocked_firms_over_four_weeks(app, db, runner, tmp_path):
    from matchmaker.services.demo import load_demo

    load_demo()
    db.session.commit()
    package = stored_package()
    linked = {lk["supplier"] for lk in package["links"]} | {lk["buyer"] for lk in package["links"]}
    unlinked = [f for f in package["firms"] if f["ref"] not in linked]
    assert unlinked, "the demo has firms with no links"

    weeks = {}
    data = _report(runner, tmp_path, "2020-W12")
    weeks["2020-W12"] = _check(package, data, {})
    assert any(f["breaks"] == 0 and f["firm"] not in linked for f in data["blocked_firms"])
    assert any(len(b["regions"]) > 1 for b in data["breaks"])

    # W13: the firms re-sent, two unlinked firms now stopped, a blocked firm back to normal
    package = stored_package()
    db.session.rollback()
    unlinked_refs = {f["ref"] for f in unlinked[:2]}
    cleared = next(f["ref"] for f in package["firms"] if f["blockers"] and f["operating"])
    for firm in package["firms"]:
        if firm["ref"] in unlinked_refs:
            firm["operating"], firm["blockers"] = False, ["funds"]
        if firm["ref"] == cleared:
            firm["blockers"] = []
    _resend(tmp_path, package, "w13.json")
    package = stored_package()
    db.session.rollback()
    data = _report(runner, tmp_path, "2020-W13")
    weeks["2020-W13"] = _check(package, data, weeks["2020-W12"])
    assert cleared not in weeks["2020-W13"]
    assert unlinked_refs <= set(weeks["2020-W13"])

    # W14: a county with live firms turns high-risk (re-sent in the package's regions)
    counts = {}
    for firm in package["firms"]:
        if firm["operating"] and not firm["blockers"]:
            counts[firm["region"]] = counts.get(firm["region"], 0) + 1
    risky = max(counts, key=counts.get)
    for region in package["regions"]:
        if region["code"] == risky:
            region["risk"] = "high"
    _resend(tmp_path, package, "w14.json")
    package = stored_package()
    db.session.rollback()
    data = _report(runner, tmp_path, "2020-W14")
    weeks["2020-W14"] = _check(package, data, weeks["2020-W13"])
    assert any("risk_zone" in f["factors"] and f["operating"] for f in data["blocked_firms"])

    # W16 (no W15 stored: skipped over): nothing changed, the runs continue
    data = _report(runner, tmp_path, "2020-W16")
    weeks["2020-W16"] = _check(package, data, weeks["2020-W14"])
    assert max(weeks["2020-W16"].values()) == 4
