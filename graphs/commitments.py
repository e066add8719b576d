"""Article-10 commitments on plain records: how payments settle deliveries, which commitments are
overdue, and the scorecard of a leading firm (``spec/article10.md``).

Article 10 asks leading firms to order first, supply first and pay first (先订货、先供货、先付款)
to the SMEs of their chain. The service records what was promised (a link's ``terms`` and the day
it started, ``since``) and what was done (orders, deliveries, payments); this module says, as of a
date, what is still owed and what is overdue. Plain records in, plain results out: no Flask, no
database.

Settlement as of a date D (:func:`settle`)
    The link's payments dated on or before D are applied in date order (then by ref), each first
    to its named delivery up to what that delivery still owes, the rest to the link's deliveries
    dated on or before D that still owe something, oldest first (by date, then ref). What no
    delivery owes is credit and is applied the same way, so an advance payment settles deliveries
    recorded after it. A delivery's unpaid amount is its amount less what was applied to it, zero
    within :data:`TOLERANCE` (0.005 CNY). Entries dated after D do not count; so a payment that
    names a delivery dated after D pays, as of D, the link's other deliveries.

Overdue commitments as of D (:func:`overdue_commitments`)
    An item is overdue when D is past its due date and it is still outstanding as of D:
    ``order_first``, an active link with the term and no order dated in ``[since, D]``, due
    ``since + order_days``; ``pay_first``, a delivery on a link with the term and unpaid, due
    ``date + pay_days``; ``payment_60d``, a delivery with a leading buyer and an SME supplier,
    unpaid, due ``date + 60`` (a delivery listed as ``pay_first`` is not listed again).

The scorecard (:func:`scorecards`)
    Every leading firm with at least one link from an SME, over its links from SMEs: see
    :class:`Scorecard`.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

__all__ = [
    "TOLERANCE",
    "PAYMENT_DAYS_60",
    "LedgerLink",
    "Order",
    "Delivery",
    "Payment",
    "Settlement",
    "Commitment",
    "Scorecard",
    "settle",
    "payment_due",
    "overdue_commitments",
    "scorecards",
]

#: An unpaid amount at most this many CNY counts as paid (rounding of the payers' systems).
TOLERANCE = 0.005
#: The most days a large firm may take to pay an SME (2020 Regulations on Ensuring Payments to SMEs).
PAYMENT_DAYS_60 = 60
_EXACT = 1e-9  # what still counts as owed while applying payments (float noise below it)


class LedgerLink(NamedTuple):
    """A link as the ledger sees it: its ref, the two firms and their kinds, the article-10
    ``terms``, the day it started (``since``), whether it is active, and the two firms' counties."""

    ref: str
    buyer: str
    supplier: str
    buyer_kind: str = "sme"
    supplier_kind: str = "sme"
    terms: tuple = ()
    since: date | None = None
    active: bool = True
    buyer_county: str | None = None
    supplier_county: str | None = None


class Order(NamedTuple):
    """An order the buyer placed on a link."""

    ref: str
    link: str
    date: date
    quantity: float


class Delivery(NamedTuple):
    """A delivery the supplier made on a link: ``amount`` CNY is owed for it."""

    ref: str
    link: str
    date: date
    quantity: float
    amount: float


class Payment(NamedTuple):
    """A payment the buyer made on a link, for a named ``delivery`` or (``None``) the oldest owed."""

    ref: str
    link: str
    date: date
    amount: float
    delivery: str | None = None


class Settlement(NamedTuple):
    """A delivery settled as of a date: ``applied`` CNY of its ``amount`` paid, ``unpaid`` left
    (0.0 within the tolerance), ``paid_on`` the day it was paid in full (the later of its own date
    and the date of the payment that completed it; ``None`` while unpaid)."""

    delivery: str
    link: str
    date: date
    amount: float
    applied: float
    unpaid: float
    paid_on: date | None


class Commitment(NamedTuple):
    """An overdue commitment, with the fields of the weekly report's ``commitments``."""

    term: str
    link: str
    buyer: str
    supplier: str
    delivery: str | None
    due: date
    days_overdue: int
    unpaid: float
    owner_region: str | None


