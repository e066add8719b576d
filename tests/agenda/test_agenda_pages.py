"""The agenda pages on the demo: the county's agenda, meeting mode records a decision, the printable
agenda (names with codes, units, percentages, the reader's language), the .xlsx and the summary."""
import io
import re

from openpyxl import load_workbook

from matchmaker.services.demo import DEMO_PASSWORD


def signed_in(app, email="county@demo.example.cn", lang=None):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    if lang:
        client.post("/language", data={"lang": lang, "next": "/"})
    return client


def csrf(html):
    return re.search(r'name="(?:d-|o-)?csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_meeting_records_a_decision_and_the_agenda_shows_it(app, db, demo):
    client = signed_in(app)
    page = client.get("/taskforce/agenda")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="agenda-items"' in html
    assert 'id="agenda-routine"' in html  # the demo county has items below one input-week
    meeting = client.get("/taskforce/agenda/meeting").get_data(as_text=True)
    key = re.search(r'name="d-key"[^>]*value="([^"]+)"', meeting).group(1)
    bad = client.post("/taskforce/agenda/decide?i=0", data={"d-csrf_token": csrf(meeting), "d-key": key,
                                                            "d-decision": ""})
    assert bad.status_code == 422
    done = client.post("/taskforce/agenda/decide?i=0", data={
        "d-csrf_token": csrf(meeting), "d-key": key, "d-decision": "工信局协调原料，周五前复产",
        "d-departments": ["industry", "commerce"], "d-due": "2020-03-20"})
    assert done.status_code == 302 and "i=1" in done.headers["Location"]
    html = client.get("/taskforce/agenda").get_data(as_text=True)
    row = html[html.index(f'data-key="{key}"'):]
    row = row[:row.index("</tr>")]
    assert "工信局协调原料，周五前复产" in row and "商务" in row


def test_print_view_names_units_and_percentages_in_the_readers_language(app, db, demo):
    zh = signed_in(app).get("/taskforce/agenda/print").get_data(as_text=True)
    assert "调度议程" in zh or "议程" in zh
    assert re.search(r"\d+%", zh)  # shares as percentages
    assert re.search(r'<span class="muted">F\d{4}</span>', zh)  # names with codes
    assert re.search(r"\d \S*(吨|件|台|套|立方米|千克|头|千升|米)", zh)  # quantities with their unit
    en = signed_in(app, lang="en").get("/taskforce/agenda/print").get_data(as_text=True)
    assert "Dispatch agenda" in en and "At stake (input-weeks)" in en


def test_xlsx_has_names_beside_codes_formats_filters_and_a_frozen_header(app, db, demo):
    resp = signed_in(app).get("/taskforce/agenda/agenda.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    items = wb.worksheets[0]
    header = [c.value for c in items[1]]
    assert header[3:5] == ["企业代码", "企业"]
    assert items.freeze_panes == "A2" and items.auto_filter.ref
    first = [c for c in items[2]]
    assert re.fullmatch(r"F\d{4}", first[3].value) and first[4].value
    assert first[header.index("到期日")].number_format == "yyyy-mm-dd"
    buyers = wb.worksheets[1]
    bh = [c.value for c in buyers[1]]
    row = [c for c in buyers[2]]
    assert row[bh.index("占采购方供应比例")].number_format == "0%"
    assert row[bh.index("单位")].value and row[bh.index("品类")].value


def test_summary_page(app, db, demo):
    html = signed_in(app).get("/taskforce/agenda/summary").get_data(as_text=True)
    assert 'id="summary-levels"' in html and 'id="summary-factors"' in html


def test_the_city_sees_its_own_items_and_opens_a_countys_agenda(app, db, demo):
    client = signed_in(app, "city@demo.example.cn")
    html = client.get("/taskforce/agenda").get_data(as_text=True)
    links = re.findall(r'href="/taskforce/agenda\?region=(\d{6})&amp;week=2020-W12"', html)
    assert links  # the counties below, each with its item count
    county = client.get(f"/taskforce/agenda?region={links[0]}").get_data(as_text=True)
    assert f"<span class=\"muted\">{links[0]}</span> · 2020-W12" in county
    # the county's staff cannot read the city's agenda (as if it did not exist)
    city = links[0][:4] + "00"
    assert signed_in(app).get(f"/taskforce/agenda?region={city}").status_code == 404


def test_before_any_report_the_agenda_says_so(app, db):
    from tests import factories

    factories.region("230000", name="黑龙江省")
    factories.region("230100", name="哈尔滨市")
    factories.region("230102", name="道里区")
    factories.user("staff", region_code="230102", email="c@example.cn")
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": "c@example.cn", "password": "correct horse 1"}).status_code == 302
    resp = client.get("/taskforce/agenda")
    assert resp.status_code == 200 and 'id="no-report"' in resp.get_data(as_text=True)


def test_the_agenda_page_offers_both_orders(app, db, demo):
    client = signed_in(app)
    page = client.get("/taskforce/agenda").text
    assert 'id="sort-runs-out"' in page and "按影响程度" in page
    by_days = client.get("/taskforce/agenda?sort=runs_out")
    assert by_days.status_code == 200 and 'id="sort-runs-out"' not in by_days.text
    assert "<strong>按买方断供前剩余天数</strong>" in by_days.text


def test_meeting_mode_opens_the_breaks_of_an_item(app, db, demo):
    """An item's breaks are linked from meeting mode (to escalate or close one on its page), with
    their buyer's name and status; an item without breaks (a firm asking for help) lists none."""
    import sqlalchemy as sa

    from matchmaker.models import Break

    client = signed_in(app)
    html = client.get("/taskforce/agenda/meeting?i=0").get_data(as_text=True)
    assert "望奎昌盛食品有限公司" in html  # the first item: F0018's uncovered needs, two breaks
    ids = db.session.scalars(sa.select(Break.id).where(Break.kind == "uncovered_need", Break.buyer == "F0018")
                             .order_by(Break.key)).all()
    links = re.findall(r'<a href="/taskforce/breaks/(\d+)">', html[html.index('id="item-breaks"'):])
    assert [int(i) for i in links] == ids and len(ids) == 2
    assert "本事项涉及的断链" in html
    walk = client.get("/taskforce/agenda/meeting?i=3").get_data(as_text=True)
    assert "望奎亿丰农业发展有限公司" in walk and 'id="item-breaks"' not in walk  # a firm asking for help
