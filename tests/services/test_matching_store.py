"""Matching service: how a run stores its proposals (chunks of rows, acceptances carried over, the
postings checked once on SQLite with foreign keys on again afterwards)."""
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db as _db
from matchmaker.models.pairing import Pairing
from matchmaker.services import matching
from tests import factories
from tests.services.test_matching_service import AS_OF, _pair, _proposals, world  # noqa: F401 (the fixture)


def _run_in_chunks_of_three(monkeypatch):
    """Run the matcher with SQLite chunks of three proposals a statement: the run and its result's pairings."""
    from graphs import matching as gm
    from matchmaker.services.matching import stored

    results = []
    original = gm.propose_pairings
    monkeypatch.setattr(gm, "propose_pairings", lambda *a, **kw: results.append(original(*a, **kw)) or results[-1])
    monkeypatch.setattr(stored, "SQLITE_ROWS_PER_INSERT", 3)
    return matching.run_matching(AS_OF), results[0].pairings


def test_proposals_stored_in_chunks_are_the_runs_pairings(world, monkeypatch):
    """On SQLite a run inserts its proposals many rows per statement: with chunks of three (and a
    remainder) every pairing of the result is stored once, in its order, field for field."""

    factories.need(world["buyer"], "C1", quantity=20.0, needed_by=date(2020, 4, 13), ref="N2")
    factories.need(world["s1"], "C1", quantity=15.0, needed_by=date(2020, 4, 20), ref="N3")
    factories.need(world["s2"], "C1", quantity=25.0, needed_by=date(2020, 4, 20), ref="N4")
    factories.offer(world["buyer"], "C1", quantity=10.0, ref="O3")
    factories.offer(world["s2"], "C1", quantity=5.0, ref="O4")
    _db.session.commit()
    run, pairings = _run_in_chunks_of_three(monkeypatch)
    assert len(pairings) > 6 and len(pairings) % 3  # two chunks and more
    stored = [p for p in _proposals() if p.run_id == run.id]
    assert [(p.need.ref, p.offer.ref, p.quantity, p.unit_cost, p.distance_km, list(p.reasons), p.status)
            for p in stored] == [(q.need, q.offer, q.quantity, q.unit_cost, q.distance_km, list(q.reasons),
                                  "proposed") for q in pairings]
    assert all(p.created_at == run.created_at and p.buyer_accepted_at is None for p in stored)


def test_proposals_stored_in_chunks_carry_an_acceptance_over(world, monkeypatch):
    """Chunks of three with an acceptance carried over (whole rows, not the shared-values
    statement): every pairing stored once, in its order, the carried one accepted with the earlier
    acceptance's time, the others proposed without one."""

    for k, (firm, qty) in enumerate((("buyer", 20.0), ("s1", 15.0), ("s2", 25.0)), start=2):
        factories.need(world[firm], "C1", quantity=qty, needed_by=date(2020, 4, 20), ref=f"N{k}")
    factories.offer(world["buyer"], "C1", quantity=10.0, ref="O3")
    factories.offer(world["s2"], "C1", quantity=5.0, ref="O4")
    _db.session.commit()
    matching.run_matching(AS_OF)
    accepted = matching.accept_pairing(world["ub"], _pair("N1", "O2").id)
    when = accepted.buyer_accepted_at
    run, pairings = _run_in_chunks_of_three(monkeypatch)
    assert len(pairings) > 6 and len(pairings) % 3
    got = [(p.need.ref, p.offer.ref, p.quantity, p.unit_cost, p.distance_km, list(p.reasons), p.status,
            p.buyer_accepted_at, p.supplier_accepted_at, p.created_at) for p in _proposals() if p.run_id == run.id]
    carried = [("N1", "O2") == (q.need, q.offer) for q in pairings]
    assert sum(carried) == 1
    assert got == [(q.need, q.offer, q.quantity, q.unit_cost, q.distance_km, list(q.reasons),
                    "accepted" if c else "proposed", when if c else None, None, run.created_at)
                   for q, c in zip(pairings, carried)]


def test_a_run_checks_its_postings_once_and_leaves_foreign_keys_on(world, monkeypatch):
    """On SQLite the run's proposals are written without a foreign-key lookup per row: the run
    looks its needs and offers up once (PostgreSQL checks its foreign keys itself). A need deleted after the run read it is refused (nothing
    stored), and the connection enforces foreign keys again once the run is over, either way."""
    from graphs import matching as gm
    from matchmaker.services.support.errors import Conflict

    def enforced():
        return _db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() if _db.engine.dialect.name == "sqlite" else 1

    original = gm.propose_pairings

    def need_deleted_meanwhile(*a, **kw):
        result = original(*a, **kw)
        # as another process would, committed before the run writes (no proposal refers to it yet)
        _db.session.execute(sa.text("DELETE FROM need WHERE ref = 'N1'"))
        _db.session.commit()
        return result

    monkeypatch.setattr(gm, "propose_pairings", need_deleted_meanwhile)
    # PostgreSQL enforces its foreign keys as ever (COPY): the same refusal, Conflict on both
    with pytest.raises(Conflict, match="deleted while it ran"):
        matching.run_matching(AS_OF)
    _db.session.rollback()
    assert enforced() == 1
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 0
    monkeypatch.setattr(gm, "propose_pairings", original)
    factories.need(world["buyer"], "C1", quantity=100.0, needed_by=date(2020, 4, 13), ref="N2")
    _db.session.commit()
    run = matching.run_matching(AS_OF)
    assert run.pairings_count == 2 and {(p.need.ref, p.status) for p in _proposals()} == {("N2", "proposed")}
    assert enforced() == 1
    with pytest.raises(sa.exc.IntegrityError):  # still enforced on the run's connection
        _db.session.execute(sa.text("INSERT INTO pairing (run_id, need_id, offer_id, quantity, unit_cost, reasons, "
                                    "status) VALUES (:run, 999999, 999999, 1, 1, '[]', 'proposed')"), {"run": run.id})
        _db.session.flush()
    _db.session.rollback()
