"""The weekly report's paper (workbook, print page) names codes in its own words, from the catalogue,
in Chinese whatever the reader's language; the workbook writes every text through one function."""
import io

from flask_babel import refresh
from openpyxl import load_workbook

from matchmaker.infra import xlsx
from matchmaker.infra.labels import label, report_vocabulary
from matchmaker.services.reports import export

# The words the report's workbook and print page have always used.
PAPER_WORDS = {
    "kind": {"supplier_down": "供应商停产", "supplier_strained": "供应商受阻", "uncovered_need": "需求未覆盖",
             "chain_gap": "链条缺口", "single_source": "单一来源", "upstream_break": "上游断链"},
    "level": {"county": "县级", "city": "市级", "province": "省级"},
    "status": {"open": "待处理", "assigned": "已交办", "escalated": "已上报", "reopened": "重新打开", "closed": "已销号", "resolved": "已解决"},
    "factor": {"ppe": "防疫物资", "labour": "用工", "transport": "物流运输", "materials": "原材料",
               "funds": "资金", "orders": "订单市场", "risk_zone": "风险区", "other": "其他"},
    "term": {"order_first": "先订货", "pay_first": "先付款", "payment_60d": "60日内付款"},
}


def test_the_paper_keeps_its_words_in_every_reader_language(app):
    for lang in ("zh_CN", "en"):
        with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
            refresh()  # the locale is cached on the app context the fixture keeps pushed
            words = report_vocabulary()
            assert {part: dict(codes) for part, codes in words.items() if part != "unit"} == PAPER_WORDS
            # units in the paper's words too (issue 10: every quantity with its unit)
            assert (words["unit"]["t"], words["unit"]["head"], words["unit"]["kL"]) == ("吨", "头", "千升")
            assert set(words) == set(export.VOCABULARY_PARTS)
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()
        assert label("labour", "factor") == "Workers returning"  # the page keeps the reader's language
    with app.test_request_context("/"):
        refresh()
        assert label("labour", "factor") == "员工返岗" and label("county", "level") == "县（区）"


def _data():
    brk = {"kind": "supplier_down", "buyer": "B", "supplier": "=S", "category": "C1", "quantity": 40.0,
           "factors": ["labour", "unknown"], "level": "county", "owner_region": "230102", "weeks_open": 1,
           "status": "open", "tier": 1, "path": ["B", "=S"], "severity": 6.5, "unit": "t",
           "products": [{"product": "P1", "unit": "t", "quantity": 30.0},
                        {"product": None, "unit": "t", "quantity": 10.0}]}
    return {"week": "2020-W12", "as_of": "2020-03-16", "breaks": [brk],
            "resolved": [{"kind": "uncovered_need", "buyer": "B", "supplier": None, "category": "C2"}],
            "summary": {"by_kind": {"supplier_down": 1}, "by_factor": {"labour": 1}, "by_level": {"county": 1}},
            "monitoring": {"by_industry": [],
                           "by_park": [{"park": "P", "firms": 2, "share_operating": 0.5,
                                        "mean_capacity_utilization": None, "mean_workers_back": 1.0}]},
            "pairings": {"proposed": 1, "proposed_quantity": 4.0, "accepted": 0, "accepted_quantity": 0.0}}


def test_workbook_takes_its_words_from_the_caller_and_writes_text_through_one_function(monkeypatch):
    written = []
    real = xlsx.text_cell_xml

    def recording(ref, text, style=0):
        written.append(text)
        return real(ref, text, style)

    monkeypatch.setattr(xlsx, "text_cell_xml", recording)
    words = dict(PAPER_WORDS, unit={"t": "吨"})
    book = load_workbook(io.BytesIO(export.report_workbook(_data(), words, {"P1": ("生鲜乳", "Raw milk", "t")})
                                    .getvalue()))  # no app needed
    rows = [c.value for c in book["断链清单"][2]]
    assert rows[1:13] == ["供应商停产", "B", "=S", "C1", 40, "吨", "生鲜乳 30 吨；按品类 10 吨", "用工、unknown", "县级",
                          "230102", 1, "待处理"]
    assert [c.value for c in book["已解决"][2]] == ["需求未覆盖", "B", None, "C2", "已解决", None]
    assert [[c.value for c in r] for r in book["汇总"].iter_rows(min_row=2)] == [
        ["类型", "供应商停产", 1], ["因素", "用工", 1], ["层级", "县级", 1]]
    texts = [c.value for ws in book for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert texts and all(t in written for t in texts)


def test_the_paper_prints_quantities_at_stake_in_full():
    stakes = [{"product": None, "unit": "t", "quantity": 8188032.0}, {"product": "P1", "unit": "t", "quantity": 0.25},
              {"product": "P2", "unit": None, "quantity": 1 / 3}]
    assert export.stake_text(stakes, {"t": "吨"}, {"P1": ("生鲜乳",)}) == "按品类 8188032 吨；生鲜乳 0.25 吨；P2 0.333333"
