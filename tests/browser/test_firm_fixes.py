"""The firm-side fixes of issue 13 (item 9) in a real browser: the chain map keeps one row per tier
and scrolls sideways, shows a pairing's contribution to a merged link; best partners is usable at
390 px (its reasons are not squeezed into a narrow column)."""
from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in


def _seed_wide_tier(app, world):
    """Ten more tier-1 suppliers of L1, and a pairing that added 12 a week to S3 -> L1 (C2, 200 a week)."""
    from matchmaker.infra.extensions import db
    from matchmaker.models import Firm, MatchRun, Pairing
    from tests import factories

    with in_app(app):
        lead = db.session.scalar(db.select(Firm).where(Firm.ref == "L1"))
        s3 = db.session.scalar(db.select(Firm).where(Firm.ref == "S3"))
        for i in range(10):
            sup = factories.firm(f"W{i}", kind="sme", region_code="230102", name=f"宽层供应商{i}")
            factories.link(sup, lead, "C1", quantity_per_week=5, ref=f"LW{i}")
        need = factories.need(lead, "C2", quantity=12, needed_by=world["soon"], ref="NW")
        offer = factories.offer(s3, "C2", quantity=12, available_from=world["today"], ref="OW")
        added = factories.link(s3, lead, "C2", quantity_per_week=12, ref="LKP")
        run = MatchRun(as_of=world["today"])
        db.session.add(run)
        db.session.flush()
        db.session.add(Pairing(run_id=run.id, need_id=need.id, offer_id=offer.id, quantity=12, unit_cost=1.0,
                               status="active", link_id=added.id))
        db.session.commit()


def test_chain_map_one_row_per_tier_scrolls_sideways_and_shows_the_pairing(live, new_page):
    base, app, world = live
    _seed_wide_tier(app, world)
    page = new_page(1024, 900)
    sign_in(page, base, world["users"]["lead"])
    page.goto(base + "/firm/chain")
    page.wait_for_selector("#chain-map[data-drawn]")
    tops = page.evaluate("""() => Array.from(document.querySelectorAll('#chain-map g.node'))
        .filter(g => g.dataset.ref !== 'L1').map(g => g.getBoundingClientRect().top)""")
    assert len(tops) == 12 and max(tops) - min(tops) < 1, tops  # S2, S3 and W0..W9: one row
    canvas = page.evaluate("""() => { const c = document.querySelector('#chain-map .canvas');
        return [c.scrollWidth, c.clientWidth]; }""")
    assert canvas[0] > canvas[1], canvas  # the tier is wider than the page: the map scrolls
    assert no_horizontal_scroll(page)  # ... inside its box, not the page
    links = page.locator("#chain-links").inner_text()
    assert "200 + 撮合新增 12 = 每周 212" in links
    page.locator('#chain-map g.link[data-supplier="S3"]').focus()
    assert "撮合新增 12" in page.locator("#chain-map .detail").inner_text()
    shot(page, "chain-map-wide-tier")


def test_best_partners_at_390_px(live, new_page):
    base, app, world = live
    from matchmaker.infra.extensions import db
    from matchmaker.models import Firm
    from tests import factories

    with in_app(app):
        lead = db.session.scalar(db.select(Firm).where(Firm.ref == "L1"))
        need_id = factories.need(lead, "C1", quantity=40, needed_by=world["soon"], ref="NP").id
        db.session.commit()
    page = new_page(390, 844)
    sign_in(page, base, world["users"]["lead"])
    page.goto(base + f"/firm/needs/{need_id}/partners")
    assert "越低越好" in page.locator("main").inner_text()
    why = page.locator("#partners td.why").first
    assert why.locator("li").count() >= 1
    box = why.bounding_box()
    assert box["width"] >= 300, box  # a card's full width, not a one-character column
    reason = why.locator("li").first.bounding_box()
    assert reason["height"] < 5 * 24, reason  # a reason wraps over a few lines, not one character a line
    assert no_horizontal_scroll(page)
    shot(page, "best-partners-390")
