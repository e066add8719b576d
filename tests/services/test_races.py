"""Concurrent edits on PostgreSQL: two users edit the same need at once; exactly one wins, no lost update."""
import threading

import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Need
from matchmaker.services.support import common
from matchmaker.services import needs
from matchmaker.services.support.errors import Conflict
from tests.services.world import actor, build_world


@pytest.mark.postgres
def test_simultaneous_updates_one_wins_one_conflicts(app, monkeypatch):
    world = build_world()
    need_id = world.needs["own"]
    barrier = threading.Barrier(2, timeout=20)
    real_check = common.check_version

    def check_then_wait(row, data):  # both have read version 1 before either writes
        real_check(row, data)
        barrier.wait()

    monkeypatch.setattr(common, "check_version", check_then_wait)
    outcomes = {}

    def edit(role, quantity):
        with app.app_context():
            try:
                needs.update_need(actor(world, role), need_id, {"quantity": quantity, "version": 1})
                outcomes[role] = "ok"
            except Conflict:
                outcomes[role] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=edit, args=("firm_own", 11)), threading.Thread(target=edit, args=("admin", 22))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = next(role for role, result in outcomes.items() if result == "ok")
    db.session.expire_all()
    row = db.session.get(Need, need_id)
    assert row.version == 2 and row.quantity == {"firm_own": 11, "admin": 22}[winner]


@pytest.mark.postgres
def test_simultaneous_creates_with_one_ref_one_conflicts(app, monkeypatch):
    world = build_world()
    barrier = threading.Barrier(2, timeout=20)
    real_taken = common.ref_taken

    def taken_then_wait(model, ref, exclude_id=None):  # both see the ref free before either inserts
        result = real_taken(model, ref, exclude_id)
        barrier.wait()
        return result

    monkeypatch.setattr(common, "ref_taken", taken_then_wait)
    outcomes = []

    def create(quantity):
        with app.app_context():
            try:
                needs.create_need(actor(world, "admin"), {"ref": "N-race", "firm": "F-OWN", "category": "C1",
                                                          "quantity": quantity, "needed_by": "2020-05-01"})
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(q,)) for q in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
