"""Needs, offers and links services: the data-package rules, write rights, versions, signals, lists."""
from datetime import date

import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Need
from matchmaker.services import links, needs, offers
from matchmaker.services.support import signals
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories
from tests.services.world import actor, build_world


@pytest.fixture
def world(app):
    return build_world()


def _need_data(**kw):
    data = {"category": "C1", "quantity": 50, "needed_by": date(2020, 5, 1), "terms": ["pay_first"]}
    data.update(kw)
    return data


def test_firm_user_creates_need_for_own_firm_by_default(world):
    row = needs.create_need(actor(world, "firm_own"), _need_data())
    assert row.firm_id == world.firms["own"]
    assert (row.status, row.terms, row.version) == ("open", ["pay_first"], 1)


def test_admin_chooses_a_ref(world):
    row = needs.create_need(actor(world, "admin"), _need_data(ref="N-new", firm=world.firm_refs["own"]))
    assert (row.ref, row.firm_id) == ("N-new", world.firms["own"])


def test_ref_is_assigned_when_missing(world):
    row = needs.create_need(actor(world, "firm_own"), _need_data())
    assert row.ref.startswith("N-") and len(row.ref) > 4


@pytest.mark.parametrize("field,value", [
    ("quantity", 0), ("quantity", -1), ("quantity", float("inf")), ("quantity", "many"),
    ("needed_by", "2020-02-30"), ("terms", ["pay_later"]), ("status", "pending"),
    ("category", "NOPE"), ("max_unit_price", 0), ("note", "bad\x00text"), ("colour", "red"),
])
def test_need_rules_name_the_field(world, field, value):
    with pytest.raises(Invalid) as exc:
        needs.create_need(actor(world, "firm_own"), _need_data(**{field: value}))
    assert field in exc.value.errors


def test_every_bad_field_is_reported_not_just_the_first(world):
    with pytest.raises(Invalid) as exc:
        needs.create_need(actor(world, "firm_own"), {"category": "X", "quantity": -2})
    assert {"category", "quantity", "needed_by"} <= set(exc.value.errors)


def test_offer_until_not_before_from(world):
    with pytest.raises(Invalid) as exc:
        offers.create_offer(actor(world, "firm_own"), {
            "category": "C1", "quantity": 5, "available_from": date(2020, 3, 20),
            "available_until": date(2020, 3, 19)})
    assert list(exc.value.errors) == ["available_until"]
    row = offers.create_offer(actor(world, "firm_own"), {
        "category": "C1", "quantity": 5, "available_from": date(2020, 3, 20),
        "available_until": date(2020, 3, 20), "help_wanted": ["funds", "funds", "orders"]})
    assert row.help_wanted == ["funds", "orders"]
    # the rule also holds against the stored value on update
    with pytest.raises(Invalid):
        offers.update_offer(actor(world, "firm_own"), row.id, {"available_from": date(2020, 4, 1)})


def test_duplicate_ref_conflicts(world):
    with pytest.raises(Conflict) as exc:
        needs.create_need(actor(world, "admin"), _need_data(ref="N-sister", firm=world.firm_refs["own"]))
    assert "ref" in exc.value.errors


@pytest.mark.parametrize("create,ref", [(needs.create_need, "N-sister"), (offers.create_offer, "O-sister")])
def test_firm_users_get_refs_from_the_service_taken_or_not(world, create, ref):
    """A firm user's ref is refused the same way whether another firm's record has it or it is free,
    so the answer tells nothing about records the user cannot see."""
    data = _need_data() if create is needs.create_need else {"category": "C1", "quantity": 5,
                                                               "available_from": date(2020, 3, 10)}
    answers = []
    for candidate in (ref, ref + "-free"):
        with pytest.raises(Invalid) as exc:
            create(actor(world, "firm_own"), {**data, "ref": candidate})
        answers.append((exc.value.message, exc.value.errors))
    assert answers[0] == answers[1] and list(answers[0][1]) == ["ref"]


def test_firm_user_cannot_post_for_another_firm_and_staff_not_at_all(world):
    with pytest.raises(Forbidden):
        needs.create_need(actor(world, "firm_own"), _need_data(firm=world.firm_refs["sister"]))
    with pytest.raises(Forbidden):
        needs.create_need(actor(world, "province_staff"), _need_data(firm=world.firm_refs["own"]))
    admin_row = needs.create_need(actor(world, "admin"), _need_data(firm=world.firm_refs["jilin"]))
    assert admin_row.firm_id == world.firms["jilin"]
    with pytest.raises(Invalid) as exc:
        needs.create_need(actor(world, "admin"), _need_data())
    assert "firm" in exc.value.errors


def test_stale_version_conflicts_and_matching_version_updates(world):
    user = actor(world, "firm_own")
    nid = world.needs["own"]
    row = needs.update_need(user, nid, {"quantity": 70, "version": 1})
    assert (row.quantity, row.version) == (70, 2)
    with pytest.raises(Conflict) as exc:
        needs.update_need(user, nid, {"quantity": 80, "version": 1})
    assert "version" in exc.value.errors
    db.session.expire_all()
    assert db.session.get(Need, nid).quantity == 70


def test_quantity_cannot_drop_below_committed(world):
    row = db.session.get(Need, world.needs["own"])
    row.committed_quantity = 60
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        needs.update_need(actor(world, "firm_own"), row.id, {"quantity": 50})
    assert "quantity" in exc.value.errors