class Scorecard(NamedTuple):
    """What a leading firm did for the SMEs it buys from, as of a date, over its links from SMEs
    (active or ended):

    ``smes``: SMEs it buys from (suppliers of its active links from SMEs); ``orders`` and
    ``ordered_quantity``: orders it placed on those links; ``deliveries``, ``delivered_quantity``,
    ``delivered_amount``: deliveries it received on them; ``paid_on_time`` and ``paid_late``: those
    deliveries paid in full by their due date (``pay_first``: ``date + pay_days``, otherwise
    ``date + 60``), and those paid after it or still unpaid past it (deliveries neither paid nor
    due yet are in neither); ``on_time_share``: ``paid_on_time / (paid_on_time + paid_late)``
    (``None`` when both are 0); ``mean_days_to_pay``: the mean days from a delivery to the day it
    was paid in full, over those paid (0 for an advance; ``None`` when none is paid);
    ``overdue``, ``overdue_unpaid``: its overdue commitments on those links now, and what they
    leave unpaid (CNY); ``supplied``, ``supplied_quantity``: deliveries it made to the SMEs it buys
    from (supply first).
    """

    firm: str
    county: str | None
    smes: int
    orders: int
    ordered_quantity: float
    deliveries: int
    delivered_quantity: float
    delivered_amount: float
    paid_on_time: int
    paid_late: int
    on_time_share: float | None
    mean_days_to_pay: float | None
    overdue: int
    overdue_unpaid: float
    supplied: int
    supplied_quantity: float


def _by_link(entries, as_of):
    out = defaultdict(list)
    for e in entries:
        if e.date <= as_of:
            out[e.link].append(e)
    for items in out.values():
        items.sort(key=lambda e: (e.date, e.ref))
    return out


def settle(deliveries: Iterable[Delivery], payments: Iterable[Payment], as_of: date) -> dict[str, Settlement]:
    """Settle every delivery dated on or before ``as_of`` by the payments dated on or before it.

    Parameters
    ----------
    deliveries, payments : iterables of :class:`Delivery` and :class:`Payment`
        The ledger of any number of links (each link is settled on its own).
    as_of : date
        The day D of the settlement: later entries do not count.

    Returns
    -------
    dict
        Delivery ref -> :class:`Settlement`, for the deliveries dated on or before ``as_of``.

    Notes
    -----
    A payment naming a delivery of another link, or one dated after ``as_of``, pays nothing to it
    (the data-package validator and the services refuse the first).

    Examples
    --------
    An advance payment, a named payment and a partial one on link L1:

    >>> d = date
    >>> deliveries = [Delivery("D1", "L1", d(2020, 3, 2), 10, 1000.0),
    ...               Delivery("D2", "L1", d(2020, 3, 5), 10, 500.0)]
    >>> payments = [Payment("P1", "L1", d(2020, 3, 1), 300.0),          # in advance: credit
    ...             Payment("P2", "L1", d(2020, 3, 6), 500.0, "D2"),    # names D2
    ...             Payment("P3", "L1", d(2020, 3, 9), 200.0)]          # the oldest owed: D1
    >>> s = settle(deliveries, payments, d(2020, 3, 10))
    >>> s["D1"].unpaid, s["D1"].paid_on, s["D2"].unpaid, s["D2"].paid_on
    (500.0, None, 0.0, datetime.date(2020, 3, 6))
    >>> settle(deliveries, payments, d(2020, 3, 5))["D2"].unpaid  # P2 not yet made; P1 went to D1
    500.0
    """
    deliveries_of = _by_link(deliveries, as_of)
    payments_of = _by_link(payments, as_of)
    out = {}
    for link, ds in deliveries_of.items():
        owed = {x.ref: float(x.amount) for x in ds}
        dated = {x.ref: x.date for x in ds}
        paid_on = {}
        oldest = 0  # index of the oldest delivery that may still owe something

        def apply(ref, money, day):
            take = min(money, owed[ref])
            owed[ref] -= take
            if ref not in paid_on and owed[ref] <= TOLERANCE:
                paid_on[ref] = max(day, dated[ref])
            return money - take

        for p in payments_of.get(link, ()):
            left = float(p.amount)
            if p.delivery is not None and p.delivery in owed and owed[p.delivery] > _EXACT:
                left = apply(p.delivery, left, p.date)
            i = oldest
            while left > _EXACT and i < len(ds):
                ref = ds[i].ref
                if owed[ref] > _EXACT:
                    left = apply(ref, left, p.date)
                i += 1
            while oldest < len(ds) and owed[ds[oldest].ref] <= _EXACT:
                oldest += 1
        for x in ds:
            unpaid = owed[x.ref] if owed[x.ref] > TOLERANCE else 0.0
            out[x.ref] = Settlement(x.ref, link, x.date, float(x.amount), float(x.amount) - owed[x.ref], unpaid,
                                    paid_on.get(x.ref))
    return out


