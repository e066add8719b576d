"""A side's change request can take the product off a link (issue 10): the link then trades by
category only, in its category's unit; a change naming no product leaves the product alone."""
from matchmaker.models import Link, LinkRequest
from matchmaker.services import links
from tests import factories as f


def _world(db):
    f.category("C1", unit="t")
    f.product("P-MILK", "C1", name_zh="生鲜乳")
    f.product("P-HEIFER", "C1", unit="head", name_zh="奶牛")
    buyer, supplier = f.firm("B", kind="leading"), f.firm("S")
    link = f.link(supplier, buyer, "C1", 20.0, product_code="P-HEIFER")
    ub = f.user("firm", firm_row=buyer, email="b@example.cn")
    us = f.user("firm", firm_row=supplier, email="s@example.cn")
    db.session.commit()
    return link, ub, us


def test_a_change_request_can_clear_the_product(db):
    link, ub, us = _world(db)
    req = links.update_link(ub, link.id, {"category": "C1", "product": None})
    assert isinstance(req, LinkRequest)
    assert (req.product_code, req.product_cleared, req.unit) == (None, True, "t")
    assert db.session.get(Link, link.id).product_code == "P-HEIFER"  # nothing until the other side says yes
    links.confirm_link_request(us, req.id)
    row = db.session.get(Link, link.id)
    assert (row.product_code, row.category_code, row.unit) == (None, "C1", "t")


def test_a_change_naming_no_product_keeps_it(db):
    link, ub, us = _world(db)
    req = links.update_link(ub, link.id, {"quantity_per_week": 30.0})
    assert (req.product_code, req.product_cleared, req.unit) == (None, None, "head")
    links.confirm_link_request(us, req.id)
    row = db.session.get(Link, link.id)
    assert (row.product_code, row.quantity_per_week, row.unit) == ("P-HEIFER", 30.0, "head")
