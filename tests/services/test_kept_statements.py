"""Lists build their select once per reader's scope and filters and use the same statement object
again (issue 14: SQLAlchemy walks a new statement for its cache key); what each reader sees is
unchanged, however the lists are interleaved."""
import sqlalchemy as sa

from matchmaker.services import links, matching, needs, offers
from matchmaker.services.support import common
from tests.services.world import actor, build_world


def test_a_statement_is_kept_per_key_and_per_source_object():
    built = []

    def build(n):
        built.append(n)
        return sa.select(sa.literal(n))

    first = common.kept_statement(("test-kept", 1), lambda: build(1))
    assert common.kept_statement(("test-kept", 1), lambda: build(2)) is first and built == [1]
    assert common.kept_statement(("test-kept", 2), lambda: build(3)) is not first
    source, other = sa.select(sa.literal(1)), sa.select(sa.literal(2))
    derived = common.kept_statement(("test-derived",), lambda: build(4), of=source)
    assert common.kept_statement(("test-derived",), lambda: build(5), of=source) is derived
    # the same key with another source object (e.g. an id taken again) is built anew
    assert common.kept_statement(("test-derived",), lambda: build(6), of=other) is not derived
    assert built == [1, 3, 4, 6]


def test_interleaved_readers_and_filters_see_their_own_rows(app):
    world = build_world()
    readers = ("firm_own", "firm_other", "county_staff", "city_staff", "other_province_staff", "admin")

    def refs(role, **filters):
        who = actor(world, role)
        return ({r.ref for r in needs.list_needs(who, filters, 1, 50)[0]},
                {r.ref for r in offers.list_offers(who, filters, 1, 50)[0]},
                {r.ref for r in links.list_link_rows(who, filters, 1, 50)[0]},
                matching.list_my_pairing_rows(who)[1])

    first = {role: refs(role) for role in readers}
    assert first["firm_own"][0] == {"N-own"} and first["firm_other"][0] == {"N-sister"}
    assert first["admin"][0] == {"N-own", "N-sister", "N-qiqihar", "N-jilin"}
    assert first["other_province_staff"][0] == {"N-jilin"}
    for role in reversed(readers):  # the same lists again, in another order: the same rows
        assert refs(role) == first[role]
    assert refs("admin", region="230202")[0] == {"N-qiqihar"}
    assert refs("admin", region="220000")[0] == {"N-jilin"}
    assert refs("admin", firm="F-OWN")[2] == {"L-own"}
    assert refs("admin", category="C2")[2] == {"L-qiqihar"}
    assert refs("admin")[2] == {"L-own", "L-sister", "L-qiqihar", "L-jilin"}
