"""Matching: runs of the matcher (stored rows -> graphs.matching -> stored proposals), the
proposal lifecycle (accept by both sides -> active link, decline, lapse), best partners.

The algorithm lives in :mod:`graphs.matching`; this module is the only adapter between it and
the database.  Unit-cost weights come from the ``MATCHING_WEIGHTS`` config value (a dict
overriding :data:`graphs.matching.DEFAULT_WEIGHTS`).
"""
import contextlib
import gc
import json
import math
import os
import threading
import time

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from graphs import matching as gm
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Offer, Region, category_substitute
from matchmaker.models.base import utcnow
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, SIDES, DeclinedPair, MatchRun, Pairing
from matchmaker.services.support import common, signals
from matchmaker.services.auth import can_read_firm
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound

# Slack when comparing float quantities (committed vs held); quantities are solved to 0.001.
EPSILON = 1e-6
# Fields of a posting whose change can make its open proposals wrong: they lapse.
_MATCHING_FIELDS = {
    "category_code", "quantity", "needed_by", "max_unit_price", "available_from",
    "available_until", "lead_time_days", "unit_price", "delivery_radius_km", "status", "firm_id",
}
# Best-partner index: rebuilt when older than this, or at once after a write in this process.
INDEX_TTL_SECONDS = 60.0


# --- loading ----------------------------------------------------------------------------------

def _weights():
    """The configured unit-cost weights (validated by graphs.matching): the MATCHING_WEIGHTS config
    value (a dict), else the MATCHMAKER_MATCHING_WEIGHTS environment variable (a JSON object)."""
    try:
        configured = current_app.config.get("MATCHING_WEIGHTS")
    except RuntimeError:
        configured = None
    if configured is None and os.environ.get("MATCHMAKER_MATCHING_WEIGHTS"):
        try:
            configured = json.loads(os.environ["MATCHMAKER_MATCHING_WEIGHTS"])
        except ValueError:
            raise Invalid("MATCHMAKER_MATCHING_WEIGHTS is not a JSON object") from None
    if configured is not None and not isinstance(configured, dict):
        raise Invalid("the matching weights must be a mapping of weight name to number")
    return dict(configured or {})


def load_postings(as_of):
    """Open needs and offers as graphs.matching records, plus ref -> id maps and the skipped refs.

    A run works on what remains open: quantity less committed_quantity. Postings whose county has
    no coordinates cannot be placed and are skipped (listed in the third value).
    """
    needs, offers, need_ids, offer_ids, skipped = [], [], {}, {}, []
    iso = date.fromisoformat
    # Core statements on the session's connection: plain tuples, no ORM row processing
    conn = db.session.connection()
    rows = conn.execute(
        sa.select(Need.id, Need.ref, Need.category_code, Need.quantity, Need.committed_quantity,
                  _iso(Need.needed_by), Need.max_unit_price, sa.type_coerce(Need.terms, sa.String), Firm.ref, Firm.kind,
                  Region.code, Region.lat, Region.lon)
        .join(Firm, Need.firm_id == Firm.id).join(Region, Firm.region_code == Region.code)
        .where(Need.status == "open", Need.needed_by >= as_of)
    ).all()
    for (nid, ref, cat, qty, committed, due, max_price, terms, firm, kind, county, lat, lon) in rows:
        left = (qty or 0.0) - (committed or 0.0)
        if left <= EPSILON:
            continue
        if lat is None or lon is None:
            skipped.append(ref)
            continue
        need_ids[ref] = nid
        needs.append(gm.NeedRecord(ref, firm, cat, left, iso(due), lat, lon, firm_kind=kind,
                                   max_unit_price=max_price, terms=_terms(terms), region=county))
    rows = conn.execute(
        sa.select(Offer.id, Offer.ref, Offer.category_code, Offer.quantity, Offer.committed_quantity,
                  _iso(Offer.available_from), _iso(Offer.available_until), Offer.lead_time_days, Offer.unit_price,
                  Offer.delivery_radius_km, Firm.ref, Firm.kind, Firm.operating, Firm.workers_back,
                  Region.code, Region.lat, Region.lon, Region.risk)
        .join(Firm, Offer.firm_id == Firm.id).join(Region, Firm.region_code == Region.code)
        .where(Offer.status == "open", sa.or_(Offer.available_until.is_(None), Offer.available_until >= as_of))
    ).all()
    for (oid, ref, cat, qty, committed, avail_from, avail_until, lead, price, radius, firm, kind,
         operating, workers, county, lat, lon, risk) in rows:
        left = (qty or 0.0) - (committed or 0.0)
        if left <= EPSILON:
            continue
        if lat is None or lon is None:
            skipped.append(ref)
            continue
        offer_ids[ref] = oid
        offers.append(gm.OfferRecord(
            ref, firm, cat, left, iso(avail_from), lat, lon, firm_kind=kind,
            available_until=iso(avail_until) if avail_until else None,
            lead_time_days=int(lead or 0), unit_price=price, delivery_radius_km=radius,
            supplier_live=bool(operating) and risk != "high", workers_back=workers, region=county))
    return needs, offers, need_ids, offer_ids, skipped


