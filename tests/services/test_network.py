"""The one adapter from stored rows to graphs records (services/support/network.py)."""
from datetime import date

import pytest

import graphs
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.services.support import network
from tests import factories

AS_OF = date(2020, 3, 16)
FUTURE = date(2020, 4, 13)


@pytest.fixture
def world(db):
    """Buyers and suppliers in a low-risk county, a high-risk one and one without coordinates;
    needs and offers open, closed, overdue, expired, fully committed."""
    factories.region("230102", lat=45.7567, lon=126.6424)
    factories.region("230602", lat=46.5907, lon=125.1040, risk="high")
    factories.region("230103", lat=None, lon=None)
    b1 = factories.firm("B1", kind="leading", region_code="230102", blockers=["labour"])
    b2 = factories.firm("B2", region_code="230103")
    s1 = factories.firm("S1", region_code="230102", workers_back=0.8)
    s2 = factories.firm("S2", region_code="230602")
    s3 = factories.firm("S3", region_code="230102", operating=False)
    n1 = factories.need(b1, "C1", quantity=100.0, needed_by=FUTURE, ref="N1", terms=["pay_first", "order_first"],
                        max_unit_price=12.0)
    factories.need(b1, "C1", quantity=10.0, needed_by=date(2020, 3, 1), ref="N2")  # overdue
    factories.need(b1, "C1", quantity=10.0, needed_by=FUTURE, ref="N3", status="closed")
    factories.need(b1, "C1", quantity=10.0, needed_by=FUTURE, ref="N4", committed_quantity=10.0)
    factories.need(b2, "C1", quantity=10.0, needed_by=FUTURE, ref="N5")  # no coordinates
    factories.need(b1, "C2", quantity=30.0, needed_by=FUTURE, ref="N6", terms=["pay_first", "order_first"],
                   committed_quantity=5.0)
    o1 = factories.offer(s1, "C1", quantity=60.0, ref="O1", lead_time_days=3, unit_price=10.0,
                         delivery_radius_km=200.0, available_until=FUTURE)
    factories.offer(s2, "C1", quantity=60.0, ref="O2")
    factories.offer(s3, "C1", quantity=60.0, ref="O3")
    factories.offer(s1, "C1", quantity=60.0, ref="O4", available_until=date(2020, 3, 10))  # expired
    factories.offer(s1, "C1", quantity=60.0, ref="O5", status="closed")
    factories.offer(b2, "C1", quantity=60.0, ref="O6")  # no coordinates
    factories.link(s1, b1, "C1", quantity_per_week=7.5)
    factories.link(s2, b1, "C1", quantity_per_week=2.0, active=False)
    # the chain last: the factories reset the inputs and substitutes of the categories they name
    factories.category("C2", inputs=["C0"], substitutes=["C1"])
    factories.category("C1", inputs=["C0"])
    db.session.flush()
    run = MatchRun(as_of=AS_OF)
    db.session.add(run)
    db.session.flush()
    db.session.add(Pairing(run_id=run.id, need_id=n1.id, offer_id=o1.id, quantity=5.0, unit_cost=1.0,
                           reasons=[], status="proposed"))
    db.session.commit()
    return {"n1": n1, "o1": o1}


def _by_ref(records):
    return sorted(records, key=lambda r: r.ref)


def test_postings_are_what_remains_open_and_placeable(world):
    postings = network.load_postings(AS_OF)
    assert [n.ref for n in _by_ref(postings.needs)] == ["N1", "N6"]
    assert [o.ref for o in _by_ref(postings.offers)] == ["O1", "O2", "O3"]
    assert sorted(postings.skipped) == ["N5", "O6"]
    n1, n6 = _by_ref(postings.needs)
    assert (n1.firm, n1.category, n1.quantity, n1.needed_by, n1.firm_kind, n1.max_unit_price, n1.terms,
            n1.region) == ("B1", "C1", 100.0, FUTURE, "leading", 12.0, ("pay_first", "order_first"), "230102")
    assert (n6.quantity, n6.covered, n6.open_quantity) == (30.0, 5.0, 25.0)
    assert n6.terms == ("pay_first", "order_first")
    live = {o.ref: o.supplier_live for o in postings.offers}
    assert live == {"O1": True, "O2": False, "O3": False}  # high-risk county; not operating
    o1 = next(o for o in postings.offers if o.ref == "O1")
    assert (o1.available_from, o1.available_until, o1.lead_time_days, o1.unit_price, o1.delivery_radius_km,
            o1.workers_back) == (date(2020, 3, 1), FUTURE, 3, 10.0, 200.0, 0.8)
    assert postings.need_ids["N1"] == world["n1"].id and postings.offer_ids["O1"] == world["o1"].id


