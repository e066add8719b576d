"""The e-mail outbox, sent over SMTP by a job (the scheduler's `send_mail`, or `matchmaker notify send`).

Nothing lost: a mail row is written in the transaction of its event and stays until an SMTP server
has accepted it. Nothing sent twice: a sender first *claims* a batch, in its own committed
transaction, with a lease (`lease_until`, and a `lease_token` only it knows); on PostgreSQL the
candidates are picked with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint
rows, and on every database the claim is a conditional UPDATE that only takes rows nobody holds.
Only the holder of the lease marks a row sent, the moment the server accepted it. A sender killed
mid-batch leaves its rows leased; they are sent by the next sender after the lease ends. A server
that is down (refused connection, timeout, a 4xx/5xx reply) costs a row an attempt: it is retried
after RETRY_BASE * 2**(attempts-1) seconds, at most RETRY_MAX. (The one gap no outbox closes: a
sender killed after the server accepted a mail and before its "sent" commit; that mail goes again
with the same Message-ID, by which mail clients drop the copy.)

smtplib (the standard library) speaks SMTP: the protocol needs nothing more.
"""
import secrets
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.models import OutboxMail
from matchmaker.models.base import utcnow

#: (subject, body) of an outbox row: the edge's renderer (infra.notices.mail_text), in the addressee's language.
Render = Callable[[OutboxMail], tuple[str, str]]


@dataclass(frozen=True)
class MailSettings:
    """SMTP and retry settings (config MAIL_*; see infra/config.py)."""

    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "matchmaker@localhost"
    timeout: float = 10.0
    lease_seconds: int = 300
    retry_base: int = 60
    retry_max: int = 6 * 3600
    batch: int = 50

    @classmethod
    def from_config(cls) -> "MailSettings":
        """The settings of the running application."""
        return cls(host=setting("MAIL_HOST", "localhost"), port=int(setting("MAIL_PORT", 25)),
                   username=setting("MAIL_USERNAME"), password=setting("MAIL_PASSWORD"),
                   starttls=bool(setting("MAIL_STARTTLS", False)), sender=setting("MAIL_FROM", "matchmaker@localhost"),
                   timeout=float(setting("MAIL_TIMEOUT", 10)), lease_seconds=int(setting("MAIL_LEASE_SECONDS", 300)),
                   retry_base=int(setting("MAIL_RETRY_BASE_SECONDS", 60)),
                   retry_max=int(setting("MAIL_RETRY_MAX_SECONDS", 6 * 3600)), batch=int(setting("MAIL_BATCH", 50)))


def backoff(attempts: int, base: int, cap: int) -> int:
    """Seconds to wait before the next attempt after `attempts` failed ones: base * 2**(attempts-1), capped.

    >>> [backoff(n, 60, 3600) for n in (1, 2, 3, 7, 30)]
    [60, 120, 240, 3600, 3600]
    """
    return min(cap, base * 2 ** min(max(attempts - 1, 0), 30))


def claim(settings: MailSettings, now: datetime | None = None) -> tuple[str, list[OutboxMail]]:
    """(token, rows) of a batch this sender now holds the lease of; committed at once."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    free = sa.and_(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now,
                   sa.or_(OutboxMail.lease_until.is_(None), OutboxMail.lease_until < now))
    pick = sa.select(OutboxMail.id).where(free).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(settings.batch)
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(pick))
    if ids:
        db.session.execute(sa.update(OutboxMail).where(OutboxMail.id.in_(ids), free)
                           .values(lease_until=now + timedelta(seconds=settings.lease_seconds), lease_token=token)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    rows = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.lease_token == token, OutboxMail.sent_at.is_(None))
                              .order_by(OutboxMail.id).execution_options(populate_existing=True)).all() if ids else []
    return token, list(rows)


def _message(row: OutboxMail, render: Render, settings: MailSettings) -> EmailMessage:
    subject, body = render(row)
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = row.to_address
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    host = settings.sender.rsplit("@", 1)[-1] or "matchmaker"
    msg["Message-ID"] = f"<outbox-{row.id}@{host}>"  # the same on a resend: clients drop the copy
    msg.set_content(body)
    return msg


def _connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.starttls:
        smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _finish(row_id: int, token: str, values: dict) -> bool:
    """Write a row's outcome if this sender still holds its lease; committed at once."""
    done = db.session.execute(sa.update(OutboxMail).where(
        OutboxMail.id == row_id, OutboxMail.lease_token == token, OutboxMail.sent_at.is_(None))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(done)


def _failed(row: OutboxMail, token: str, settings: MailSettings, error: Exception, now: datetime) -> None:
    attempts = (row.attempts or 0) + 1
    _finish(row.id, token, {"attempts": attempts, "lease_until": None, "lease_token": None,
                            "last_error": f"{type(error).__name__}: {error}"[:500],
                            "next_attempt_at": now + timedelta(seconds=backoff(attempts, settings.retry_base,
                                                                               settings.retry_max))})


def send_outbox(render: Render, settings: MailSettings | None = None, now: Callable[[], datetime] = utcnow,
                max_batches: int = 20) -> dict[str, int]:
    """Send what is due in the outbox, batch by batch: {"sent", "failed", "batches"}. A connection
    that fails fails the rest of its batch (each row retried later with backoff)."""
    settings = settings or MailSettings.from_config()
    counts = {"sent": 0, "failed": 0, "batches": 0}
    for _ in range(max_batches):
        token, rows = claim(settings, now())
        if not rows:
            break
        counts["batches"] += 1
        smtp = None
        try:
            smtp = _connect(settings)
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                _failed(row, token, settings, exc, now())
            counts["failed"] += len(rows)
            break  # the server is down: wait for the next run
        try:
            for row in rows:
                try:
                    smtp.send_message(_message(row, render, settings))
                except (smtplib.SMTPServerDisconnected, socket.timeout, ConnectionError) as exc:
                    _failed(row, token, settings, exc, now())
                    counts["failed"] += 1
                    raise
                except (smtplib.SMTPException, OSError) as exc:
                    _failed(row, token, settings, exc, now())
                    counts["failed"] += 1
                    continue
                _finish(row.id, token, {"sent_at": now(), "lease_until": None, "attempts": (row.attempts or 0) + 1,
                                        "last_error": None})
                counts["sent"] += 1
        except (smtplib.SMTPServerDisconnected, socket.timeout, ConnectionError):
            for row in rows:  # the rest of the batch: released for a later run
                _finish(row.id, token, {"lease_until": None, "lease_token": None})
            break
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return counts


def pending_count() -> int:
    """Mails not yet sent."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_(None))) or 0