def payment_due(link: LedgerLink, delivery_date: date, pay_days: int = 15) -> tuple[str, date] | None:
    """The commitment a delivery's payment falls under and its due date: ``pay_first`` when the
    link has the term, else ``payment_60d`` when the buyer is a leading firm and the supplier an
    SME, else ``None``.

    >>> link = LedgerLink("L1", "F1", "F9", "leading", "sme", terms=("pay_first",))
    >>> payment_due(link, date(2020, 3, 1))
    ('pay_first', datetime.date(2020, 3, 16))
    >>> payment_due(link._replace(terms=()), date(2020, 3, 1))
    ('payment_60d', datetime.date(2020, 4, 30))
    """
    return next(_payment_terms(link, delivery_date, pay_days), None)


def _payment_terms(link, delivery_date, pay_days):
    """The payment commitments a delivery on the link falls under, with their due dates."""
    if "pay_first" in link.terms:
        yield "pay_first", delivery_date + timedelta(days=pay_days)
    if link.buyer_kind == "leading" and link.supplier_kind == "sme":
        yield "payment_60d", delivery_date + timedelta(days=PAYMENT_DAYS_60)


def _round(x):
    return round(x + 0.0, 2)


def overdue_commitments(links: Iterable[LedgerLink], orders: Iterable[Order], deliveries: Iterable[Delivery],
                        payments: Iterable[Payment], as_of: date, order_days: int = 7, pay_days: int = 15,
                        settlement: dict[str, Settlement] | None = None) -> list[Commitment]:
    """Every commitment overdue as of ``as_of``, sorted by days overdue (most first), then link
    ref, then delivery ref (an ``order_first`` item, which has none, first).

    Parameters
    ----------
    links : iterable of :class:`LedgerLink`
        The links whose commitments count (entries on other links are ignored).
    orders, deliveries, payments : iterables of :class:`Order`, :class:`Delivery`, :class:`Payment`
    as_of : date
    order_days, pay_days : int
        The periods of ``order_first`` (from ``since``) and ``pay_first`` (from the delivery).
    settlement : dict, optional
        :func:`settle` of the same ledger and date, when the caller has it already.

    Returns
    -------
    list of :class:`Commitment`
        ``unpaid`` is what the delivery still owes (rounded to the fen; 0.0 for ``order_first``).

    Examples
    --------
    >>> d = date
    >>> links = [LedgerLink("L1", "F1", "F9", "leading", "sme", ("order_first", "pay_first"), d(2020, 3, 1),
    ...                     buyer_county="230102")]
    >>> deliveries = [Delivery("D1", "L1", d(2020, 3, 2), 5, 1200.0)]
    >>> payments = [Payment("P1", "L1", d(2020, 3, 10), 200.0)]
    >>> for c in overdue_commitments(links, [], deliveries, payments, d(2020, 3, 23)):
    ...     print(c.term, c.delivery, c.due, c.days_overdue, c.unpaid, c.owner_region)
    order_first None 2020-03-08 15 0.0 230102
    pay_first D1 2020-03-17 6 1000.0 230102
    """
    links = {lk.ref: lk for lk in links}
    if settlement is None:
        settlement = settle((x for x in deliveries if x.link in links), (p for p in payments if p.link in links), as_of)
    ordered = defaultdict(list)
    for o in orders:
        if o.link in links and o.date <= as_of:
            ordered[o.link].append(o.date)
    items = []
    for lk in links.values():
        if lk.active and "order_first" in lk.terms and lk.since is not None:
            due = lk.since + timedelta(days=order_days)
            if as_of > due and not any(lk.since <= day <= as_of for day in ordered.get(lk.ref, ())):
                items.append(Commitment("order_first", lk.ref, lk.buyer, lk.supplier, None, due,
                                        (as_of - due).days, 0.0, lk.buyer_county))
    for s in settlement.values():
        lk = links.get(s.link)
        if lk is None or s.unpaid <= 0.0:
            continue
        for term, due in _payment_terms(lk, s.date, pay_days):
            if as_of > due:  # the first that is overdue: a pay_first item is not listed as payment_60d too
                items.append(Commitment(term, lk.ref, lk.buyer, lk.supplier, s.delivery, due, (as_of - due).days,
                                        _round(s.unpaid), lk.buyer_county))
                break
    items.sort(key=lambda c: (-c.days_overdue, c.link, c.delivery or ""))
    return items