def _terms(raw, _seen={}):
    """A need's terms as a tuple: the JSON text (SQLite) decoded once per distinct value, or the
    list a driver already decoded (psycopg)."""
    if raw is None:
        return ()
    if not isinstance(raw, str):
        return tuple(raw)
    terms = _seen.get(raw)
    if terms is None:
        if len(_seen) > 4096:
            _seen.clear()
        terms = _seen[raw] = tuple(json.loads(raw) or ())
    return terms


def _iso(column):
    """A date column read as ISO text (YYYY-MM-DD) on SQLite and PostgreSQL alike."""
    return sa.cast(column, sa.String)


def load_substitutes():
    """Category code -> set of the codes whose offers can meet a need for it."""
    subs = {}
    for cat, sub in db.session.execute(
            sa.select(category_substitute.c.category_code, category_substitute.c.substitute_code)):
        subs.setdefault(cat, set()).add(sub)
    return subs


def load_declined():
    """(need ref, offer ref) of every declined pair."""
    return set(tuple(r) for r in db.session.execute(
        sa.select(Need.ref, Offer.ref).select_from(DeclinedPair)
        .join(Need, DeclinedPair.need_id == Need.id).join(Offer, DeclinedPair.offer_id == Offer.id)
    ).all())


# --- runs -------------------------------------------------------------------------------------

def run_matching(as_of=None, *, started_by=None, out=None, progress=None):
    """Run the matcher as of a date, store the run and its proposals, optionally write the run file.

    Previous proposals still awaiting an answer lapse (a later run replaces them); one that a side
    had already accepted carries that acceptance over when the new run proposes the same pair again
    for no more quantity. Returns the stored MatchRun. This is also the scheduler's daily job.
    """
    with _gc_paused():
        return _run_matching(as_of, started_by, out, progress)


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector for a run: it allocates hundreds of thousands of acyclic
    objects (rows, records, reasons), which the collector would otherwise walk again and again
    (about a third of the time of loading and of building the result)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_matching(as_of, started_by, out, progress):
    """The body of run_matching (load, match, store, write)."""
    as_of = as_of or _today()
    say = progress or (lambda stage: None)
    timings = {}
    t = time.perf_counter()

    say("load")
    needs, offers, need_ids, offer_ids, skipped = load_postings(as_of)
    substitutes = load_substitutes()
    declined = load_declined()
    timings["load"] = time.perf_counter() - t

    say("match")
    try:
        result = gm.propose_pairings(needs, offers, as_of=as_of, substitutes=substitutes,
                                     declined=declined, weights=_weights())
    except gm.MatchingError as exc:
        raise Invalid(f"cannot run the matcher: {exc}") from None
    timings.update(result.timings)

    say("store")
    t = time.perf_counter()
    now = utcnow()
    run = MatchRun(
        as_of=as_of, weights=result.weights, objective=dict(result.objective),
        needs_count=len(result.needs), offers_count=len(result.offers),
        candidates_count=len(result.candidates), pairings_count=len(result.pairings),
        started_by=started_by or "system", created_at=now, timings={},
    )
    db.session.add(run)
    db.session.flush()
    carried = _half_accepted()
    db.session.execute(
        sa.update(Pairing).where(Pairing.status.in_(OPEN_PAIRING_STATUSES))
        .values(status="lapsed", lapsed_at=now).execution_options(synchronize_session=False))
    _insert_proposals(run.id, result.pairings, need_ids, offer_ids, carried, now)
    timings["store"] = time.perf_counter() - t
    run.timings = {k: round(v, 4) for k, v in timings.items()}
    if skipped:
        run.timings["skipped_without_coordinates"] = len(skipped)
    db.session.commit()
    invalidate_index()
    if out:
        say("write")
        write_run_file(result, out)
    return run


