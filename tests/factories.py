"""Small row builders for tests: each returns a flushed model instance with sensible defaults."""
import itertools
from datetime import date

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Link, Need, Offer, Product, Region

_seq = itertools.count(1)


def region(code="230102", name=None, level=None, parent=None, lat=45.76, lon=126.65, risk="low"):
    """A region; level is guessed from the code (XX0000 province, XXXX00 city, else county)."""
    if level is None:
        level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
    if parent is None and level != "province":
        parent = code[:2] + "0000" if level == "city" else code[:4] + "00"
    row = db.session.get(Region, code)
    if row is None:
        if parent and db.session.get(Region, parent) is None:
            region(parent, lat=lat, lon=lon)
        row = Region(code=code, name=name or f"区{code}", level=level, parent_code=parent,
                     lat=lat, lon=lon, risk=risk)
        db.session.add(row)
        db.session.flush()
    return row


def category(code="C1", name=None, unit="t", inputs=(), substitutes=()):
    row = db.session.get(Category, code)
    if row is None:
        row = Category(code=code, name=name or f"品类{code}", unit=unit)
        db.session.add(row)
    row.inputs = [category(c) for c in inputs]
    row.substitutes = [category(c) for c in substitutes]
    db.session.flush()
    return row


def product(code="P1", category_code="C1", unit=None, name_zh=None, name_en=None, hs=None, aliases=()):
    """A product of a category (unit: the category's unless given)."""
    cat = category(category_code)
    row = db.session.get(Product, code)
    if row is None:
        row = Product(code=code, name_zh=name_zh or f"产品{code}", name_en=name_en or f"product {code}",
                      unit=unit or cat.unit, category_code=category_code, hs=hs, aliases=list(aliases))
        db.session.add(row)
        db.session.flush()
    return row


def firm(ref=None, kind="sme", region_code="230102", **kw):
    region(region_code)
    n = next(_seq)
    row = Firm(ref=ref or f"F{n}", name=kw.pop("name", f"企业{n}"), kind=kind, region_code=region_code,
               blockers=kw.pop("blockers", []), **kw)
    db.session.add(row)
    db.session.flush()
    return row


def need(firm_row, category_code="C1", quantity=100.0, needed_by=date(2020, 4, 1), ref=None, **kw):
    category(category_code)
    row = Need(ref=ref or f"N{next(_seq)}", firm_id=firm_row.id, category_code=category_code,
               quantity=quantity, needed_by=needed_by, terms=kw.pop("terms", []), **kw)
    db.session.add(row)
    db.session.flush()
    return row


def offer(firm_row, category_code="C1", quantity=100.0, available_from=date(2020, 3, 1), ref=None, **kw):
    category(category_code)
    row = Offer(ref=ref or f"O{next(_seq)}", firm_id=firm_row.id, category_code=category_code,
                quantity=quantity, available_from=available_from, help_wanted=kw.pop("help_wanted", []), **kw)
    db.session.add(row)
    db.session.flush()
    return row


def link(supplier, buyer, category_code="C1", quantity_per_week=10.0, ref=None, **kw):
    category(category_code)
    row = Link(ref=ref or f"L{next(_seq)}", supplier_id=supplier.id, buyer_id=buyer.id,
               category_code=category_code, quantity_per_week=quantity_per_week, **kw)
    db.session.add(row)
    db.session.flush()
    return row


def user(role="firm", firm_row=None, region_code=None, email=None, password="correct horse 1"):
    from matchmaker.services.auth import create_user

    return create_user(email or f"u{next(_seq)}@example.cn", "测试用户", password, role,
                       firm_ref=firm_row.ref if firm_row is not None else None,
                       region_code=region_code, commit=False)
