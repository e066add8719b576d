"""The audit log names who wrote: the signed-in user of the page request, and nobody's name sticks
to writes made after that request."""
import sqlalchemy as sa

from matchmaker.models import AuditEntry
from matchmaker.services import package_imports
from matchmaker.services.support import audit
from tests import factories


def _firm_updates(db, ref):
    return db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity == "firm", AuditEntry.action == "update", AuditEntry.entity_id == ref)
        .order_by(AuditEntry.id)).all()


def test_a_page_write_names_the_signed_in_user(as_user, world, db):
    resp = as_user("sme").post("/firm/status", data={"operating": "y", "capacity_utilization": "40"})
    assert resp.status_code == 302
    [entry] = _firm_updates(db, "S1")
    assert entry.actor == "sme@example.cn" and entry.actor_id == world["users"]["sme"].id


def test_writes_after_a_request_are_not_the_users(as_user, world, db):
    client = as_user("lead")
    assert client.get("/firm/needs").status_code == 200
    assert audit.acting_user() is None
    with audit.acting_as("after the request"):
        factories.need(world["lead"], "C1", quantity=3, needed_by=world["soon"], ref="NAFTER")
        db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_id == "NAFTER")).one()
    assert entry.actor == "after the request" and entry.actor_id is None


def test_the_acting_user_wins_over_a_named_process(app, db):
    user = factories.user("admin", email="named@example.cn")
    factories.region("230102")
    db.session.commit()
    with audit.acting_as("cli"):
        audit.set_acting_user(user)
        try:
            factories.firm("BYUSER", region_code="230102")
            db.session.commit()
        finally:
            audit.set_acting_user(None)
        factories.firm("BYNAME", region_code="230102")
        db.session.commit()
    actors = dict(db.session.execute(sa.select(AuditEntry.entity_id, AuditEntry.actor)
                                     .where(AuditEntry.entity == "firm")).all())
    assert actors == {"BYUSER": "named@example.cn", "BYNAME": "cli"}


class _Upload:
    """What the admin page hands over: an uploaded file that saves itself to a path."""

    def __init__(self, payload):
        self.payload = payload

    def save(self, path):
        with open(path, "wb") as fh:
            fh.write(self.payload)


def test_an_uploaded_import_names_the_admin_who_started_it(app, db, tmp_path):
    # The job runs outside the request (on a thread of its own on the admin page), where no
    # signed-in user is set: the job itself names the admin who started it.
    admin = factories.user("admin", email="importer@example.cn")
    factories.region("230102")
    db.session.commit()
    payload = b'{"firms": [{"ref": "UPLOADED", "name": "x", "kind": "sme", "region": "230102"}]}'
    job = package_imports.start_import(admin.id, _Upload(payload), "p.json", str(tmp_path), background=False)
    assert package_imports.read_status(str(tmp_path), job, admin.id)["state"] == "done"
    assert audit.acting_user() is None
    actors = db.session.execute(sa.select(AuditEntry.action, AuditEntry.actor, AuditEntry.actor_id)
                                .where(AuditEntry.entity == "package")).all()
    assert actors == [("import", "importer@example.cn", admin.id)]
