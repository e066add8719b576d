"""graphs.commitments against an independent computation written here (spec/article10.md, issue 13).

The independent computation settles in whole fen with integers, one payment at a time, scanning
every delivery of the link each time; it decides overdue items and the scorecard straight from the
spec's sentences. Planted ledgers cover: kept, late but done, partial payments, named and unnamed
payments, advance payments (credit applied to later deliveries), entries dated after as_of,
SME-to-SME and leading-to-leading links (payment_60d only for a leading buyer and an SME supplier;
pay_first excludes payment_60d for the same delivery); then random ledgers are compared whole.
"""
import random
from datetime import date, timedelta

import pytest

from graphs.commitments import (Commitment, Delivery, LedgerLink, Order, Payment, overdue_commitments, scorecards,
                                settle)

D = date


# --- the independent computation --------------------------------------------------------------

def _fen(x):
    return int(round(x * 100))


def independent_unpaid(deliveries, payments, as_of):
    """delivery ref -> (unpaid fen, day paid in full or None), as of as_of."""
    out = {}
    for link in {x.link for x in deliveries}:
        ds = sorted((x for x in deliveries if x.link == link and x.date <= as_of), key=lambda x: (x.date, x.ref))
        owed = {x.ref: _fen(x.amount) for x in ds}
        done = {}
        for p in sorted((p for p in payments if p.link == link and p.date <= as_of), key=lambda p: (p.date, p.ref)):
            money = _fen(p.amount)
            targets = ([p.delivery] if p.delivery in owed else []) + [x.ref for x in ds]
            for ref in targets:  # the named one first, then every delivery oldest first
                take = min(money, owed[ref])
                owed[ref] -= take
                money -= take
                if owed[ref] == 0 and ref not in done:
                    done[ref] = max(p.date, next(x.date for x in ds if x.ref == ref))
        out.update({ref: (owed[ref], done.get(ref)) for ref in owed})
    return out


def independent_overdue(links, orders, deliveries, payments, as_of, order_days=7, pay_days=15):
    unpaid = independent_unpaid(deliveries, payments, as_of)
    items = []
    for lk in links:
        if lk.active and "order_first" in lk.terms:
            due = lk.since + timedelta(days=order_days)
            ordered = [o for o in orders if o.link == lk.ref and lk.since <= o.date <= as_of]
            if as_of > due and not ordered:
                items.append(("order_first", lk.ref, lk.buyer, lk.supplier, None, due, (as_of - due).days, 0.0,
                              lk.buyer_county))
    by_ref = {lk.ref: lk for lk in links}
    for x in deliveries:
        lk = by_ref.get(x.link)
        if lk is None or x.date > as_of or unpaid[x.ref][0] == 0:
            continue
        left = unpaid[x.ref][0] / 100
        listed = False
        if "pay_first" in lk.terms and as_of > x.date + timedelta(days=pay_days):
            due = x.date + timedelta(days=pay_days)
            items.append(("pay_first", lk.ref, lk.buyer, lk.supplier, x.ref, due, (as_of - due).days, left,
                          lk.buyer_county))
            listed = True
        if not listed and lk.buyer_kind == "leading" and lk.supplier_kind == "sme" \
                and as_of > x.date + timedelta(days=60):
            due = x.date + timedelta(days=60)
            items.append(("payment_60d", lk.ref, lk.buyer, lk.supplier, x.ref, due, (as_of - due).days, left,
                          lk.buyer_county))
    items.sort(key=lambda c: (-c[6], c[1], c[4] or ""))
    return [Commitment(*c) for c in items]


def independent_scorecards(links, orders, deliveries, payments, as_of, pay_days=15):
    unpaid = independent_unpaid(deliveries, payments, as_of)
    overdue = independent_overdue(links, orders, deliveries, payments, as_of, pay_days=pay_days)
    cards = {}
    leading = sorted({lk.buyer for lk in links if lk.buyer_kind == "leading" and lk.supplier_kind == "sme"})
    for firm in leading:
        mine = [lk for lk in links if lk.buyer == firm and lk.supplier_kind == "sme"]
        refs = {lk.ref for lk in mine}
        smes = {lk.supplier for lk in mine}
        my_orders = [o for o in orders if o.link in refs and o.date <= as_of]
        received = [x for x in deliveries if x.link in refs and x.date <= as_of]
        on_time = late = 0
        days = []
        for x in received:
            lk = next(lk for lk in mine if lk.ref == x.link)
            due = x.date + timedelta(days=pay_days if "pay_first" in lk.terms else 60)
            left, paid_on = unpaid[x.ref]
            if left == 0:
                days.append((paid_on - x.date).days)
                on_time, late = (on_time + 1, late) if paid_on <= due else (on_time, late + 1)
            elif as_of > due:
                late += 1
        to_them = {lk.ref for lk in links if lk.supplier == firm and lk.buyer in smes}
        supplied = [x for x in deliveries if x.link in to_them and x.date <= as_of]
        late_items = [c for c in overdue if c.link in refs]
        cards[firm] = {
            "smes": len({lk.supplier for lk in mine if lk.active}), "orders": len(my_orders),
            "ordered_quantity": round(sum(o.quantity for o in my_orders), 2), "deliveries": len(received),
            "delivered_amount": round(sum(x.amount for x in received), 2), "paid_on_time": on_time,
            "paid_late": late, "on_time_share": round(on_time / (on_time + late), 4) if on_time + late else None,
            "mean_days_to_pay": round(sum(days) / len(days), 2) if days else None, "overdue": len(late_items),
            "overdue_unpaid": round(sum(c.unpaid for c in late_items), 2), "supplied": len(supplied)}
    return cards


