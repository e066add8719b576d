"""services.help: help offers of leading firms matched to SMEs' help_wanted, both sides accept."""
from datetime import date

import pytest

from matchmaker.infra.extensions import db
from matchmaker.services import help as help_service
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories
from matchmaker.infra.config import TestConfig

SERVICE_TODAY = date.fromisoformat(TestConfig.TODAY)  # the service's day the tests pin, not the machine's


@pytest.fixture
def scene(app):
    """L1 (leading, 230102) buys from S1; S1, S2 (230102) and S3 (Qiqihar 230202) want technology help."""
    factories.region("230000")
    factories.region("230100")
    factories.region("230102", lat=45.76, lon=126.65)
    factories.region("230202", lat=47.35, lon=123.92)
    lead = factories.firm("L1", kind="leading", region_code="230102")
    other_lead = factories.firm("L2", kind="leading", region_code="230202")
    s1 = factories.firm("S1", region_code="230102")
    s2 = factories.firm("S2", region_code="230102")
    s3 = factories.firm("S3", region_code="230202")
    factories.link(s1, lead)
    for firm in (s1, s2, s3):
        factories.offer(firm, help_wanted=["technology", "orders"])
    users = {"lead": factories.user("firm", lead), "other": factories.user("firm", other_lead),
             "s1": factories.user("firm", s1), "s2": factories.user("firm", s2),
             "county": factories.user("staff", region_code="230102"),
             "qqh": factories.user("staff", region_code="230202")}
    db.session.commit()
    return users


def _matches(actor):
    return sorted((m.help_offer.ref, m.sme.ref, m.status, m.same_chain) for m in help_service.list_help_matches(actor))


def test_a_help_offer_is_matched_at_once_same_chain_first_within_reach_and_capacity(scene):
    h = help_service.create_help_offer(scene["lead"], {"kind": "technology", "capacity": 1, "reach": ["230100"]})
    assert _matches(scene["lead"]) == [(h.ref, "S1", "proposed", True)]  # S1 trades with L1; S3 out of reach
    bigger = help_service.create_help_offer(scene["lead"], {"kind": "technology", "capacity": 5, "reach": ["230000"]})
    got = _matches(scene["lead"])
    assert (bigger.ref, "S2", "proposed", False) in got and (bigger.ref, "S3", "proposed", False) in got
    assert not any(ref == bigger.ref and sme == "S1" for ref, sme, *_ in got)  # S1 has its technology help
    assert help_service.match_help_now(scene["county"]) == 0  # nothing new: never matched twice


def test_both_sides_accept_and_the_help_is_given(scene):
    help_service.create_help_offer(scene["lead"], {"kind": "technology", "capacity": 1, "reach": ["230102"]})
    m = help_service.list_help_matches(scene["s1"])[0]
    assert help_service.answer_help_match(scene["s1"], m.id, True).status == "accepted"
    assert help_service.help_given(SERVICE_TODAY) == {}
    m = help_service.answer_help_match(scene["lead"], m.id, True)
    assert (m.status, m.given_on) == ("active", SERVICE_TODAY)
    assert help_service.help_given(SERVICE_TODAY) == {"L1": 1}
    with pytest.raises(Conflict):
        help_service.answer_help_match(scene["s1"], m.id, False)


def test_a_declined_match_frees_the_place_and_is_not_proposed_again(scene):
    h = help_service.create_help_offer(scene["lead"], {"kind": "technology", "capacity": 1, "reach": ["230102"]})
    m = help_service.list_help_matches(scene["s1"])[0]
    help_service.answer_help_match(scene["lead"], m.id, False)
    assert help_service.match_help_now(scene["lead"]) == 1
    assert [(r, s, st) for r, s, st, _ in _matches(scene["lead"])] == [(h.ref, "S1", "declined"), (h.ref, "S2", "proposed")]


def test_who_posts_reads_and_answers(scene):
    with pytest.raises(Forbidden):
        help_service.create_help_offer(scene["s1"], {"kind": "technology", "capacity": 1, "reach": ["230102"]})
    with pytest.raises(Invalid) as exc:
        help_service.create_help_offer(scene["lead"], {"kind": "orders", "capacity": 0, "reach": ["999999"]})
    assert set(exc.value.errors) == {"kind", "capacity", "reach"}
    help_service.create_help_offer(scene["lead"], {"kind": "technology", "capacity": 2, "reach": ["230102"]})
    m = help_service.list_help_matches(scene["s1"])[0]
    assert help_service.list_help_matches(scene["other"]) == [] and help_service.list_help_matches(scene["qqh"]) == []
    assert len(help_service.list_help_matches(scene["county"])) == 2
    with pytest.raises(NotFound):
        help_service.answer_help_match(scene["other"], m.id, True)
    with pytest.raises(NotFound):
        help_service.answer_help_match(scene["s2"], m.id, True)  # S2's own match is another one