_PROPOSAL_COLUMNS = ("run_id", "need_id", "offer_id", "quantity", "unit_cost", "distance_km", "reasons",
                     "status", "created_at", "buyer_accepted_at", "supplier_accepted_at")


def _insert_proposals(run_id, pairings, need_ids, offer_ids, carried, now):
    """Insert a run's proposals with one driver-level executemany (tens of thousands of rows);
    timestamps go through the column's own bind processor and reasons are JSON text, so the rows
    read back exactly like ORM-written ones."""
    if not pairings:
        return
    conn = db.session.connection()
    dialect = conn.dialect
    table = Pairing.__table__

    def processor(name):
        proc = table.c[name].type.bind_processor(dialect)
        return proc or (lambda v: v)

    as_time = processor("created_at")
    created = as_time(now)
    if dialect.name == "sqlite" and isinstance(created, datetime):
        # what sqlite3's default datetime adapter would store for every row, computed once
        created = created.isoformat(" ")
    as_json = _ReasonsJSON()
    rows = []
    for p in pairings:
        nid, oid = need_ids[p.need], offer_ids[p.offer]
        status, buyer_at, supplier_at = "proposed", None, None
        if carried:
            old = carried.get((nid, oid))
            if old is not None and p.quantity <= old[0] + EPSILON:
                status, buyer_at, supplier_at = "accepted", as_time(old[1]), as_time(old[2])
        rows.append((run_id, nid, oid, p.quantity, p.unit_cost, p.distance_km, as_json(p.reasons),
                     status, created, buyer_at, supplier_at))
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: one stream instead of a statement per row
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy("COPY %s (%s) FROM STDIN" % (table.name, ", ".join(_PROPOSAL_COLUMNS))) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = {"qmark": "?", "numeric": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marks is None:  # pragma: no cover - every supported driver is covered above
        db.session.execute(sa.insert(Pairing), [dict(zip(_PROPOSAL_COLUMNS, r)) for r in rows])
        return
    values = [marks] * len(_PROPOSAL_COLUMNS)
    if dialect.name == "postgresql":
        values[_PROPOSAL_COLUMNS.index("reasons")] = "CAST(%s AS JSON)" % marks
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (table.name, ", ".join(_PROPOSAL_COLUMNS), ", ".join(values))
    conn.exec_driver_sql(sql, rows)


class _ReasonsJSON:
    """``json.dumps(list(reasons))`` of many pairings, text for text, encoding each distinct reason
    once (a run's reasons repeat: distances in whole km, lead times, terms)."""

    __slots__ = ("_seen", "_ascii")

    def __init__(self, ensure_ascii=True):
        self._seen = {}
        self._ascii = ensure_ascii

    def __call__(self, reasons):
        seen = self._seen
        parts = []
        for r in reasons:
            e = seen.get(r)
            if e is None:
                e = seen[r] = json.dumps(r, ensure_ascii=self._ascii)
            parts.append(e)
        return "[" + ", ".join(parts) + "]"


def _half_accepted():
    """(need_id, offer_id) -> (quantity, buyer_accepted_at, supplier_accepted_at) of open
    proposals one side has accepted."""
    rows = db.session.execute(
        sa.select(Pairing.need_id, Pairing.offer_id, Pairing.quantity, Pairing.buyer_accepted_at,
                  Pairing.supplier_accepted_at).where(Pairing.status == "accepted")).all()
    return {(n, o): (q, b, s) for n, o, q, b, s in rows}


def write_run_file(result, path):
    """Write a graphs.matching result as the run file of spec/matching.md (streamed, UTF-8)."""
    enc = json.dumps
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{\n"as_of": %s,\n"needs": [' % enc(result.as_of.isoformat()))
        fh.write(",".join('\n{"ref": %s, "open_quantity": %r}' % (enc(r), q) for r, q in result.needs))
        fh.write('],\n"offers": [')
        fh.write(",".join('\n{"ref": %s, "open_quantity": %r}' % (enc(r), q) for r, q in result.offers))
        fh.write('],\n"candidates": [')
        _write_candidates(fh, result)
        fh.write('],\n"pairings": [')
        reasons = _ReasonsJSON(ensure_ascii=False)
        fh.write(",".join(
            '\n{"need": %s, "offer": %s, "quantity": %r, "reasons": %s}'
            % (enc(p.need), enc(p.offer), p.quantity, reasons(p.reasons))
            for p in result.pairings))
        fh.write('],\n"unmet": [')
        fh.write(",".join('\n{"need": %s, "quantity": %r}' % (enc(u.need), u.quantity) for u in result.unmet))
        fh.write('],\n"objective": %s\n}\n' % enc(result.objective))


_CANDIDATE = '\n{"need": %s, "offer": %s, "unit_cost": %r, "distance_km": %r}'
# candidates formatted and written per chunk (a million pairs is a few hundred MB of text)
_CANDIDATE_CHUNK = 65536


def _write_candidates(fh, result):
    """Write the run file's candidates (without brackets), chunk by chunk from plain columns."""
    enc, candidates = json.dumps, result.candidates
    columns = getattr(candidates, "columns", None)
    if columns is None:  # any other sequence of (need, offer, unit_cost, distance_km)
        fh.write(",".join(_CANDIDATE % (enc(c[0]), enc(c[1]), c[2], c[3]) for c in candidates))
        return
    # refs JSON-encoded once each, in the order of the result's needs and offers (the index's)
    need_json = [enc(r) for r, _ in result.needs]
    offer_json = [enc(r) for r, _ in result.offers]
    fmt = _CANDIDATE
    for start in range(0, len(candidates), _CANDIDATE_CHUNK):
        ns, os_, costs, dists = columns(start, start + _CANDIDATE_CHUNK, need_json, offer_json)
        fh.write(("," if start else "") + ",".join([
            fmt % row for row in zip(ns, os_, costs, dists)]))


def start_run(actor, as_of=None):
    """Start a run now (task-force staff and admins)."""
    if actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff and admins start a matching run")
    return run_matching(as_of, started_by=actor.email)


def list_runs(actor, page=1, page_size=20):
    """Stored runs, newest first (staff and admins)."""
    _require_staff(actor)
    return common.page_of(sa.select(MatchRun).order_by(MatchRun.id.desc()), page, page_size)


def get_run(actor, run_id):
    """A stored run with the pairings it proposed that the actor may read."""
    _require_staff(actor)
    run = common.get_row(MatchRun, run_id, "run")
    pairings = [p for p in db.session.scalars(
        sa.select(Pairing).where(Pairing.run_id == run.id).order_by(Pairing.id)).all()
        if _can_read(actor, p)]
    return {"run": run, "pairings": pairings}


def _require_staff(actor):
    if actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff and admins read matching runs")


def _today():
    """Today for the service (see matchmaker.infra.clock)."""
    from matchmaker.infra.clock import today

    return today()


# --- proposals: reading -----------------------------------------------------------------------

def _can_read(actor, pairing):
    return can_read_firm(actor, pairing.need.firm) or can_read_firm(actor, pairing.offer.firm)


def list_my_pairings(actor, side=None, status=None, page=1, page_size=50):
    """Proposals where the actor's firm is the buyer (side='buyer'), the supplier, or either;
    staff see those of firms in their region, admins all."""
    if side not in (None, *SIDES):
        raise Invalid("invalid side", {"side": ["must be buyer or supplier"]})
    buyer = aliased(Firm)
    supplier = aliased(Firm)
    stmt = (sa.select(Pairing).join(Need, Pairing.need_id == Need.id).join(Offer, Pairing.offer_id == Offer.id)
            .join(buyer, Need.firm_id == buyer.id).join(supplier, Offer.firm_id == supplier.id))
    as_buyer = common.firm_scope(actor, buyer)
    as_supplier = common.firm_scope(actor, supplier)
    stmt = stmt.where(as_buyer if side == "buyer" else as_supplier if side == "supplier"
                      else sa.or_(as_buyer, as_supplier))
    if status:
        stmt = stmt.where(Pairing.status == status)
    return common.page_of(stmt.order_by(Pairing.id.desc()), page, page_size)


def get_pairing(actor, pairing_id):
    """One proposal, if the actor may read its need or its offer (404 otherwise)."""
    p = common.get_row(Pairing, pairing_id, "pairing")
    if not _can_read(actor, p):
        raise NotFound(f"pairing {pairing_id} not found")
    return p


# --- proposals: answering ---------------------------------------------------------------------

def _side_of(actor, pairing, side):
    """Which side the actor answers for: their firm's side; admins must say which."""
    if actor.role == "firm" and actor.firm_id is not None:
        mine = [s for s, firm_id in (("buyer", pairing.need.firm_id), ("supplier", pairing.offer.firm_id))
                if firm_id == actor.firm_id]
        if not mine:
            raise Forbidden("only the buyer and the supplier answer a proposal")
        if side is not None and side not in mine:
            raise Forbidden(f"your firm is not the {side} of this proposal")
        return mine[0]
    if actor.role == "admin":
        if side not in SIDES:
            raise Invalid("say which side you answer for", {"side": ["must be buyer or supplier"]})
        return side
    raise Forbidden("only the buyer and the supplier answer a proposal")


def _locked_pairing(actor, pairing_id):
    """The proposal, read again under row locks taken in one order everywhere: its need, its
    offer, then the proposal itself (so racing answers queue up instead of deadlocking)."""
    p = get_pairing(actor, pairing_id)
    need_id, offer_id = p.need_id, p.offer_id
    db.session.execute(sa.select(Need.id).where(Need.id == need_id).with_for_update())
    db.session.execute(sa.select(Offer.id).where(Offer.id == offer_id).with_for_update())
    return db.session.execute(
        sa.select(Pairing).where(Pairing.id == p.id).with_for_update(of=Pairing)
        .execution_options(populate_existing=True)).unique().scalar_one()


def accept_pairing(actor, pairing_id, side=None):
    """Accept a proposal for one side; when both sides have accepted it becomes an active link
    and the quantity is committed on the need and the offer (Conflict if either no longer holds it)."""
    p = _locked_pairing(actor, pairing_id)
    side = _side_of(actor, p, side)
    if p.status not in OPEN_PAIRING_STATUSES:
        raise Conflict(f"this proposal is {p.status}, it can no longer be accepted",
                       {"status": [p.status]})
    now = utcnow()
    if side == "buyer" and p.buyer_accepted_at is None:
        p.buyer_accepted_at = now
    if side == "supplier" and p.supplier_accepted_at is None:
        p.supplier_accepted_at = now
    if p.buyer_accepted_at is not None and p.supplier_accepted_at is not None:
        _activate(p, now)
    else:
        p.status = "accepted"
    db.session.commit()
    invalidate_index()
    return p


def _commit_quantity(model, row_id, quantity, what):
    """Add quantity to a posting's committed_quantity, only if it still holds it (atomic)."""
    res = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == "open",
               model.committed_quantity + quantity <= model.quantity + EPSILON)
        .values(committed_quantity=model.committed_quantity + quantity, version=model.version + 1)
        .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise Conflict(f"the {what} no longer holds {quantity:g} open", {what: ["not enough open quantity"]})


def _activate(p, now):
    """Both sides accepted: commit the quantity on the (locked) need and offer, make the link."""
    # need and offer are locked already (_locked_pairing); read their current values
    need = db.session.execute(
        sa.select(Need).where(Need.id == p.need_id).execution_options(populate_existing=True)
    ).unique().scalar_one()
    offer = db.session.execute(
        sa.select(Offer).where(Offer.id == p.offer_id).execution_options(populate_existing=True)
    ).unique().scalar_one()
    if need.status != "open" or offer.status != "open":
        raise Conflict("the need or the offer of this proposal is closed", {"status": ["closed"]})
    if not offer.firm.live:
        raise Conflict("the supplier is not live now (not operating, or its county is high-risk)",
                       {"supplier": ["not live"]})
    _commit_quantity(Need, need.id, p.quantity, "need")
    _commit_quantity(Offer, offer.id, p.quantity, "offer")
    db.session.expire(need)
    db.session.expire(offer)
    from matchmaker.services.postings import new_ref

    link = Link(ref=new_ref(Link, "L"), supplier_id=offer.firm_id, buyer_id=need.firm_id,
                category_code=need.category_code, quantity_per_week=quantity_per_week(p.quantity, need.needed_by),
                active=True, terms=list(need.terms or []))
    db.session.add(link)
    db.session.flush()
    p.link_id = link.id
    p.status = "active"
    p.activated_at = now
    db.session.flush()
    _lapse_unfillable(need.id, offer.id, now)


def quantity_per_week(quantity, needed_by, today=None):
    """The pairing's quantity spread evenly over the weeks until the need is due (at least one;
    a started week counts)."""
    days = (needed_by - (today or _today())).days
    weeks = max(1, math.ceil(days / 7))
    return quantity / weeks


def _lapse_unfillable(need_id, offer_id, now):
    """Open proposals of this need or offer that no longer fit what remains open lapse."""
    db.session.flush()
    need_left = sa.select(Need.quantity - Need.committed_quantity).where(Need.id == Pairing.need_id).scalar_subquery()
    offer_left = sa.select(Offer.quantity - Offer.committed_quantity).where(Offer.id == Pairing.offer_id).scalar_subquery()
    db.session.execute(
        sa.update(Pairing)
        .where(Pairing.status.in_(OPEN_PAIRING_STATUSES),
               sa.or_(Pairing.need_id == need_id, Pairing.offer_id == offer_id),
               sa.or_(Pairing.quantity > need_left + EPSILON, Pairing.quantity > offer_left + EPSILON))
        .values(status="lapsed", lapsed_at=now).execution_options(synchronize_session=False))


def decline_pairing(actor, pairing_id, side=None):
    """Decline a proposal for one side; the pair is never proposed again."""
    p = _locked_pairing(actor, pairing_id)
    side = _side_of(actor, p, side)
    if p.status not in OPEN_PAIRING_STATUSES:
        raise Conflict(f"this proposal is {p.status}, it can no longer be declined", {"status": [p.status]})
    now = utcnow()
    p.status = "declined"
    p.declined_by = side
    p.declined_at = now
    exists = db.session.scalar(sa.select(DeclinedPair.id).where(
        DeclinedPair.need_id == p.need_id, DeclinedPair.offer_id == p.offer_id))
    if exists is None:
        db.session.add(DeclinedPair(need_id=p.need_id, offer_id=p.offer_id, declined_by=side,
                                    pairing_id=p.id, created_at=now))
    db.session.commit()
    invalidate_index()
    return p


def lapse_for_posting(kind, posting):
    """Lapse the open proposals of a need or offer (inside the caller's transaction)."""
    column = Pairing.need_id if kind == "need" else Pairing.offer_id
    db.session.execute(
        sa.update(Pairing).where(column == posting.id, Pairing.status.in_(OPEN_PAIRING_STATUSES))
        .values(status="lapsed", lapsed_at=utcnow()).execution_options(synchronize_session=False))
    invalidate_index()


@signals.posting_closed.connect
def _on_posting_closed(sender, posting=None, **kw):
    """A need or offer closed: its open proposals lapse."""
    if sender in ("need", "offer") and posting is not None:
        lapse_for_posting(sender, posting)


@signals.posting_changed.connect
def _on_posting_changed(sender, posting=None, changed=(), **kw):
    """A need or offer changed in a way that matters to matching: its open proposals lapse."""
    if sender in ("need", "offer") and posting is not None and set(changed or ()) & _MATCHING_FIELDS:
        lapse_for_posting(sender, posting)


# --- best partners ----------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_cache = {}


def invalidate_index():
    """Forget the cached best-partner index (after a write that changes what is open)."""
    _index_cache.clear()


def _index(as_of):
    """The best-partner index of the open postings as of a date, cached for INDEX_TTL_SECONDS."""
    key = (db.engine.url.render_as_string(hide_password=True), as_of, _fingerprint())
    with _index_lock:
        hit = _index_cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < INDEX_TTL_SECONDS:
            return hit[1]
        needs, offers, need_ids, offer_ids, _ = load_postings(as_of)
        index = gm.build_index(needs, offers, as_of=as_of, substitutes=load_substitutes(),
                               declined=load_declined(), weights=_weights())
        refs = {"need": {v: k for k, v in need_ids.items()}, "offer": {v: k for k, v in offer_ids.items()}}
        _index_cache.clear()
        _index_cache[key] = (time.monotonic(), (index, need_ids, offer_ids, refs))
        return _index_cache[key][1]


def _fingerprint():
    """Cheap marker of new rows (the largest need, offer, firm and declined-pair ids): a cached
    index is rebuilt when postings are added. Edits made in this process invalidate it at once;
    edits made by other processes are caught by INDEX_TTL_SECONDS, and every answer is checked
    against the partners' current rows anyway (best_partners)."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(Need.id)).scalar_subquery(),
        sa.select(sa.func.max(Offer.id)).scalar_subquery(),
        sa.select(sa.func.max(Firm.id)).scalar_subquery(),
        sa.select(sa.func.max(DeclinedPair.id)).scalar_subquery())).one())


def best_partners(actor, kind, posting_id, n=10, as_of=None):
    """The top-n allowed partners of a need (offers) or an offer (needs), with cost and reasons,
    answered from the prebuilt index (no run)."""
    model = Need if kind == "need" else Offer
    row = common.get_row(model, posting_id, kind)
    if not can_read_firm(actor, row.firm):
        raise NotFound(f"{kind} {posting_id} not found")
    if not 1 <= int(n) <= 100:
        raise Invalid("n must be between 1 and 100", {"n": ["between 1 and 100"]})
    as_of = as_of or _today()
    index, need_ids, offer_ids, _ = _index(as_of)
    record = _record_of(kind, row)
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
        if pid in declined or status != "open" or left <= EPSILON:
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


def _record_of(kind, row):
    """A graphs.matching record of one stored posting (what remains open of it)."""
    firm, region = row.firm, row.firm.region
    if region.lat is None or region.lon is None:
        return None
    left = max(0.0, (row.quantity or 0.0) - (row.committed_quantity or 0.0))
    if left <= EPSILON:
        return None
    if kind == "need":
        return gm.NeedRecord(row.ref, firm.ref, row.category_code, left, row.needed_by, region.lat, region.lon,
                             firm_kind=firm.kind, max_unit_price=row.max_unit_price,
                             terms=tuple(row.terms or ()), status=row.status, region=region.code)
    return gm.OfferRecord(
        row.ref, firm.ref, row.category_code, left, row.available_from, region.lat, region.lon,
        firm_kind=firm.kind, available_until=row.available_until, lead_time_days=int(row.lead_time_days or 0),
        unit_price=row.unit_price, delivery_radius_km=row.delivery_radius_km,
        supplier_live=bool(firm.operating) and region.risk != "high", workers_back=firm.workers_back,
        status=row.status, region=region.code)
