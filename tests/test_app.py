"""The application factory, configuration and migrations."""
import subprocess
import sys

import sqlalchemy as sa

from matchmaker import create_app
from tests import factories


def test_default_database_is_sqlite_file_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/matchmaker.sqlite")


def test_postgres_url_is_normalised_to_psycopg():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@h/db", "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_firm_is_live_only_when_operating_outside_high_risk(db):
    f = factories.firm(region_code="230103")
    assert f.live
    f.region.risk = "high"
    assert not f.live
    f.region.risk = "medium"
    f.operating = False
    assert not f.live


def test_region_prefix_covers_regions_below(db):
    from matchmaker.models.region import region_prefix

    assert region_prefix("230000", "province") == "23"
    assert region_prefix("230100", "city") == "2301"
    assert region_prefix("230102", "county") == "230102"
    assert "230102".startswith(region_prefix("230100", "city"))
