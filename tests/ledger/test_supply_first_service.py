"""Supply first in the stored service (issue 13 item 4): a run and best partners read who buys from
whom from the active links, so a leading firm's offer wins the need of an SME that supplies it."""
from datetime import date

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models.pairing import Pairing
from matchmaker.services import matching
from tests import factories

AS_OF = date(2020, 3, 16)


def _world(active=True):
    factories.region("230102", lat=45.76, lon=126.65)
    factories.region("230103", lat=45.75, lon=126.68)
    leading = factories.firm("L1", kind="leading", region_code="230103", workers_back=1.0)
    sme = factories.firm("S1", kind="sme", region_code="230102", workers_back=1.0)
    other = factories.firm("T1", kind="sme", region_code="230102", workers_back=1.0)
    factories.link(sme, leading, "C2", ref="L-S1-L1", active=active)  # S1 supplies L1
    need = factories.need(sme, "C1", quantity=10.0, needed_by=date(2020, 3, 31), ref="N1")
    factories.offer(leading, "C1", quantity=10.0, ref="O-L1")
    factories.offer(other, "C1", quantity=10.0, ref="O-T1")  # same county as S1: nearer
    user = factories.user("firm", sme)
    db.session.commit()
    return need, user


def _proposed():
    return [p.offer.ref for p in db.session.scalars(sa.select(Pairing)).unique()]


def test_a_run_proposes_the_leading_customers_offer(app):
    need, user = _world()
    matching.run_matching(AS_OF)
    assert _proposed() == ["O-L1"]
    partners = matching.best_partners(user, "need", need.id, as_of=AS_OF)
    assert [p["ref"] for p in partners][:1] == ["O-L1"]


def test_an_ended_link_is_no_reason_to_prefer(app):
    _world(active=False)
    matching.run_matching(AS_OF)
    assert _proposed() == ["O-T1"]
