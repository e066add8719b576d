"""The audit log records every ORM write with before and after, and staff read only their region."""
import sqlalchemy as sa

from matchmaker.models import AuditEntry
from matchmaker.services.support import audit
from tests import factories


def test_create_update_delete_are_recorded_with_before_and_after(db):
    with audit.acting_as("tester"):
        f = factories.firm(ref="FA", region_code="230102", workers_back=0.5)
        db.session.commit()
        f.workers_back = 0.9
        db.session.commit()
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "firm").order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].after["ref"] == "FA" and entries[0].before is None
    assert entries[1].before["workers_back"] == 0.5 and entries[1].after["workers_back"] == 0.9
    assert entries[1].actor == "tester" and entries[1].region_code == "230102"


def test_rolled_back_write_leaves_no_entry(db):
    factories.firm(ref="FB")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_password_hash_is_redacted(db):
    factories.user(role="admin")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "user_account")).one()
    assert entry.after["password_hash"] == "***"


def test_staff_read_only_their_region(db):
    factories.firm(ref="IN", region_code="230102")
    factories.firm(ref="OUT", region_code="220102")
    db.session.commit()
    staff = factories.user(role="staff", region_code="230100")
    admin = factories.user(role="admin")
    db.session.commit()
    seen, _ = audit.list_entries(staff, entity="firm")
    assert {e.entity_id for e in seen} == {"IN"}
    seen, total = audit.list_entries(admin, entity="firm")
    assert {e.entity_id for e in seen} == {"IN", "OUT"} and total == 2
