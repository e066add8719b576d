"""`matchmaker import`, `export`, `demo` and `reference load`: output, exit codes, idempotence,
and the demo package's lossless round trip in the three containers."""
import json

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Need, Product, Region, User
from matchmaker.infra.reference import load_categories, load_products, load_regions
from matchmaker.services.packages import export_package, import_package, stored_package
from tests.packages.conftest import counts, write_json


def test_import_prints_counts_and_exits_zero(runner, tmp_path, base):
    result = runner.invoke(args=["import", str(write_json(tmp_path, base)), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "firms: 2 (2 new, 0 replaced, 0 unchanged)" in result.output
    again = runner.invoke(args=["import", str(write_json(tmp_path, base))])
    assert "firms: 2 (0 new, 0 replaced, 2 unchanged)" in again.output


def test_import_prints_every_error_on_its_own_line_and_exits_non_zero(runner, tmp_path, base):
    base["firms"][0]["credit_code"] = base["firms"][0]["credit_code"][:17] + "X"
    base["firms"][1]["kind"] = "huge"
    base["needs"][0]["needed_by"] = "soon"
    before = counts()
    result = runner.invoke(args=["import", str(write_json(tmp_path, base))])
    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert [line for line in lines if " row " in line] == [
        lines[0], lines[1], lines[2]]
    assert lines[0].startswith("firms row 2 field credit_code: check digit is wrong, expected ")
    assert lines[1].startswith("firms row 3 field kind: ")
    assert lines[2].startswith("needs row 2 field needed_by: ")
    assert "nothing was imported" in result.output
    assert counts() == before  # not even the reference data


def test_import_of_an_unknown_format_fails_cleanly(runner, tmp_path):
    path = tmp_path / "package.txt"
    path.write_text("hello")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "format" in result.output
    assert runner.invoke(args=["import", str(tmp_path / "missing.json")]).exit_code != 0


def test_import_resolves_real_counties_from_the_reference_data(runner, tmp_path):
    package = {"firms": [{"ref": "F1", "name": "甲", "kind": "sme", "region": "230523"}]}  # 宝清县
    result = runner.invoke(args=["import", str(write_json(tmp_path, package))])
    assert result.exit_code == 0, result.output
    assert db.session.get(Region, "230523").level == "county"


def test_export_by_extension(runner, tmp_path, load, base):
    load(base)
    for name in ("out.json", "out.xlsx", "out_dir"):
        result = runner.invoke(args=["export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "firms: 2" in result.output
    assert json.loads((tmp_path / "out.json").read_text())["firms"][0]["ref"] == "F1"
    assert (tmp_path / "out_dir" / "firms.csv").exists()
    assert runner.invoke(args=["export", str(tmp_path / "out.pdf")]).exit_code != 0


def test_reference_load_is_idempotent(runner):
    first = runner.invoke(args=["reference", "load"])
    assert first.exit_code == 0, first.output
    n_regions, n_categories, n_products = len(load_regions()), len(load_categories()), len(load_products())
    assert (f"{n_regions} regions, {n_categories} categories and {n_products} products added, "
            "0 products updated") in first.output
    again = runner.invoke(args=["reference", "load"]).output
    assert "0 regions, 0 categories and 0 products added, 0 products updated" in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == n_regions
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == n_products > 0
    assert db.session.scalar(sa.select(Category.name_en).where(Category.code == "IO001"))


def test_demo_is_idempotent_and_prints_accounts(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    stored = counts()
    versions = db.session.execute(sa.select(Firm.ref, Firm.version).order_by(Firm.ref)).all()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == stored
    assert db.session.execute(sa.select(Firm.ref, Firm.version).order_by(Firm.ref)).all() == versions
    assert " 0 replaced" in second.output and " new" in second.output
    users = db.session.scalars(sa.select(User)).all()
    assert {u.role for u in users} == {"admin", "firm", "staff"}
    assert len(users) == 6
    staff_levels = {u.region.level for u in users if u.role == "staff"}
    assert staff_levels == {"county", "city", "province"}
    for user in users:
        assert user.email in second.output
    from matchmaker.services.auth import authenticate
    from matchmaker.services.demo import DEMO_PASSWORD

    assert DEMO_PASSWORD in second.output
    assert authenticate("leading@demo.example.cn", DEMO_PASSWORD).firm.kind == "leading"


@pytest.mark.parametrize("name", ["demo.json", "demo.xlsx", "demo_csv"])
def test_demo_package_round_trip(tmp_path, app, name):
    from matchmaker.services.demo import DEMO_PACKAGE
    from tests.conftest import _empty_tables

    import_package(DEMO_PACKAGE)
    first, second = tmp_path / ("a_" + name), tmp_path / ("b_" + name)
    export_package(first)
    exported = stored_package()
    db.session.rollback()
    _empty_tables()
    import_package(first)
    assert stored_package() == exported
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Need)) == len(exported["needs"]) > 0
    export_package(second)
    if first.is_dir():
        assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}
    elif name.endswith(".json"):
        assert first.read_bytes() == second.read_bytes()
    else:
        from matchmaker.packages.readers import read_package

        assert read_package(first).sections == read_package(second).sections


def test_import_of_a_single_csv_file_and_of_an_empty_folder(runner, tmp_path, load, base):
    load(base)
    (tmp_path / "firms.csv").write_text("ref,name,kind,region\r\nF9,新企业,sme,230103\r\n", encoding="utf-8-sig")
    result = runner.invoke(args=["import", str(tmp_path / "firms.csv")])
    assert result.exit_code == 0, result.output
    assert "firms: 1 (1 new, 0 replaced, 0 unchanged)" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(args=["import", str(tmp_path / "empty")])
    assert result.exit_code == 0 and "nothing to import" in result.output
