"""The dispatch meeting's agenda (issue 12, item 3): who owns each item, by when, what was decided.

An agenda item is computed from a stored report (:mod:`graphs.agenda`), so only what people add
to it is stored: one :class:`AgendaEntry` per week and item key once anyone sets its department,
assignee or due date or records a decision, and an :class:`AgendaEvent` for every such change
(the item's action log, kept under the item's key across weeks).
"""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.models.base import Base, utcnow

DECISION_OUTCOMES = ("done", "not_done")
AGENDA_ACTIONS = ("owner", "decided", "outcome", "note")


class AgendaEntry(Base):
    """What the task force set on one agenda item of one week: owner, deadline, decision, outcome."""

    __tablename__ = "agenda_entry"
    __table_args__ = (sa.UniqueConstraint("week", "key", name="uq_agenda_entry_week_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), index=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    owner_region: Mapped[str] = mapped_column(sa.String(6), index=True)
    # department codes (infra.labels "department"); None: the defaults of the item's factors
    departments: Mapped[Optional[list]] = mapped_column(sa.JSON)
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    due: Mapped[Optional[date]] = mapped_column(sa.Date)
    decision: Mapped[Optional[str]] = mapped_column(sa.Text)  # who does what by when
    decided_by: Mapped[Optional[str]] = mapped_column(sa.String(200))
    decided_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    outcome: Mapped[Optional[str]] = mapped_column(sa.String(10))  # done | not_done, said at the next meeting
    outcome_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def region_code(self) -> str:
        """The region the audit log files the entry under: its owner region."""
        return self.owner_region


class AgendaEvent(Base):
    """One change to an agenda item (its action log), by key so it spans weeks."""

    __tablename__ = "agenda_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), index=True)
    week: Mapped[str] = mapped_column(sa.String(8))
    action: Mapped[str] = mapped_column(sa.String(10))
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[Optional[str]] = mapped_column(sa.String(200))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
