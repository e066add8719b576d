"""The needs-and-offers part of the row adapter (:mod:`.network`): need and offer rows to graphs
records, column by column, and what of them the matcher pairs.

Rows are read once and turned around into columns (one list per field); each column is converted
whole (dates, units, JSON lists decoded once per distinct text, whether a supplier is live once
per distinct pair of values), and the records are made from the columns. The records are
:class:`graphs.matching.columns.Records`: they keep their columns, so the matcher's index reads a
column rather than every record (``fields_of``), and nothing is converted twice between the load and
the index.
"""
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from itertools import repeat
from typing import NamedTuple

import numpy as np

import graphs
from graphs.matching.columns import Records
from matchmaker.services.support.rows import DecodedLists

# Slack when comparing float quantities (committed vs held); quantities are solved to 0.001.
EPSILON = 1e-6


class Postings(NamedTuple):
    """What the matcher pairs: the needs and offers with open quantity (graphs records), ref -> id
    maps, the refs of the postings skipped because their county has no coordinates, and the id of
    every firm by its ref (read with the postings: a run's news goes to firms by id)."""

    needs: Sequence
    offers: Sequence
    need_ids: dict
    offer_ids: dict
    skipped: list
    firm_ids: dict = {}


def _columns(rows, width):
    """The columns of rows (``width`` of them, empty lists when there are no rows)."""
    return list(map(list, zip(*rows))) if rows else [[] for _ in range(width)]


def _units(units, category, product):
    """The unit of each posting (``units(category, product)``), asked once per distinct pair."""
    unit_of = {key: units(*key) for key in set(zip(category, product))}
    return list(map(unit_of.__getitem__, zip(category, product)))


def _isodates(texts):
    return list(map(date.fromisoformat, texts))


def needs_of(rows: Sequence, places: Mapping[int, tuple], units: Callable[[str, str | None], str | None],
             pending: Mapping[int, int] | None = None) -> Records:
    """graphs Need records of need rows (``network._need_columns``): the quantity, what accepted
    pairings cover, the proposals awaiting an answer (``pending``: need id -> count), and for the
    matcher where the buyer is (``places``: firm id -> ``(ref, kind, county, lat, lon, ...)``), its
    kind, the price limit, the terms, the product, accepts and unit (``units(category, product)``)."""
    (fid, nid, ref, cat, qty, committed, due, max_price, terms, status, product,
     accepts) = _columns(rows, 12)
    firm, kind, county, lat, lon = _columns(list(map(places.__getitem__, fid)), 8)[:5]
    return _with_ids(Records.of(graphs.Need, [
        ref, firm, cat, qty, _isodates(due), [c or 0.0 for c in committed],
        list(map((pending or {}).get, nid, repeat(0))), status, lat, lon, kind, max_price,
        DecodedLists().column(terms), county, product, DecodedLists().column(accepts), _units(units, cat, product)]), nid, fid)


def offers_of(rows: Sequence, places: Mapping[int, tuple],
              units: Callable[[str, str | None], str | None]) -> Records:
    """graphs Offer records of offer rows (``network._offer_columns``), with where the supplier is,
    whether it is live (:func:`graphs.firm_is_live`), the product and the unit."""
    (fid, oid, ref, cat, qty, committed, start, until, lead, price, radius, status,
     product) = _columns(rows, 13)
    firm, kind, county, lat, lon, operating, workers, risk = _columns(list(map(places.__getitem__, fid)), 8)
    live = {key: graphs.firm_is_live(*key) for key in set(zip(operating, risk))}
    return _with_ids(Records.of(graphs.Offer, [
        ref, firm, cat, qty, _isodates(start), lat, lon, kind,
        [date.fromisoformat(u) if u else None for u in until], [int(d or 0) for d in lead], price, radius,
        list(map(live.__getitem__, zip(operating, risk))), workers, status, county,
        [c or 0.0 for c in committed], product, _units(units, cat, product)]), oid, fid)


def _with_ids(records: Records, ids: list, firm_ids: list) -> Records:
    """The records with the stored id of each and of its firm as two more columns, ``id`` and
    ``firm_id`` (not fields of theirs)."""
    records.columns[ID] = ids
    records.columns[FIRM_ID] = firm_ids
    return records


#: The column of the stored ids that travels with the loaded records (:func:`keep_open` maps refs to them).
ID = "id"
#: The column of the stored ids of their firms (buyer or supplier), read with them.
FIRM_ID = "firm_id"


def firms_of(records: Records) -> dict[int, int]:
    """Stored posting id -> stored id of its firm, of records loaded here (:func:`needs_of`,
    :func:`offers_of`, kept by :func:`keep_open`): from the columns read with them, no ref looked up."""
    columns = records.columns
    return dict(zip(columns[ID], columns[FIRM_ID]))


def keep_open(records: Records, taken: str, ids: dict, skipped: list, since: date | None = None) -> Records:
    """The records (of :func:`needs_of` or :func:`offers_of`) with open quantity (quantity less the
    field ``taken``) and a place, due on ``since`` or later when given; their stored ids by ref into
    ``ids``, the refs of the unplaceable to ``skipped``. Tested column by column (the same float
    differences as record by record)."""
    columns, count = records.columns, len(records)
    refs, lat, lon = columns["ref"], columns["lat"], columns["lon"]
    wanted = np.subtract(np.array(columns["quantity"], dtype=np.float64),
                         np.array(columns[taken], dtype=np.float64)) > EPSILON
    if since is not None:
        wanted &= np.fromiter(map(since.__le__, columns["needed_by"]), dtype=bool, count=count)
    if None in lat or None in lon:
        placed = np.fromiter(map(_placed, lat, lon), dtype=bool, count=count)
        skipped.extend(map(refs.__getitem__, np.flatnonzero(wanted & ~placed).tolist()))
        wanted &= placed
    kept = np.flatnonzero(wanted).tolist()
    if len(kept) == count:
        ids.update(zip(refs, columns[ID]))
        return records
    ids.update(zip(map(refs.__getitem__, kept), map(columns[ID].__getitem__, kept)))
    return records.take(kept)


def _placed(lat, lon):
    return lat is not None and lon is not None


def postings_of(needs: Records, offer_rows: Sequence, places: Mapping[int, tuple],
                units: Callable[[str, str | None], str | None], as_of: date) -> Postings:
    """The matcher's postings: of the need records (:func:`needs_of`) and the offer rows, what remains
    open as of a date and can be placed."""
    need_ids, offer_ids, skipped = {}, {}, []
    open_needs = keep_open(needs, "covered", need_ids, skipped, as_of)
    open_offers = keep_open(offers_of(offer_rows, places, units), "committed", offer_ids, skipped)
    return Postings(open_needs, open_offers, need_ids, offer_ids, skipped,
                    {place[0]: firm_id for firm_id, place in places.items()})