def test_a_network_as_of_a_date_holds_the_same_postings(world):
    alone = network.load_postings(AS_OF)
    net = network.load_network(AS_OF)
    by_ref = {n.ref: n for n in net.needs}
    assert all(n is by_ref[n.ref] for n in net.postings.needs)  # the chain's own records
    assert by_ref["N1"].pending_proposals == 1  # counted for the chain breaks only
    assert _by_ref(n._replace(pending_proposals=0) for n in net.postings.needs) == _by_ref(alone.needs)
    assert _by_ref(net.postings.offers) == _by_ref(alone.offers)
    assert (net.postings.need_ids, net.postings.offer_ids) == (alone.need_ids, alone.offer_ids)
    assert sorted(net.postings.skipped) == sorted(alone.skipped)
    assert net.substitutes == network.load_substitutes() == {"C2": ("C1",)}
    assert network.load_network().postings is None


def test_postings_carry_their_columns(world):
    """The loaded records keep their columns (what the matcher's index reads instead of each record),
    also when some are left out (N5 and O6 cannot be placed, closed needs are not postings)."""
    def columns_of(records):
        return {name: [getattr(r, name) for r in records] for name in type(records[0])._fields}

    net = network.load_network(AS_OF)
    for postings in (network.load_postings(AS_OF), net.postings):
        for records, ids in ((postings.needs, postings.need_ids), (postings.offers, postings.offer_ids)):
            assert {k: v for k, v in records.columns.items() if k not in ("id", "firm_id")} == columns_of(records)
            assert records.columns["id"] == [ids[r.ref] for r in records]  # the stored ids travel along
            # ... and those of their firms (a run's news goes to firms by id)
            firm = {"need": "buyer", "offer": "supplier"}[type(records[0]).__name__.lower()]
            assert records.columns["firm_id"] == [postings.firm_ids[getattr(r, firm)] for r in records]
            assert network.firms_of(records) == dict(zip(records.columns["id"], records.columns["firm_id"]))
    assert {k: v for k, v in net.needs.columns.items() if k not in ("id", "firm_id")} == columns_of(net.needs)
    assert len(net.postings.needs) < len(net.needs)


def test_network_needs_are_every_open_need_with_cover_and_pending_proposals(world):
    net = network.load_network()
    needs = {n.ref: n for n in net.needs}
    assert set(needs) == {"N1", "N2", "N4", "N5", "N6"}
    assert needs["N1"][:8] == ("N1", "B1", "C1", 100.0, FUTURE, 0.0, 1, "open")
    assert needs["N5"].lat is None and needs["N5"].region == "230103"
    assert needs["N4"].covered == 10.0 and needs["N2"].needed_by == date(2020, 3, 1)
    assert net.chain == {"C1": ("C0",), "C2": ("C0",)}
    assert network.load_categories() == [graphs.Category("C1", ("C0",)), graphs.Category("C2", ("C0",), ("C1",))]
    assert [(lk.supplier, lk.buyer, lk.category, lk.quantity_per_week) for lk in net.links] == [
        ("S1", "B1", "C1", 7.5)]
    firms = {f.ref: f for f in net.firms}
    assert firms["B1"] == graphs.Firm("B1", "leading", "230102", "230100", "230000", True, ("labour",), "low")
    assert firms["S2"].county_risk == "high" and firms["S3"].operating is False
    assert net.info["S1"].workers_back == 0.8 and net.info["B1"].kind == "leading"


def test_needs_with_allowed_offer_from_the_network_or_alone(world):
    alone = network.needs_with_allowed_offer(AS_OF)
    assert alone == {"N1", "N6"}  # O1 serves N1, and N6 through its substitute C1
    assert network.needs_with_allowed_offer(AS_OF, network.load_network(AS_OF)) == alone
    # a network loaded for another date is not used for this one
    assert network.needs_with_allowed_offer(AS_OF, network.load_network(date(2020, 4, 20))) == alone


