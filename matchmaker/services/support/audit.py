"""The audit log: a flush hook records every ORM write in the same transaction as the write
(so a rolled-back change leaves no entry); bulk operations call `record` themselves.

Who acts is read from two context variables, never from the web framework: the edge that
authenticates a request sets the signed-in user (`set_acting_user`, see `matchmaker.infra.security`),
and commands and jobs name themselves (`acting_as("scheduler")`). The user wins over the name.
"""
import contextvars
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from matchmaker.infra.extensions import db
from matchmaker.models import AuditEntry, Firm, Region, User
from matchmaker.models.region import region_prefix
from matchmaker.models.base import utcnow
from matchmaker.services.auth import scope_prefix
from matchmaker.services.support.errors import Forbidden

# Who acts outside a request (CLI, scheduler): set with `acting_as("scheduler")`.
_cli_actor = contextvars.ContextVar("audit_actor", default=None)
# The signed-in user of the current request (anything with `id` and `email`), set by the edge.
_request_user = contextvars.ContextVar("audit_request_user", default=None)
_REDACTED = {"password_hash", "digest"}
_SKIPPED_TABLES = {"audit_entry", "notification", "outbox_mail"}  # derived messages, not data


class acting_as:
    """Context manager naming the actor of writes made outside a web request."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self._token = _cli_actor.set(self.name)

    def __exit__(self, *exc):
        _cli_actor.reset(self._token)


def set_acting_user(user: User | None) -> None:
    """Name the signed-in user whose request makes the writes that follow (None: nobody signed in).
    Called by the edge once it knows who is asking, and with None when the request ends."""
    _request_user.set(user)


def acting_user() -> User | None:
    """The signed-in user set by the edge for the current request, or None."""
    return _request_user.get()


def _actor():
    user = _request_user.get()
    if user is not None:
        return user.id, user.email
    name = _cli_actor.get()
    return None, name or "system"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _after(obj):
    """Column values of obj as they are now."""
    mapper = sa.inspect(obj).mapper
    return {a.key: ("***" if a.key in _REDACTED else _plain(getattr(obj, a.key, None))) for a in mapper.column_attrs}


def _stored(conn, obj):
    """Column values of obj's row as stored before this flush (the true 'before')."""
    state = sa.inspect(obj)
    mapper = state.mapper
    table = mapper.local_table
    pk = [table.c[c.name] == v for c, v in zip(mapper.primary_key, state.identity or ())]
    if not pk:
        return None
    row = conn.execute(sa.select(table).where(*pk)).mappings().first()
    if row is None:
        return None
    out = {}
    for attr in mapper.column_attrs:
        col = attr.columns[0]
        out[attr.key] = "***" if attr.key in _REDACTED else _plain(row.get(col.name))
    return out


@event.listens_for(Session, "before_flush")
def _remember_before(session, flush_context, instances):
    conn = None
    before = session.info.setdefault("audit_before", {})
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(obj, "__tablename__", None) in (None, *_SKIPPED_TABLES):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        conn = conn or session.connection()
        before[id(obj)] = _stored(conn, obj)


def _region_of(conn, obj, cache):
    if isinstance(obj, Firm):
        return obj.region_code
    firm_id = getattr(obj, "firm_id", None) or getattr(obj, "buyer_id", None)
    if firm_id is None:
        return getattr(obj, "region_code", None) if not isinstance(obj, User) else obj.region_code
    if firm_id not in cache:
        cache[firm_id] = conn.execute(sa.select(Firm.region_code).where(Firm.id == firm_id)).scalar()
    return cache[firm_id]


@event.listens_for(Session, "after_flush")
def _record_flush(session, flush_context):
    rows = []
    remembered = session.info.pop("audit_before", {})
    actor_id, actor = _actor()
    conn = session.connection()
    cache = {}
    now = utcnow()
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in _SKIPPED_TABLES:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            before = None if action == "create" else remembered.get(id(obj))
            after = None if action == "delete" else _after(obj)
            if before is not None and after is not None:
                changed = {k for k in after if before.get(k) != after.get(k)}
                if not changed - {"version"}:
                    continue
            state = sa.inspect(obj)  # a new row has no identity yet inside the flush: read its key
            ident = state.identity or state.mapper.primary_key_from_instance(obj)
            rows.append(dict(
                at=now, actor_id=actor_id, actor=actor, action=action, entity=table,
                entity_id=str(getattr(obj, "ref", None) or (ident[0] if ident else "")),
                region_code=_region_of(conn, obj, cache), before=before, after=after,
            ))
    if rows:
        conn.execute(sa.insert(AuditEntry), rows)


def record(action: str, entity: str, entity_id: str | None = None, region_code: str | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    """Add one entry by hand (bulk imports and other writes that bypass the ORM unit of work).
    Joins the caller's transaction; the caller commits."""
    actor_id, actor = _actor()
    db.session.execute(sa.insert(AuditEntry), [dict(
        at=utcnow(), actor_id=actor_id, actor=actor, action=action, entity=entity,
        entity_id=entity_id, region_code=region_code, before=_plain(before), after=_plain(after),
    )])


def list_entries(user: User, entity: str | None = None, region: str | None = None, page: int = 1,
                 page_size: int = 50) -> tuple[Sequence[AuditEntry], int]:
    """Audit entries the user may read: admins all, staff their region and below."""
    prefix = scope_prefix(user)
    if prefix is None:
        raise Forbidden("only task-force staff and admins read the audit log")
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if prefix:
        query = query.where(AuditEntry.region_code.startswith(prefix))
    if region:
        row = db.session.get(Region, region)
        query = query.where(AuditEntry.region_code.startswith(region_prefix(region, row.level) if row else region))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    return items, total
