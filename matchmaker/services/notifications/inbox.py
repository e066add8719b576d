"""A user's inbox (newest first, unread count, mark read) and which kinds they take by e-mail."""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Notification, User
from matchmaker.models.base import utcnow
from matchmaker.models.notification import NOTIFICATION_KINDS
from matchmaker.services.support import common
from matchmaker.services.support.errors import Invalid, NotFound


def list_inbox(actor: User, page: int = 1, page_size: int = 20, unread_only: bool = False
               ) -> tuple[list[Notification], int]:
    """(notifications, total) of the actor, newest first."""
    stmt = sa.select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return common.page_of(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()), page, page_size)


def unread_count(actor: User) -> int:
    """How many of the actor's notifications are unread."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None))) or 0


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (another user's answers NotFound, as absent)."""
    row = db.session.get(Notification, notification_id) if isinstance(notification_id, int) else None
    if row is None or row.user_id != actor.id:
        raise NotFound("notification %(id)s not found", id=notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        common.commit()
    return row


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    done = db.session.execute(sa.update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow())).rowcount
    common.commit()
    return done or 0


def mail_settings(actor: User) -> dict[str, bool]:
    """{kind: whether the actor gets it by e-mail}, every kind (the inbox always has them all)."""
    off = set(actor.mail_off or [])
    return {kind: kind not in off for kind in NOTIFICATION_KINDS}


def set_mail_settings(actor: User, wanted: dict) -> dict[str, bool]:
    """Set which kinds the actor gets by e-mail: {kind: bool}; kinds left out keep their setting."""
    unknown = sorted(k for k in wanted if k not in NOTIFICATION_KINDS)
    if unknown:
        raise Invalid("unknown notification kind", {k: ["unknown notification kind"] for k in unknown})
    current = mail_settings(actor)
    current.update({k: bool(v) for k, v in wanted.items()})
    user = db.session.get(User, actor.id)
    user.mail_off = [k for k in NOTIFICATION_KINDS if not current[k]]
    common.commit()
    return current
