"""Best partners of one posting, answered from a prebuilt index of the open postings (no run).

The index (:func:`graphs.matching.build_index` over every open need and offer) is cached per
process behind a lock: rebuilt when older than :data:`INDEX_TTL_SECONDS`, when rows were added
(a cheap fingerprint of the largest ids), or at once after a write in this process
(:func:`invalidate_index`); every answer is checked against the partners' current rows.
"""
import threading
import time
from datetime import date

import sqlalchemy as sa

from graphs import matching as gm
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Offer, User
from matchmaker.models.pairing import DeclinedPair
from matchmaker.services.auth import can_read_firm
from matchmaker.services.matching.weights import configured_weights
from matchmaker.services.support import common
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Invalid

# Best-partner index: rebuilt when older than this, or at once after a write in this process.
INDEX_TTL_SECONDS = 60.0

_index_lock = threading.Lock()
_index_cache = {}


def invalidate_index() -> None:
    """Forget the cached best-partner index (after a write that changes what is open)."""
    _index_cache.clear()


def _index(as_of):
    """The best-partner index of the open postings as of a date, cached for INDEX_TTL_SECONDS."""
    key = (db.engine.url.render_as_string(hide_password=True), as_of, _fingerprint())
    with _index_lock:
        hit = _index_cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < INDEX_TTL_SECONDS:
            return hit[1]
        needs, offers, need_ids, offer_ids, _ = net.load_postings(as_of)
        index = gm.build_index(needs, offers, as_of=as_of, substitutes=net.load_substitutes(),
                               declined=net.load_declined(), weights=configured_weights(),
                               customers=net.load_customers(), product_names=net.load_product_names())
        refs = {"need": {v: k for k, v in need_ids.items()}, "offer": {v: k for k, v in offer_ids.items()}}
        _index_cache.clear()
        _index_cache[key] = (time.monotonic(), (index, need_ids, offer_ids, refs))
        return _index_cache[key][1]


def _fingerprint():
    """Cheap marker of new rows (the largest need, offer, firm, link and declined-pair ids): a cached
    index is rebuilt when postings are added. Edits made in this process invalidate it at once;
    edits made by other processes are caught by INDEX_TTL_SECONDS, and every answer is checked
    against the partners' current rows anyway (best_partners)."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(Need.id)).scalar_subquery(),
        sa.select(sa.func.max(Offer.id)).scalar_subquery(),
        sa.select(sa.func.max(Firm.id)).scalar_subquery(),
        sa.select(sa.func.max(Link.id)).scalar_subquery(),
        sa.select(sa.func.max(DeclinedPair.id)).scalar_subquery())).one())


def best_partners(actor: User, kind: str, posting_id: int, n: int = 10, as_of: date | None = None) -> list[dict]:
    """The top-n allowed partners of a need (offers) or an offer (needs), with cost and reasons,
    answered from the prebuilt index (no run)."""
    model = Need if kind == "need" else Offer
    row = common.readable_row(model, posting_id, kind, lambda row: can_read_firm(actor, row.firm))
    if not 1 <= int(n) <= 100:
        raise Invalid("n must be between 1 and 100", {"n": ["between 1 and 100"]})
    as_of = as_of or clock.today()
    index, need_ids, offer_ids, _ = _index(as_of)
    record = net.posting_record(kind, row)
    if record is None:
        return []
    # a few more than asked for, so partners that closed since the index was built can be dropped
    partners = gm.best_partners(record, index, n=int(n) * 2 + 5)
    partner_model = Offer if kind == "need" else Need
    ids = offer_ids if kind == "need" else need_ids
    declined = _declined_partners(model, row.id)
    wanted = [ids.get(p["ref"]) for p in partners]
    fresh = dict((pid, (status, left)) for pid, status, left in db.session.execute(
        sa.select(partner_model.id, partner_model.status,
                  partner_model.quantity - partner_model.committed_quantity)
        .where(partner_model.id.in_([w for w in wanted if w is not None]))).all())
    out = []
    for p, pid in zip(partners, wanted):
        status, left = fresh.get(pid, ("closed", 0.0))
        if pid in declined or status != "open" or left <= net.EPSILON:
            continue
        out.append({**p, "open_quantity": round(left, 3), "id": pid,
                    "kind": "offer" if kind == "need" else "need"})
        if len(out) == int(n):
            break
    return out


def _declined_partners(model, row_id):
    """Ids of the partners this posting declined (or that declined it), read fresh."""
    if model is Need:
        return set(db.session.scalars(sa.select(DeclinedPair.offer_id).where(DeclinedPair.need_id == row_id)))
    return set(db.session.scalars(sa.select(DeclinedPair.need_id).where(DeclinedPair.offer_id == row_id)))