def _cards(links, orders, deliveries, payments, as_of):
    fields = ("smes", "orders", "ordered_quantity", "deliveries", "delivered_amount", "paid_on_time", "paid_late",
              "on_time_share", "mean_days_to_pay", "overdue", "overdue_unpaid", "supplied")
    return {c.firm: {f: getattr(c, f) for f in fields}
            for c in scorecards(links, orders, deliveries, payments, as_of)}


# --- planted ledgers ----------------------------------------------------------------------------

AS_OF = D(2020, 4, 20)
LINKS = [
    # a leading buyer and an SME supplier, both promises
    LedgerLink("L1", "F1", "S1", "leading", "sme", ("order_first", "pay_first"), D(2020, 3, 1), True, "230102"),
    # no terms: only the 60 days
    LedgerLink("L2", "F1", "S2", "leading", "sme", (), D(2020, 2, 1), True, "230102"),
    # SME to SME with pay_first: pay_first counts, the 60 days never
    LedgerLink("L3", "S3", "S2", "sme", "sme", ("pay_first",), D(2020, 1, 1), True, "230103"),
    # leading to leading: no 60 days, no scorecard
    LedgerLink("L4", "F2", "F1", "leading", "leading", ("order_first",), D(2020, 4, 1), True, "230104"),
    # order_first kept late (an order after due), and an ended link
    LedgerLink("L5", "F2", "S1", "leading", "sme", ("order_first",), D(2020, 3, 1), True, "230104"),
    LedgerLink("L6", "F2", "S4", "leading", "sme", ("order_first",), D(2020, 3, 1), False, "230104"),
    # the leading firm F1 supplies an SME it buys from (supply first)
    LedgerLink("L7", "S1", "F1", "sme", "leading", (), D(2020, 3, 1), True, "230103"),
]
ORDERS = [Order("O1", "L5", D(2020, 3, 20), 10.0),  # late but done: not listed
          Order("O2", "L1", D(2020, 4, 25), 5.0),   # after as_of: does not count
          Order("O3", "L1", D(2020, 2, 20), 5.0)]   # before the link started: does not count
DELIVERIES = [
    Delivery("D1", "L1", D(2020, 3, 2), 1, 1000.0),    # paid on time by P1
    Delivery("D2", "L1", D(2020, 3, 10), 1, 500.0),    # partly paid: overdue pay_first
    Delivery("D3", "L1", D(2020, 4, 10), 1, 200.0),    # not yet due (2020-04-25)
    Delivery("D4", "L2", D(2020, 2, 5), 1, 300.0),     # 60 days: due 2020-04-05, unpaid: overdue payment_60d
    Delivery("D5", "L2", D(2020, 2, 10), 1, 300.0),    # paid late (after its 60 days) but done: not listed
    Delivery("D6", "L3", D(2020, 3, 1), 1, 800.0),     # SME-SME pay_first, overdue
    Delivery("D7", "L4", D(2020, 1, 1), 1, 999.0),     # leading-leading, no terms to pay: nothing
    Delivery("D8", "L2", D(2020, 4, 19), 1, 250.0),    # settled by the credit left over from P6
    Delivery("D9", "L1", D(2020, 4, 21), 1, 700.0),    # after as_of: does not count
    Delivery("D10", "L7", D(2020, 3, 5), 4, 40.0),     # F1 supplies S1
]
PAYMENTS = [
    Payment("P1", "L1", D(2020, 3, 12), 1000.0),               # unnamed: the oldest, D1
    Payment("P2", "L1", D(2020, 3, 20), 100.0, "D2"),          # named partial
    Payment("P3", "L1", D(2020, 4, 22), 400.0, "D2"),          # after as_of
    Payment("P4", "L2", D(2020, 4, 12), 300.0, "D5"),          # D5 late but done
    Payment("P5", "L3", D(2020, 3, 3), 100.0),                 # partial on SME-SME
    Payment("P6", "L2", D(2020, 1, 20), 250.0),                # in advance: credit for D4 (oldest) ...
    Payment("P7", "L2", D(2020, 2, 6), 300.0, "D4"),           # ... so D4 owes 50 after P6; P7 pays 50 to D4, 250 on
]


