"""Contract fuzzing with schemathesis: every operation of /api/v1/openapi.json, as each role
(anonymous, firm user, task-force staff, admin), with valid and with invalid input. No response
may be a server error, and every response must conform to the documented schema, status codes
and content type.

Bounded and deterministic: a fixed number of examples per operation, derandomized Hypothesis,
no example database. Each generated request is sent once per role (generation is the costly
part), so authorization paths are fuzzed with the same inputs for every role.
"""
from datetime import date, timedelta

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from matchmaker.models import ApiToken, User
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.services.auth import issue_token
from tests import factories

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


def _world(db):
    """A small world: two provinces, firms of both kinds, postings, links, a run with a proposal,
    and one account per role. Returns {role: bearer headers} (anonymous: none)."""
    factories.region("230000")
    factories.region("230100")
    factories.region("220102", lat=43.9, lon=125.3)
    factories.category("C1", inputs=["C2"])
    factories.category("C2")
    leading = factories.firm(ref="LEAD", kind="leading", region_code="230102")
    sme = factories.firm(ref="SME", kind="sme", region_code="230103")
    other = factories.firm(ref="JL", kind="sme", region_code="220102")
    today = date.today()
    need = factories.need(leading, "C1", 100, needed_by=today + timedelta(days=30), ref="N1")
    factories.need(leading, "C2", 50, needed_by=today + timedelta(days=60), ref="N2")
    offer = factories.offer(sme, "C1", 80, available_from=today, ref="O1", delivery_radius_km=500)
    factories.offer(other, "C2", 40, available_from=today, ref="O2")
    factories.link(sme, leading, "C1", ref="L1")
    run = MatchRun(as_of=today, weights={}, timings={}, objective={})
    db.session.add(run)
    db.session.flush()
    db.session.add(Pairing(run_id=run.id, need_id=need.id, offer_id=offer.id, quantity=50, unit_cost=1.0,
                           reasons=["同县 / same county"], status="proposed"))
    users = {
        "firm": factories.user(role="firm", firm_row=leading),
        "supplier": factories.user(role="firm", firm_row=sme),
        "staff": factories.user(role="staff", region_code="230100"),
        "admin": factories.user(role="admin"),
    }
    db.session.commit()
    headers = {"anonymous": {}}
    headers.update({role: {"Authorization": f"Bearer {issue_token(user)}"} for role, user in users.items()})
    return headers, [u.id for u in users.values()]


def _revive(db, user_ids):
    """Fuzzed calls may deactivate the fuzzing accounts or revoke their tokens: undo that, so
    every example really runs as its role."""
    db.session.execute(sa.update(User).where(User.id.in_(user_ids)).values(active=True))
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id.in_(user_ids)).values(revoked_at=None))
    db.session.commit()


def _fuzz(app, db, mode, roles):
    headers, user_ids = _world(db)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        destructive = "deactivate" in operation.path or operation.method.upper() == "DELETE"

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            for role in roles:
                if destructive:
                    _revive(db, user_ids)
                response = case.call(headers=headers[role])
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers[role])
                except Exception as exc:
                    exc.add_note(f"(sent as {role})")
                    raise

        try:
            check()
        except Unsatisfiable:
            pass  # no invalid value exists for this operation's inputs (e.g. a free-text path segment)
        except Exception as exc:  # collect every operation's failure, not just the first
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"--- {operation.label} [{mode.value}] {notes}\n{exc}")
    assert operations >= 40, f"only {operations} operations in the OpenAPI document"
    assert not failures, f"{len(failures)} contract failure(s):\n" + "\n".join(f[:3000] for f in failures)


@pytest.mark.slow
def test_valid_requests_as_every_role_hold_the_contract(app, db):
    _fuzz(app, db, POSITIVE, ("anonymous", "firm", "supplier", "staff", "admin"))


@pytest.mark.slow
def test_invalid_requests_are_refused_cleanly(app, db):
    # Input is validated before authorization, so two roles cover the refusal paths.
    _fuzz(app, db, NEGATIVE, ("anonymous", "admin"))
