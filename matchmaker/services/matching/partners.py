"""Best partners of one posting, answered from a prebuilt index of the open postings (no run).

The index (:func:`graphs.matching.build_index` over every open need and offer) is a structure of
arrays built from the database in well under a second, so each process keeps its own (cheaper to
rebuild than to ship); whether it is still valid is shared. It is rebuilt when:

* the *postings generation* moved: every committed write to needs, offers, firms, links (the
  leading firms an SME supplies), regions, categories or declined pairs, in ANY process or machine, advances it after the commit
  (:func:`invalidate_index`, called by a session hook; the counter lives in the shared cache,
  :mod:`matchmaker.infra.cache`: Redis when configured, else this process);
* rows were added behind the ORM's back (a cheap fingerprint of the largest ids);
* it is older than :data:`INDEX_TTL_SECONDS` (writes by hand in the database).

Every answer is checked against the partners' current rows anyway.
"""
import threading
import time
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from graphs import matching as gm
from matchmaker.infra import cache, clock
from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Link, Need, Offer, Region, User
from matchmaker.models.pairing import DeclinedPair
from matchmaker.services.auth import can_read_firm
from matchmaker.services.matching.weights import configured_weights
from matchmaker.services.support import common
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Invalid

# Best-partner index: rebuilt when older than this, or at once after a write in any process.
INDEX_TTL_SECONDS = 60.0
#: The shared counter that a write to what the index is built from advances.
GENERATION = "postings"

_index_lock = threading.Lock()
_index_cache = {}


def invalidate_index() -> None:
    """Forget the best-partner index here and in every other process (after a committed write that
    changes what is open); a write in an open transaction is announced again when it commits."""
    _index_cache.clear()
    cache.bump(GENERATION)


#: Tables the index is built from: a committed write to any of them makes every index stale.
_INDEXED = (Need, Offer, Firm, Link, Region, Category, DeclinedPair)
_INDEXED_TABLES = frozenset(m.__table__.name for m in _INDEXED) | {"category_substitute", "category_input"}
_STALE = "matchmaker.partners_stale"


@event.listens_for(Session, "after_flush")
def _note_flushed_writes(session, flush_context):
    """An ORM write to a posting, firm, link, region, category or declined pair: stale once committed."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _INDEXED):
            session.info[_STALE] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state):
    """A bulk INSERT, UPDATE or DELETE on one of the indexed tables (data-package imports)."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _INDEXED_TABLES:
            state.session.info[_STALE] = True


@event.listens_for(Session, "after_commit")
def _announce_committed_writes(session):
    if session.info.pop(_STALE, False):
        invalidate_index()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_writes(session):
    session.info.pop(_STALE, None)


def _index(as_of):
    """The best-partner index of the open postings as of a date (see the module's docstring)."""
    key = (db.engine.url.render_as_string(hide_password=True), as_of, cache.generation(GENERATION), _fingerprint())
    with _index_lock:
        hit = _index_cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < INDEX_TTL_SECONDS:
            return hit[1]
        needs, offers, need_ids, offer_ids = net.load_postings(as_of)[:4]
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
    return tuple(db.session.execute(_FINGERPRINT).one())


#: The statements each answer runs, built once (a statement built anew costs SQLAlchemy a walk
#: for its cache key): the fingerprint, and per side the partners' current rows and the declined.
_FINGERPRINT = sa.select(*(sa.select(sa.func.max(m.id)).scalar_subquery()
                           for m in (Need, Offer, Firm, Link, DeclinedPair)))
_FRESH = {m: sa.select(m.id, m.status, m.quantity - m.committed_quantity)
          .where(m.id.in_(sa.bindparam("ids", expanding=True))) for m in (Need, Offer)}
_DECLINED = {Need: sa.select(DeclinedPair.offer_id).where(DeclinedPair.need_id == sa.bindparam("row_id")),
             Offer: sa.select(DeclinedPair.need_id).where(DeclinedPair.offer_id == sa.bindparam("row_id"))}


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
        _FRESH[partner_model], {"ids": [w for w in wanted if w is not None]}).all())
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
    return set(db.session.scalars(_DECLINED[model], {"row_id": row_id}))