def test_planted_settlement():
    s = settle(DELIVERIES, PAYMENTS, AS_OF)
    assert "D9" not in s
    assert (s["D1"].unpaid, s["D1"].paid_on) == (0.0, D(2020, 3, 12))
    assert (s["D2"].unpaid, s["D2"].applied, s["D2"].paid_on) == (400.0, 100.0, None)
    assert s["D3"].unpaid == 200.0
    # L2: P6 (advance, 250) goes to D4 when it comes; P7 names D4 (50 left), the rest 250 to D5;
    # P4 names D5 (50 left on it), the rest 250 to D8 recorded later: all paid
    assert (s["D4"].unpaid, s["D4"].paid_on) == (0.0, D(2020, 2, 6))
    assert (s["D5"].unpaid, s["D5"].paid_on) == (0.0, D(2020, 4, 12))
    assert (s["D8"].unpaid, s["D8"].paid_on) == (0.0, D(2020, 4, 19))
    assert s["D6"].unpaid == 700.0
    for ref, (left, paid_on) in independent_unpaid(DELIVERIES, PAYMENTS, AS_OF).items():
        assert (_fen(s[ref].unpaid), s[ref].paid_on) == (left, paid_on), ref


def test_planted_overdue_commitments():
    got = overdue_commitments(LINKS, ORDERS, DELIVERIES, PAYMENTS, AS_OF)
    assert [(c.term, c.link, c.delivery, c.due, c.days_overdue, c.unpaid) for c in got] == [
        ("order_first", "L1", None, D(2020, 3, 8), 43, 0.0),
        ("pay_first", "L3", "D6", D(2020, 3, 16), 35, 700.0),
        ("pay_first", "L1", "D2", D(2020, 3, 25), 26, 400.0),
        ("order_first", "L4", None, D(2020, 4, 8), 12, 0.0),
    ]
    assert got[0].owner_region == "230102" and got[1].owner_region == "230103"
    assert got == independent_overdue(LINKS, ORDERS, DELIVERIES, PAYMENTS, AS_OF)


def test_payment_60d_only_for_a_leading_buyer_and_an_sme_supplier_and_not_twice():
    links = [LedgerLink("A", "F1", "S1", "leading", "sme", ("pay_first",), D(2020, 1, 1)),
             LedgerLink("B", "F1", "S1", "leading", "sme", (), D(2020, 1, 1)),
             LedgerLink("C", "S2", "S1", "sme", "sme", (), D(2020, 1, 1)),
             LedgerLink("E", "F1", "F2", "leading", "leading", (), D(2020, 1, 1)),
             LedgerLink("G", "S2", "F2", "sme", "leading", (), D(2020, 1, 1))]
    deliveries = [Delivery(f"D{lk.ref}", lk.ref, D(2020, 1, 2), 1, 100.0) for lk in links]
    got = overdue_commitments(links, [], deliveries, [], D(2020, 4, 1))
    assert [(c.term, c.link) for c in got] == [("pay_first", "A"), ("payment_60d", "B")]
    # a pay_first period longer than 60 days: not yet due, so the 60 days apply
    got = overdue_commitments(links, [], deliveries, [], D(2020, 4, 1), pay_days=90)
    assert [(c.term, c.link) for c in got] == [("payment_60d", "A"), ("payment_60d", "B")]
    assert got == independent_overdue(links, [], deliveries, [], D(2020, 4, 1), pay_days=90)


def test_nothing_is_overdue_on_its_due_date():
    links = [LedgerLink("A", "F1", "S1", "leading", "sme", ("order_first", "pay_first"), D(2020, 3, 1))]
    deliveries = [Delivery("D1", "A", D(2020, 3, 1), 1, 10.0)]
    assert overdue_commitments(links, [], deliveries, [], D(2020, 3, 8)) == []
    assert [c.term for c in overdue_commitments(links, [], deliveries, [], D(2020, 3, 9))] == ["order_first"]
    assert [(c.term, c.days_overdue) for c in overdue_commitments(links, [], deliveries, [], D(2020, 3, 17))] == [
        ("order_first", 9), ("pay_first", 1)]


