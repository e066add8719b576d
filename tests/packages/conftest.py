"""Helpers for the data-package tests: a small valid package and ways to import it."""
import copy
import json

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Delivery, Firm, Link, Need, Offer, Order, Payment, Product, Region
from matchmaker.rules.creditcode import check_digit
from matchmaker.packages.problems import PackageInvalid
from matchmaker.services.packages import import_package


def credit_code(body="91230102MA1B2C3D4"):
    """A valid unified social credit code for the 17 given characters."""
    return body + check_digit(body)


BASE = {
    "regions": [
        {"code": "230000", "name": "黑龙江省", "level": "province"},
        {"code": "230100", "name": "哈尔滨市", "level": "city", "parent": "230000"},
        {"code": "230102", "name": "道里区", "level": "county", "parent": "230100", "lat": 45.76, "lon": 126.61},
        {"code": "230103", "name": "南岗区", "level": "county", "parent": "230100", "lat": 45.75, "lon": 126.66},
    ],
    "categories": [
        {"code": "C1", "name": "原料", "unit": "t"},
        {"code": "C2", "name": "产品", "unit": "piece", "inputs": ["C1"], "substitutes": []},
    ],
    "products": [
        {"code": "P1", "name_zh": "生鲜乳", "name_en": "raw milk", "unit": "t", "category": "C1", "hs": "040120",
         "aliases": ["原奶", "fresh milk"]},
        {"code": "P2", "name_zh": "生猪", "name_en": "live hogs", "unit": "head", "category": "C1"},
    ],
    "firms": [
        {"ref": "F1", "name": "龙头甲", "kind": "leading", "region": "230102", "industry": "C1441",
         "credit_code": credit_code()},
        {"ref": "F2", "name": "中小乙", "kind": "sme", "region": "230103"},
    ],
    "needs": [
        {"ref": "N1", "firm": "F1", "category": "C1", "quantity": 100, "needed_by": "2020-04-01"},
    ],
    "offers": [
        {"ref": "O1", "firm": "F2", "category": "C1", "quantity": 40, "available_from": "2020-03-01"},
    ],
    "links": [
        {"ref": "L1", "supplier": "F2", "buyer": "F1", "category": "C1", "quantity_per_week": 5},
    ],
    "orders": [{"ref": "PO1", "link": "L1", "date": "2020-03-02", "quantity": 5}],
    "deliveries": [{"ref": "D1", "link": "L1", "date": "2020-03-05", "quantity": 5, "amount": 600}],
    "payments": [{"ref": "P1", "link": "L1", "date": "2020-03-06", "amount": 600, "delivery": "D1"}],
}

MODELS = (Region, Category, Product, Firm, Need, Offer, Link, Order, Delivery, Payment)


@pytest.fixture
def base():
    """A fresh deep copy of the small valid package."""
    return copy.deepcopy(BASE)


def write_json(tmp_path, package, name="package.json"):
    path = tmp_path / name
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    return path


def counts():
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def load(tmp_path, app):
    """Import a package dict (as JSON) without the shipped reference data; returns the result."""

    def _load(package, **kw):
        return import_package(write_json(tmp_path, package), reference=False, **kw)

    return _load


@pytest.fixture
def problems(tmp_path, app):
    """Import a package that must fail; asserts nothing changed and returns [(section, row, field)]."""

    def _problems(package=None, path=None, with_messages=False):
        before = counts()
        with pytest.raises(PackageInvalid) as info:
            import_package(path or write_json(tmp_path, package, "bad.json"), reference=False)
        assert counts() == before
        if with_messages:
            return info.value.problems
        return [(p.section, p.row, p.field) for p in info.value.problems]

    return _problems
