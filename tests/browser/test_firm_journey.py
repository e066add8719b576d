"""A leading firm posts a need, sees a proposal after a matching run and accepts it; the SME accepts
it too, and the new link appears on the leading firm's chain map."""
from matchmaker.models import Pairing
from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in


def test_need_to_proposal_to_link_on_the_chain_map(live, new_page, browser):
    base, app, world = live
    lead = new_page()
    sign_in(lead, base, world["users"]["lead"])
    shot(lead, "home-leading")
    # Post a need with article-10 terms.
    lead.click("text=发布需求")
    lead.click("details.by-category summary")  # no product in this small world: post by category
    lead.select_option("#category", "C1")
    lead.fill("#quantity", "60")
    lead.fill("#needed_by", world["soon"].isoformat())
    lead.check("input[name=terms][value=pay_first]")
    lead.check("input[name=terms][value=order_first]")
    shot(lead, "need-form")
    lead.click("form.stacked button[type=submit]")
    lead.wait_for_url("**/firm/needs")
    assert lead.locator(".flash-success").count() == 1
    assert "先付款" in lead.locator("table").inner_text()
    shot(lead, "needs-list")

    # A province task-force official runs the matcher from their home page (it also runs daily;
    # a run is province-wide, so county and city officers have no such button).
    official = new_page()
    sign_in(official, base, world["users"]["province"])
    official.click("text=立即运行撮合")
    official.wait_for_load_state()
    assert "撮合完成" in official.locator(".flash-success").inner_text()
    with in_app(app):
        from matchmaker.infra.extensions import db

        pairing = db.session.scalar(db.select(Pairing).order_by(Pairing.id.desc()))
        pairing_id = pairing.id
        assert pairing.offer.ref == "OF1"

    lead.goto(base + "/")
    assert lead.locator("#waiting-count").inner_text() == "1"
    lead.click("nav >> text=撮合建议")
    card = lead.locator(f"#proposal-{pairing_id}")
    assert "南岗精工" in card.inner_text()
    assert card.locator("ul.reasons li").count() >= 1
    shot(lead, "proposals-leading")
    card.locator("button.accept").click()
    lead.wait_for_load_state()
    assert "等待对方接受" in lead.locator(".flash-success").inner_text()

    # The SME accepts too.
    sme = new_page(390, 844)
    sign_in(sme, base, world["users"]["sme"])
    shot(sme, "home-sme-390")
    sme.goto(base + "/firm/proposals")
    card = sme.locator(f"#proposal-{pairing_id}")
    assert "哈尔滨龙头装备" in card.inner_text()
    assert no_horizontal_scroll(sme)
    shot(sme, "proposals-sme-390")
    card.locator("button.accept").click()
    sme.wait_for_load_state()
    assert "供应关系已建立" in sme.locator(".flash-success").inner_text()

    # The link is on the leading firm's chain map, drawn as an SVG edge from S1 to L1.
    lead.goto(base + "/firm/chain")
    lead.wait_for_selector("#chain-map[data-drawn]")
    new_edge = lead.locator('#chain-map g.link[data-supplier="S1"][data-buyer="L1"]')
    assert new_edge.count() == 1
    assert new_edge.locator("path.edge.new").count() == 1
    broken = lead.locator('#chain-map g.link[data-supplier="S2"][data-broken="1"]')
    assert broken.count() == 1  # S2 is stopped: its link is red
    # Hovering a firm shows its details.
    lead.locator('#chain-map g.node[data-ref="S2"]').hover()
    assert "道里钢构" in lead.locator("#chain-map .detail").inner_text()
    # Keyboard: tabbing onto a link shows its details too.
    lead.locator('#chain-map g.link[data-supplier="S1"]').focus()
    assert "南岗精工" in lead.locator("#chain-map .detail").inner_text()
    shot(lead, "chain-map")
    assert "S1" in lead.locator("#chain-links").inner_text()