def scorecards(links: Iterable[LedgerLink], orders: Iterable[Order], deliveries: Iterable[Delivery],
               payments: Iterable[Payment], as_of: date, order_days: int = 7, pay_days: int = 15,
               settlement: dict[str, Settlement] | None = None,
               commitments: list[Commitment] | None = None) -> list[Scorecard]:
    """The article-10 scorecard of every leading firm with at least one link from an SME, as of
    ``as_of``, sorted by firm ref (fields: :class:`Scorecard`).

    ``settlement`` and ``commitments`` are :func:`settle` and :func:`overdue_commitments` of the
    same ledger and date, when the caller has them already.

    Examples
    --------
    >>> d = date
    >>> links = [LedgerLink("L1", "F1", "F9", "leading", "sme", ("pay_first",), d(2020, 3, 1)),
    ...          LedgerLink("L2", "F9", "F1", "sme", "leading", (), d(2020, 3, 1))]
    >>> deliveries = [Delivery("D1", "L1", d(2020, 3, 2), 5, 100.0), Delivery("D2", "L1", d(2020, 3, 3), 5, 100.0),
    ...               Delivery("D3", "L2", d(2020, 3, 4), 2, 50.0)]
    >>> payments = [Payment("P1", "L1", d(2020, 3, 12), 100.0), Payment("P2", "L1", d(2020, 3, 30), 100.0)]
    >>> card, = scorecards(links, [Order("O1", "L1", d(2020, 3, 1), 10)], deliveries, payments, d(2020, 4, 1))
    >>> card.smes, card.orders, card.deliveries, card.paid_on_time, card.paid_late, card.on_time_share
    (1, 1, 2, 1, 1, 0.5)
    >>> card.mean_days_to_pay, card.overdue, card.supplied, card.supplied_quantity
    (18.5, 0, 1, 2.0)
    """
    links = list(links)
    if settlement is None:
        settlement = settle(deliveries, payments, as_of)
    if commitments is None:
        commitments = overdue_commitments(links, orders, deliveries, payments, as_of, order_days, pay_days,
                                          settlement)
    from_smes = defaultdict(list)  # leading firm -> its links from SMEs
    for lk in links:
        if lk.buyer_kind == "leading" and lk.supplier_kind == "sme":
            from_smes[lk.buyer].append(lk)
    if not from_smes:
        return []
    link_of = {lk.ref: lk for lk in links}
    sme_links = {lk.ref for lks in from_smes.values() for lk in lks}
    suppliers = {firm: {lk.supplier for lk in lks} for firm, lks in from_smes.items()}
    orders_of = defaultdict(list)
    for o in orders:
        if o.link in sme_links and o.date <= as_of:
            orders_of[link_of[o.link].buyer].append(o)
    received, supplied = defaultdict(list), defaultdict(list)
    for x in deliveries:
        lk = link_of.get(x.link)
        if lk is None or x.date > as_of:
            continue
        if x.link in sme_links:
            received[lk.buyer].append((lk, x))
        elif lk.supplier in from_smes and lk.buyer in suppliers[lk.supplier]:
            supplied[lk.supplier].append(x)
    overdue = defaultdict(list)
    for c in commitments:
        if c.link in sme_links:
            overdue[c.buyer].append(c)
    cards = []
    # every link here has an SME supplier and a leading buyer: pay_first's period, else 60 days
    period = {ref: timedelta(days=pay_days if "pay_first" in link_of[ref].terms else PAYMENT_DAYS_60)
              for ref in sme_links}
    for firm in sorted(from_smes):
        on_time = late = 0
        days = []
        for lk, x in received[firm]:
            due = x.date + period[lk.ref]
            s = settlement.get(x.ref)
            paid_on = s.paid_on if s is not None else None
            if paid_on is not None:
                days.append((paid_on - x.date).days)
                if paid_on <= due:
                    on_time += 1
                else:
                    late += 1
            elif as_of > due:
                late += 1
        mine = received[firm]
        cards.append(Scorecard(
            firm=firm, county=from_smes[firm][0].buyer_county,
            smes=len({lk.supplier for lk in from_smes[firm] if lk.active}),
            orders=len(orders_of[firm]), ordered_quantity=_round(sum(o.quantity for o in orders_of[firm])),
            deliveries=len(mine), delivered_quantity=_round(sum(x.quantity for _, x in mine)),
            delivered_amount=_round(sum(x.amount for _, x in mine)),
            paid_on_time=on_time, paid_late=late,
            on_time_share=round(on_time / (on_time + late), 4) if on_time + late else None,
            mean_days_to_pay=round(sum(days) / len(days), 2) if days else None,
            overdue=len(overdue[firm]), overdue_unpaid=_round(sum(c.unpaid for c in overdue[firm])),
            supplied=len(supplied[firm]), supplied_quantity=_round(sum(x.quantity for x in supplied[firm]))))
    return cards