def test_posting_record_is_the_bulk_record_of_one_posting(world, db):
    from matchmaker.models import Need, Offer

    postings = network.load_postings(AS_OF)
    rows = {**{n.ref: n for n in db.session.scalars(db.select(Need)).unique()},
            **{o.ref: o for o in db.session.scalars(db.select(Offer)).unique()}}
    for record in postings.needs:
        assert network.posting_record("need", rows[record.ref]) == record
    for record in postings.offers:
        assert network.posting_record("offer", rows[record.ref]) == record
    closed = network.posting_record("need", rows["N3"])
    assert closed.status == "closed" and closed.quantity == 10.0
    overdue = network.posting_record("need", rows["N2"])
    assert overdue.needed_by == date(2020, 3, 1)  # the matcher itself leaves it out
    assert network.posting_record("need", rows["N4"]) is None  # nothing open
    assert network.posting_record("need", rows["N5"]) is None  # no coordinates
    assert network.posting_record("offer", rows["O4"]).available_until == date(2020, 3, 10)
    assert network.posting_record("offer", rows["O5"]).status == "closed"
    assert network.posting_record("offer", rows["O6"]) is None


def test_declined_pairs_by_ref(world, db):
    from matchmaker.models.pairing import DeclinedPair

    db.session.add(DeclinedPair(need_id=world["n1"].id, offer_id=world["o1"].id, declined_by="buyer"))
    db.session.commit()
    assert network.load_declined() == {("N1", "O1")}


def test_firm_and_link_records_of_stored_rows(world, db):
    from matchmaker.models import Firm, Link

    s3 = db.session.scalar(db.select(Firm).where(Firm.ref == "S3"))
    assert network.firm_record(s3) == graphs.Firm("S3", "sme", "230102", "230100", "230000", False, (), "low")
    net = network.load_network()
    assert network.firm_record(s3) in net.firms
    link = db.session.scalar(db.select(Link).where(Link.active.is_(True)))
    assert network.link_record(link) == graphs.Link("S1", "B1", "C1", 7.5, True) == net.links[0]


def _tables_read(db, action):
    """table name -> number of statements that read it, while `action` runs."""
    import re

    import sqlalchemy as sa

    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    counts = {}
    for statement in seen:
        for table in set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', statement, flags=re.I)) & set(db.metadata.tables):
            counts[table] = counts.get(table, 0) + 1
    return counts


def test_a_network_as_of_a_date_reads_each_table_once(world, db):
    def load():
        net = network.load_network(AS_OF)
        assert network.needs_with_allowed_offer(AS_OF, net) == {"N1", "N6"}

    counts = _tables_read(db, load)
    # category and product: their units, the unit of each posting (rules.posting_unit)
    assert counts == {"firm": 1, "region": 1, "link": 1, "category_input": 1, "category_substitute": 1,
                      "need": 1, "offer": 1, "pairing": 1, "category": 1, "product": 1}


def _loads_once(monkeypatch):
    """Record the network loads; fail on any separate read of the postings."""
    loads = []
    real = network.load_network
    monkeypatch.setattr(network, "load_network", lambda *a, **kw: loads.append(a + tuple(kw.values()))
                        or real(*a, **kw))
    monkeypatch.setattr(network, "load_postings", lambda *a, **kw: pytest.fail("the postings were read again"))
    return loads


def test_a_weekly_report_reads_the_network_once(world, monkeypatch):
    from matchmaker.services.reports import write_weekly_report

    loads = _loads_once(monkeypatch)
    report, written = write_weekly_report(week="2020-W12")
    assert written and loads == [(AS_OF, {})]  # no county's risk then differs from today's
    assert report.stats["firms"] == 5 and report.stats["links"] == 1


def test_a_what_if_reads_the_network_once(world, monkeypatch):
    from matchmaker.services.reports import what_if

    loads = _loads_once(monkeypatch)
    result = what_if(None, firms=["S1"], as_of=AS_OF)
    assert loads == [(AS_OF,)]
    assert any(b["supplier"] == "S1" and b["kind"] == "supplier_down" for b in result["new"])