def test_close_sends_posting_closed_once_inside_the_transaction(world):
    seen = []

    def receiver(sender, posting, actor):
        seen.append((sender, posting.id, posting.status))

    signals.posting_closed.connect(receiver)
    try:
        needs.close_need(actor(world, "firm_own"), world.needs["own"])
        needs.close_need(actor(world, "firm_own"), world.needs["own"])  # idempotent
        offers.update_offer(actor(world, "firm_own"), world.offers["own"], {"status": "closed"})
    finally:
        signals.posting_closed.disconnect(receiver)
    assert seen == [("need", world.needs["own"], "closed"), ("offer", world.offers["own"], "closed")]


def test_out_of_scope_reads_look_absent(world):
    with pytest.raises(NotFound):
        needs.get_need(actor(world, "county_staff"), world.needs["sister"])
    with pytest.raises(NotFound):
        needs.get_need(actor(world, "firm_own"), world.needs["sister"])
    with pytest.raises(NotFound):
        needs.get_need(actor(world, "admin"), 2**40)
    assert needs.get_need(actor(world, "city_staff"), world.needs["sister"]).ref == "N-sister"


def test_staff_may_read_but_not_write_in_their_region(world):
    with pytest.raises(Forbidden):
        needs.update_need(actor(world, "city_staff"), world.needs["own"], {"quantity": 1})
    with pytest.raises(Forbidden):
        offers.close_offer(actor(world, "county_staff"), world.offers["own"])


def test_lists_filter_and_page(world):
    admin = actor(world, "admin")
    items, total = needs.list_needs(admin, {"region": "230100"})
    assert total == 2 and {n.ref for n in items} == {"N-own", "N-sister"}
    items, total = needs.list_needs(admin, {"region": "23"}, page=2, page_size=2)
    assert total == 3 and [n.ref for n in items] == ["N-qiqihar"]
    items, total = needs.list_needs(admin, {"kind": "leading"})
    assert {n.ref for n in items} == {"N-sister", "N-jilin"}
    needs.close_need(admin, world.needs["jilin"])
    assert needs.list_needs(admin, {"status": "closed"})[1] == 1
    assert needs.list_needs(admin, {"category": "C2"})[1] == 0
    assert needs.list_needs(admin, {}, page=10**12, page_size=50) == ([], 4)
    with pytest.raises(Invalid) as exc:
        needs.list_needs(admin, {"region": "999999"})
    assert "region" in exc.value.errors


def test_scope_applies_to_lists(world):
    refs = lambda role: {n.ref for n in offers.list_offers(actor(world, role))[0]}  # noqa: E731
    assert refs("firm_own") == {"O-own"}
    assert refs("county_staff") == {"O-own"}
    assert refs("city_staff") == {"O-own", "O-sister"}
    assert refs("province_staff") == {"O-own", "O-sister", "O-qiqihar"}
    assert refs("other_province_staff") == {"O-jilin"}
    assert len(refs("admin")) == 4


def test_links_rules_and_rights(world):
    own = actor(world, "firm_own")
    with pytest.raises(Invalid) as exc:
        links.create_link(own, {"supplier": "F-OWN", "buyer": "F-OWN", "category": "C1", "quantity_per_week": 1})
    assert "buyer" in exc.value.errors
    with pytest.raises(Forbidden):
        links.create_link(own, {"supplier": "F-QQH", "buyer": "F-SISTER", "category": "C1",
                                "quantity_per_week": 1})
    with pytest.raises(Invalid) as exc:
        links.create_link(own, {"supplier": "F-OWN", "buyer": "F-QQH", "category": "C1",
                                "quantity_per_week": 0})
    assert list(exc.value.errors) == ["quantity_per_week"]
    asked = links.create_link(own, {"supplier": "F-OWN", "buyer": "F-QQH", "category": "C2",
                                    "quantity_per_week": 3.5})
    assert links.is_request(asked) and (asked.awaiting_ref, asked.status) == ("F-QQH", "awaiting_confirmation")
    qqh = factories.user("firm", db.session.get(Firm, world.firms["qiqihar"]))
    db.session.commit()
    row = links.confirm_link_request(qqh, asked.id).link
    assert (row.supplier.ref, row.buyer.ref, row.active, row.quantity_per_week) == ("F-OWN", "F-QQH", True, 3.5)
    row = links.deactivate_link(own, row.id)
    assert row.active is False
    refs = {lk.ref for lk in links.list_links(actor(world, "province_staff"), {"status": "active"})[0]}
    assert refs == {"L-own", "L-sister", "L-qiqihar", "L-jilin"}
    refs = {lk.ref for lk in links.list_links(actor(world, "city_staff"))[0]}
    assert refs == {"L-own", "L-sister", "L-qiqihar", row.ref}


def test_concurrent_edit_is_a_conflict_not_a_lost_update(world):
    """Another transaction bumps the row between our read and our write: ours must not overwrite it."""
    import sqlalchemy as sa

    user = actor(world, "firm_own")
    row = needs.get_need(user, world.needs["own"])  # read (version 1) ...
    with db.engine.begin() as conn:  # ... someone else commits meanwhile
        conn.execute(sa.text("UPDATE need SET quantity = 5, version = version + 1 WHERE id = :id"), {"id": row.id})
    with pytest.raises(Conflict):
        needs.update_need(user, row.id, {"quantity": 77})
    db.session.expire_all()
    assert db.session.get(Need, row.id).quantity == 5