def test_unpaid_within_half_a_fen_is_paid():
    deliveries = [Delivery("D1", "A", D(2020, 3, 1), 1, 100.0)]
    s = settle(deliveries, [Payment("P1", "A", D(2020, 3, 2), 99.996)], D(2020, 3, 5))
    assert (s["D1"].unpaid, s["D1"].paid_on) == (0.0, D(2020, 3, 2))
    s = settle(deliveries, [Payment("P1", "A", D(2020, 3, 2), 99.99)], D(2020, 3, 5))
    assert s["D1"].unpaid == pytest.approx(0.01) and s["D1"].paid_on is None


def test_planted_scorecards():
    cards = _cards(LINKS, ORDERS, DELIVERIES, PAYMENTS, AS_OF)
    assert set(cards) == {"F1", "F2"}  # F2 buys from SMEs on L5 and L6; F1 on L1 and L2
    f1 = cards["F1"]
    # D1 on time (paid 3-12, due 3-17); D2 late (unpaid past 3-25); D3 not due; D4 on time (2-6 <= 4-5);
    # D5 late but done (4-12 > 4-10); D8 on time (advance credit: 0 days)
    assert (f1["smes"], f1["orders"], f1["deliveries"]) == (2, 1, 6)  # O3 counts: dated before as_of
    assert (f1["paid_on_time"], f1["paid_late"], f1["on_time_share"]) == (3, 2, 0.6)
    assert f1["mean_days_to_pay"] == round((10 + 1 + 62 + 0) / 4, 2)
    assert (f1["overdue"], f1["overdue_unpaid"], f1["supplied"]) == (2, 400.0, 1)
    f2 = cards["F2"]
    assert (f2["smes"], f2["orders"], f2["ordered_quantity"], f2["deliveries"], f2["overdue"]) == (1, 1, 10.0, 0, 0)
    assert f2["on_time_share"] is None and f2["mean_days_to_pay"] is None
    assert cards == independent_scorecards(LINKS, ORDERS, DELIVERIES, PAYMENTS, AS_OF)


# --- random ledgers -----------------------------------------------------------------------------

def _random_ledger(rnd):
    firms = [(f"F{i}", rnd.choice(("leading", "sme"))) for i in range(5)]
    links = []
    for i in range(rnd.randint(1, 6)):
        (b, bk), (s, sk) = rnd.sample(firms, 2)
        terms = tuple(t for t in ("order_first", "supply_first", "pay_first") if rnd.random() < 0.4)
        links.append(LedgerLink(f"L{i}", b, s, bk, sk, terms, D(2020, 1, 1) + timedelta(days=rnd.randint(0, 90)),
                                rnd.random() < 0.85, f"2301{i:02d}"))
    day = lambda: D(2020, 1, 1) + timedelta(days=rnd.randint(0, 150))  # noqa: E731
    orders = [Order(f"O{i}", rnd.choice(links).ref, day(), float(rnd.randint(1, 9))) for i in range(rnd.randint(0, 6))]
    deliveries = [Delivery(f"D{i:02d}", rnd.choice(links).ref, day(), float(rnd.randint(1, 9)),
                           rnd.randint(1, 100000) / 100) for i in range(rnd.randint(0, 10))]
    payments = []
    for i in range(rnd.randint(0, 12)):
        link = rnd.choice(links).ref
        mine = [x.ref for x in deliveries if x.link == link]
        named = rnd.choice(mine) if mine and rnd.random() < 0.5 else None
        payments.append(Payment(f"P{i:02d}", link, day(), rnd.randint(1, 80000) / 100, named))
    return links, orders, deliveries, payments, day()


@pytest.mark.parametrize("seed", range(300))
def test_random_ledgers_agree_with_the_independent_computation(seed):
    rnd = random.Random(seed)
    links, orders, deliveries, payments, as_of = _random_ledger(rnd)
    pay_days = rnd.choice((15, 15, 30, 90))
    s = settle(deliveries, payments, as_of)
    expected = independent_unpaid(deliveries, payments, as_of)
    assert {ref: (_fen(x.unpaid), x.paid_on) for ref, x in s.items()} == expected
    got = overdue_commitments(links, orders, deliveries, payments, as_of, pay_days=pay_days)
    assert got == independent_overdue(links, orders, deliveries, payments, as_of, pay_days=pay_days)
    fields = ("smes", "orders", "ordered_quantity", "deliveries", "delivered_amount", "paid_on_time", "paid_late",
              "on_time_share", "mean_days_to_pay", "overdue", "overdue_unpaid", "supplied")
    cards = {c.firm: {f: getattr(c, f) for f in fields}
             for c in scorecards(links, orders, deliveries, payments, as_of, pay_days=pay_days)}
    assert cards == independent_scorecards(links, orders, deliveries, payments, as_of, pay_days=pay_days)
