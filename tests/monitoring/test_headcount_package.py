"""A firm's headcount in data packages: an optional extra column of `firms` (docs/data-packages.md),
checked like any integer, and written on export only when some firm has one."""
import csv
import json

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm
from matchmaker.packages.problems import PackageInvalid
from matchmaker.services.packages import export_package
from tests.packages.conftest import base, load  # noqa: F401  (fixtures)


def test_headcount_is_imported_checked_and_exported_only_when_given(load, base, tmp_path):
    load(base)
    out = tmp_path / "plain.json"
    export_package(out)
    assert "headcount" not in json.loads(out.read_text(encoding="utf-8"))["firms"][0]  # the spec's fields only
    base["firms"][0]["headcount"] = 350
    load(base)
    assert db.session.scalar(sa.select(Firm.headcount).where(Firm.ref == "F1")) == 350
    assert db.session.scalar(sa.select(Firm.headcount).where(Firm.ref == "F2")) is None
    export_package(out)
    firms = {f["ref"]: f for f in json.loads(out.read_text(encoding="utf-8"))["firms"]}
    assert (firms["F1"]["headcount"], firms["F2"]["headcount"]) == (350, None)
    folder = tmp_path / "csv"
    export_package(folder)
    with open(folder / "firms.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["headcount"] == "350" and rows[1]["headcount"] == ""


@pytest.mark.parametrize("bad", [-3, 2.5, "many"])
def test_a_bad_headcount_is_refused_with_its_row(load, base, bad):
    base["firms"][1]["headcount"] = bad
    with pytest.raises(PackageInvalid) as exc:
        load(base)
    assert any(p.section == "firms" and p.row == 3 and p.field == "headcount" for p in exc.value.problems)
