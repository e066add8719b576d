"""Every form control on the pages has a label; no inline script or style attribute; tables scroll in a box."""
from html.parser import HTMLParser

import pytest

from tests import factories


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.label_for, self.label_depth, self.wrapped = [], set(), 0, set()
        self.inline_styles = 0
        self.table_depth_in_wrap = []
        self.open_divs = []
        self.bare_tables = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.inline_styles += 1
        if tag == "div":
            self.open_divs.append("table-wrap" in (a.get("class") or "").split())
        if tag == "table" and not any(self.open_divs):
            self.bare_tables += 1
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            if a.get("type") in ("hidden", "submit", "button"):
                return
            self.controls.append(a.get("id"))
            if self.label_depth or a.get("aria-label"):
                self.wrapped.add(a.get("id"))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag == "div" and self.open_divs:
            self.open_divs.pop()


@pytest.fixture
def filled(world, db):
    from matchmaker.services import matching, reports

    need = factories.need(world["lead"], "C1", quantity=5, needed_by=world["soon"], ref="NA")
    factories.offer(world["sme"], "C1", quantity=5, available_from=world["today"], ref="OA")
    s2 = factories.firm("S2", kind="sme", region_code="230102", operating=False)
    factories.link(s2, world["lead"], "C1")
    db.session.commit()
    matching.run_matching(world["today"])
    reports.write_weekly_report(as_of=world["today"])
    from matchmaker.services import links

    links.create_link(world["users"]["sme"], {"supplier": "S1", "buyer": "L1", "category": "C1",
                                              "quantity_per_week": 3})  # awaits the lead's confirmation
    return need


PAGES = {
    "lead": ["/", "/firm/needs", "/firm/needs/new", "/firm/needs/{need}/edit", "/firm/needs/{need}/partners",
             "/firm/proposals", "/firm/chain", "/firm/breaks", "/firm/links", "/help/"],
    "sme": ["/", "/firm/offers", "/firm/offers/new", "/firm/status", "/firm/proposals", "/account/password",
            "/firm/links", "/help/"],
    "county": ["/", "/taskforce/report", "/taskforce/charts", "/taskforce/what-if", "/taskforce/breaks/{brk}", "/help/"],
    "admin": ["/", "/admin/import", "/admin/users"],
}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_every_control_is_labelled_and_nothing_inline(as_user, filled, who, db):
    from matchmaker.models.report import Break

    brk = db.session.scalar(db.select(Break.id))
    c = as_user(who)
    for path in PAGES[who]:
        resp = c.get(path.format(need=filled.id, brk=brk))
        assert resp.status_code == 200, path
        p = _Controls()
        p.feed(resp.text)
        unlabelled = [i for i in p.controls if i not in p.label_for and i not in p.wrapped]
        assert not unlabelled, (path, unlabelled)
        assert p.inline_styles == 0, path
        assert p.bare_tables == 0, path
        assert "<script>" not in resp.text and "onclick" not in resp.text, path
