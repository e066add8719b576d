"""Pages show every quantity with its unit (the product's, else the category's) and name the
products of needs, offers, links, proposals and best partners (spec/products.md, issue 10 item 4)."""
from datetime import date

from matchmaker.infra.extensions import db
from matchmaker.services import matching
from tests import factories


def _postings(world):
    factories.product("P-HOG", "C1", unit="head", name_zh="生猪", name_en="live hogs")
    lead, sme = world["lead"], world["sme"]
    factories.need(lead, "C1", quantity=120.0, needed_by=world["soon"], ref="N-HOG", product_code="P-HOG")
    factories.need(lead, "C2", quantity=7.0, needed_by=world["soon"], ref="N-PLAIN")
    factories.offer(sme, "C1", quantity=80.0, available_from=world["today"], ref="O-HOG", product_code="P-HOG")
    factories.link(sme, lead, "C1", quantity_per_week=12.0, ref="L-HOG", product_code="P-HOG")
    db.session.commit()


def test_needs_offers_and_links_show_products_and_units(as_user, world):
    _postings(world)
    lead = as_user("lead")
    page = lead.get("/firm/needs").text
    assert "生猪" in page and "120 头" in page  # the product's unit, in Chinese
    assert "7 件" not in page and "7 吨" in page  # a need naming no product: its category's unit (C2: t)
    sme = as_user("sme")
    assert "80 头" in sme.get("/firm/offers").text
    assert "12 头" in sme.get("/firm/links").text
    lead.post("/language", data={"lang": "en"})
    page = lead.get("/firm/needs").text
    assert "live hogs" in page and "120 head" in page


def test_proposals_and_best_partners_show_units_and_name_the_products(as_user, world):
    _postings(world)
    matching.run_matching(world["today"])
    lead = as_user("lead")
    page = lead.get("/firm/proposals?state=open").text
    assert "80 头" in page and "产品：生猪" in page
    need_id = db.session.execute(db.select(factories.Need.id).where(factories.Need.ref == "N-HOG")).scalar_one()
    page = lead.get(f"/firm/needs/{need_id}/partners").text
    assert "O-HOG · 生猪" in page and "80 头" in page and "120 头" in page


def test_the_chain_map_and_a_links_ledger_give_units_and_name_the_products(as_user, world):
    _postings(world)
    factories.link(world["sme"], world["lead"], "C2", quantity_per_week=3.0, ref="L-PLAIN")
    db.session.commit()
    lead = as_user("lead")
    page = lead.get("/firm/chain").text
    table = page[page.index('id="chain-links"'):]
    assert "生猪" in table and "12 头" in table and "3 吨" in table
    graph = page[page.index("data-graph="):page.index('id="chain-map"')]
    assert "12 \\u5934" in graph  # what the map's script shows on hover (头, JSON-escaped)
    link_id = db.session.execute(db.select(factories.Link.id).where(factories.Link.ref == "L-HOG")).scalar_one()
    page = lead.get(f"/firm/links/{link_id}").text
    assert 'id="order-quantity-unit">头</span>' in page and "以该供应关系的计量单位计：头。" in page
