"""Notifications (issue 13): the in-app inbox of each user, and the outbox of e-mail to send.

An event writes its `Notification` rows and, for users who want that kind by e-mail, their
`OutboxMail` rows in the same transaction as the event itself, so a committed event is never
without its messages and a rolled-back one has none. A job sends the outbox over SMTP (see
services/notifications/outbox.py). Texts are not stored: `kind` and `params` are said in the
reader's language when shown or sent.
"""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.models.base import Base, utcnow

#: The kinds of event a user is told about (the e-mail settings are per kind).
NOTIFICATION_KINDS = ("proposal_arrived", "proposal_answered", "link_formed", "item_assigned",
                      "commitment_due", "commitment_overdue", "report_ready")


class Notification(Base):
    """One message in a user's inbox; `key` makes an event tell a user once (e.g. one reminder of a
    commitment due)."""

    __tablename__ = "notification"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_notification_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    key: Mapped[str] = mapped_column(sa.String(200))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    url: Mapped[Optional[str]] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))


class OutboxMail(Base):
    """An e-mail to send: claimed by a sender with a lease (`lease_until`, `lease_token`), sent at
    most once per successful SMTP hand-over (`sent_at`), retried with exponential backoff
    (`attempts`, `next_attempt_at`) while the SMTP server is down."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("notification.id", ondelete="SET NULL"), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(200))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    url: Mapped[Optional[str]] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    lease_until: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    lease_token: Mapped[Optional[str]] = mapped_column(sa.String(40))
    sent_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), index=True)
    last_error: Mapped[Optional[str]] = mapped_column(sa.String(500))
