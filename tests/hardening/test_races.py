"""Races on PostgreSQL, through the real HTTP API with real bearer tokens on a loopback server:
many accepts of one proposal, many proposals competing for one need, concurrent edits of one
posting. Committed quantity never exceeds what a posting holds, and no update is lost."""
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matchmaker.models import Link, Need, Offer
from matchmaker.models.base import utcnow
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.services.auth import issue_token
from tests import factories
from tests.hardening.live import all_at_once, call, live_server

pytestmark = pytest.mark.postgres
N = 50


def _proposal(db, need, offer, quantity, buyer_accepted=False):
    run = db.session.scalar(sa.select(MatchRun)) or MatchRun(as_of=date.today(), weights={}, timings={}, objective={})
    db.session.add(run)
    db.session.flush()
    p = Pairing(run_id=run.id, need_id=need.id, offer_id=offer.id, quantity=quantity, unit_cost=1.0, reasons=[],
                status="accepted" if buyer_accepted else "proposed",
                buyer_accepted_at=utcnow() if buyer_accepted else None)
    db.session.add(p)
    db.session.flush()
    return p


def _token_for(db, firm):
    user = factories.user(role="firm", firm_row=firm)
    db.session.commit()
    return issue_token(user)


def _fresh(db, model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def test_fifty_supplier_accepts_of_one_proposal_commit_once(app, db):
    buyer = factories.firm(kind="leading", region_code="230102")
    supplier = factories.firm(kind="sme", region_code="230103")
    need = factories.need(buyer, quantity=100, needed_by=date.today() + timedelta(days=28))
    offer = factories.offer(supplier, quantity=100)
    p = _proposal(db, need, offer, 100, buyer_accepted=True)
    db.session.commit()
    token, pid, need_id, offer_id = _token_for(db, supplier), p.id, need.id, offer.id
    with live_server(app) as port:
        results = all_at_once([lambda: call(port, "POST", f"/api/v1/pairings/{pid}/accept", token)] * N)
    statuses = Counter(r[0] for r in results)
    assert statuses == {200: 1, 409: N - 1}, results[:3]
    assert all(r[1]["code"] == 409 for r in results if r[0] == 409)
    [winner] = [r[1] for r in results if r[0] == 200]
    assert winner["status"] == "active" and winner["link"]
    assert _fresh(db, Need, need_id).committed_quantity == 100
    assert db.session.get(Offer, offer_id).committed_quantity == 100
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Link)) == 1


def test_both_sides_racing_make_exactly_one_link(app, db):
    buyer = factories.firm(kind="leading", region_code="230102")
    supplier = factories.firm(kind="sme", region_code="230103")
    need = factories.need(buyer, quantity=60, needed_by=date.today() + timedelta(days=28))
    offer = factories.offer(supplier, quantity=80)
    p = _proposal(db, need, offer, 60)
    db.session.commit()
    buyer_token, supplier_token = _token_for(db, buyer), _token_for(db, supplier)
    pid, need_id, offer_id = p.id, need.id, offer.id
    jobs = [(lambda t=t: call(port, "POST", f"/api/v1/pairings/{pid}/accept", t))
            for t in [buyer_token, supplier_token] * (N // 2)]
    with live_server(app) as port:
        results = all_at_once(jobs)
    assert {r[0] for r in results} <= {200, 409}, [r for r in results if r[0] not in (200, 409)][:3]
    assert sum(1 for r in results if r[0] == 200 and r[1]["status"] == "active") == 1
    assert _fresh(db, Need, need_id).committed_quantity == 60
    assert db.session.get(Offer, offer_id).committed_quantity == 60
    assert db.session.get(Pairing, pid).status == "active"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Link)) == 1


def test_fifty_proposals_competing_for_one_need_never_overcommit(app, db):
    """Need of 100; fifty suppliers, each with a buyer-accepted proposal of 30, accept at once:
    exactly three become links (90), every other accept gets 409."""
    buyer = factories.firm(kind="leading", region_code="230102")
    need = factories.need(buyer, quantity=100, needed_by=date.today() + timedelta(days=28))
    jobs, offer_ids = [], []
    for _ in range(N):
        supplier = factories.firm(kind="sme", region_code="230103")
        offer = factories.offer(supplier, quantity=50)
        p = _proposal(db, need, offer, 30, buyer_accepted=True)
        db.session.commit()
        token = issue_token(factories.user(role="firm", firm_row=supplier))
        jobs.append(lambda pid=p.id, token=token: call(port, "POST", f"/api/v1/pairings/{pid}/accept", token))
        offer_ids.append(offer.id)
    need_id = need.id
    with live_server(app) as port:
        results = all_at_once(jobs)
    statuses = Counter(r[0] for r in results)
    assert statuses == {200: 3, 409: N - 3}, statuses
    assert _fresh(db, Need, need_id).committed_quantity == 90
    committed = [db.session.get(Offer, oid).committed_quantity for oid in offer_ids]
    assert sorted(committed) == [0.0] * (N - 3) + [30.0] * 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Link)) == 3


def test_concurrent_edits_of_one_need_lose_no_update(app, db):
    """Twenty clients each add 1 to a need's quantity by read-modify-write with the version they
    read; a stale write gets 409 and the client retries. No increment may be lost."""
    buyer = factories.firm(kind="leading", region_code="230102")
    need = factories.need(buyer, quantity=100, needed_by=date.today() + timedelta(days=28))
    db.session.commit()
    token, need_id = _token_for(db, buyer), need.id
    conflicts = Counter()

    def add_one():
        for attempt in range(200):
            status, row = call(port, "GET", f"/api/v1/needs/{need_id}", token)
            assert status == 200, row
            status, body = call(port, "PATCH", f"/api/v1/needs/{need_id}", token,
                                {"quantity": row["quantity"] + 1, "version": row["version"]})
            if status == 200:
                return attempt
            assert status == 409, body
            conflicts["409"] += 1
        raise AssertionError("never got through")

    with live_server(app) as port:
        results = all_at_once([add_one] * 20)
    assert not [r for r in results if isinstance(r, Exception)], results
    stored = _fresh(db, Need, need_id)
    assert stored.quantity == 120
    assert stored.version == 21
    assert conflicts["409"] > 0  # the race really happened


def test_stale_writer_gets_409_and_the_first_write_stays(app, db):
    buyer = factories.firm(kind="leading", region_code="230102")
    need = factories.need(buyer, quantity=100, needed_by=date.today() + timedelta(days=28))
    db.session.commit()
    token, need_id = _token_for(db, buyer), need.id
    with live_server(app) as port:
        version = call(port, "GET", f"/api/v1/needs/{need_id}", token)[1]["version"]
        results = all_at_once([
            (lambda i=i: call(port, "PATCH", f"/api/v1/needs/{need_id}", token,
                              {"note": f"writer {i}", "version": version})) for i in range(N)])
    statuses = Counter(r[0] for r in results)
    assert statuses == {200: 1, 409: N - 1}, statuses
    [winner] = [r[1] for r in results if r[0] == 200]
    stored = _fresh(db, Need, need_id)
    assert stored.note == winner["note"] and stored.version == version + 1
