"""Records that carry their columns (graphs.matching.columns.Records, what the stored postings are
loaded as): the matcher reads their columns and gives exactly what it gives on plain lists."""
import random
from datetime import date, timedelta

import numpy as np
import pytest

from graphs.matching import NeedRecord, OfferRecord, build_index, candidate_arrays, propose_pairings
from graphs.matching.columns import Records, fields_of

AS_OF = date(2020, 3, 16)


def _as_records(records):
    return Records.of(type(records[0]), [list(column) for column in zip(*records)])


def _columns_of(records):
    """Each field of the records, read record by record."""
    return {name: [getattr(r, name) for r in records] for name in type(records[0])._fields}


def _instance(rng, n=40):
    """Needs and offers in shuffled ref order, some closed, past due or expired, some named by products."""
    def point():
        return 45.0 + rng.random() * 2, 125.0 + rng.random() * 3

    needs = [NeedRecord("N%03d" % i, "F%d" % rng.randrange(8), rng.choice("ab"), rng.randint(0, 20),
                        AS_OF + timedelta(days=rng.randint(-3, 20)), *point(),
                        firm_kind=rng.choice(("leading", "sme")), max_unit_price=rng.choice((None, 12.0)),
                        terms=("pay_first",) if rng.random() < 0.5 else (),
                        status=rng.choice(("open", "open", "open", "closed")),
                        product=rng.choice((None, "p1", "p2")), accepts=rng.choice(((), ("p2",)))) for i in range(n)]
    offers = [OfferRecord("O%03d" % i, "F%d" % rng.randrange(8), rng.choice("ab"), rng.randint(0, 20),
                          AS_OF + timedelta(days=rng.randint(-5, 10)), *point(),
                          available_until=rng.choice((None, AS_OF + timedelta(days=rng.randint(-2, 30)))),
                          lead_time_days=rng.randint(0, 7), unit_price=rng.choice((None, 8.0, 14.0)),
                          delivery_radius_km=rng.choice((None, 150.0)), supplier_live=rng.random() < 0.9,
                          workers_back=rng.choice((None, 0.5)), product=rng.choice((None, "p1", "p2")))
              for i in range(n)]
    rng.shuffle(needs)
    rng.shuffle(offers)
    return needs, offers


def test_records_are_made_of_their_columns_and_taken_with_them():
    rng = random.Random(1)
    needs, _ = _instance(rng, 5)
    records = _as_records(needs)
    assert list(records) == needs and records.columns == _columns_of(needs)
    taken = records.take([3, 0, 3])
    assert list(taken) == [needs[3], needs[0], needs[3]]
    assert taken.columns == _columns_of(taken)
    assert fields_of(taken, "ref", "buyer") == [[n.ref for n in taken], [n.buyer for n in taken]]


@pytest.mark.parametrize("seed", range(8))
def test_an_index_of_records_is_the_index_of_their_list(seed):
    rng = random.Random(seed)
    needs, offers = _instance(rng)
    kw = dict(as_of=AS_OF, substitutes={"a": ("b",)}, declined=[(needs[0].ref, offers[0].ref)],
              customers={"F1": ["F2"]})
    plain = build_index(needs, offers, **kw)
    columnar = build_index(_as_records(needs), _as_records(offers), **kw)
    for got, want in ((columnar.needs, plain.needs), (columnar.offers, plain.offers)):
        assert isinstance(got, Records) and list(got) == want
        assert got.columns == _columns_of(got)  # the open ones, sorted by ref, with their own columns
    for got, want in zip(candidate_arrays(columnar), candidate_arrays(plain)):
        np.testing.assert_array_equal(got, want)
    assert (propose_pairings(None, None, index=columnar).to_dict()
            == propose_pairings(None, None, index=plain).to_dict())


def test_records_all_open_in_ref_order_are_indexed_as_they_are():
    rng = random.Random(3)
    needs, offers = _instance(rng)
    needs = sorted((n._replace(status="open", quantity=5.0, needed_by=AS_OF) for n in needs), key=lambda n: n.ref)
    records = _as_records(needs)
    index = build_index(records, offers, as_of=AS_OF)
    assert index.needs is records
