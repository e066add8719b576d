"""The weekly chain-break report (周调度): reports, their breaks, break history, the run guard.

A break is identified from week to week by its key: kind, buyer, category and supplier
(``Break.key``). Each stored report holds its own rows; the workflow (status, assignee,
hand escalation) is carried from a break's row in the previous report to its row in the next.
"""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.models.base import Base, utcnow

BREAK_STATUSES = ("open", "assigned", "escalated", "reopened", "closed", "resolved")
# "escalated": raised by hand and not yet taken up by the higher level (its assignee cleared)
OPEN_STATUSES = ("open", "assigned", "escalated", "reopened")
EVENT_ACTIONS = ("opened", "assigned", "escalated", "noted", "closed", "reopened", "resolved")


def break_key(kind, buyer, category, supplier):
    """The identity of a break across weeks, as one string."""
    return f"{kind}|{buyer}|{category}|{supplier or ''}"


class WeeklyReport(Base):
    """The stored report of one ISO week; its parts besides the breaks are JSON."""

    __tablename__ = "weekly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), unique=True)  # e.g. 2020-W12
    as_of: Mapped[date] = mapped_column(sa.Date)
    previous_week: Mapped[Optional[str]] = mapped_column(sa.String(8))
    # resolved breaks: [{kind, buyer, supplier, category, owner_region, buyer_region}]
    resolved: Mapped[list] = mapped_column(sa.JSON, default=list)
    # resumption monitoring per county: {county: {"industry": {sec: [...]}, "park": {...}}}
    monitoring: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # pairings proposed and accepted that week per county of the buyer
    pairings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    stats: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # article 10 (spec/article10.md): the overdue commitments (with the supplier's county, for
    # who sees them) and the leading firms' scorecards as of the report's day
    commitments: Mapped[list] = mapped_column(sa.JSON, default=list)
    leading_firms: Mapped[list] = mapped_column(sa.JSON, default=list)
    # the firms asking for help (graphs.blocked_firms): [{firm, county, operating, factors, weeks_open, breaks}]
    blocked_firms: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    computed_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    runs: Mapped[int] = mapped_column(sa.Integer, default=1)

    breaks: Mapped[list["Break"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                 passive_deletes=True)

    def __repr__(self):
        return f"<WeeklyReport {self.week}>"


class Break(Base):
    """One break in one weekly report."""

    __tablename__ = "chain_break"
    # Few indexes on purpose: a province's report inserts ~10^5 rows in one go. The unique one serves
    # every read by report too (its report_id prefix); the firm's inbox (buyer OR supplier) narrows
    # to the report by it and reads the report's rows (the dropped (report_id, buyer) index could not
    # serve the OR either).
    __table_args__ = (sa.UniqueConstraint("report_id", "key", name="uq_chain_break_report_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("weekly_report.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(20))
    buyer: Mapped[str] = mapped_column(sa.String(64))
    supplier: Mapped[Optional[str]] = mapped_column(sa.String(64))
    category: Mapped[str] = mapped_column(sa.String(32))
    quantity: Mapped[float] = mapped_column(sa.Float)
    # the unit of `quantity` (null when the goods behind the break are counted in different units)
    # and what is at stake product by product: [{"product": code or null, "unit", "quantity"}]
    unit: Mapped[Optional[str]] = mapped_column(sa.String(20))
    products: Mapped[Optional[list]] = mapped_column(sa.JSON)
    factors: Mapped[list] = mapped_column(sa.JSON, default=list)
    tier: Mapped[int] = mapped_column(sa.Integer, default=1)
    path: Mapped[list] = mapped_column(sa.JSON, default=list)
    regions: Mapped[list] = mapped_column(sa.JSON, default=list)  # the counties of the path's firms: who sees it
    base_level: Mapped[str] = mapped_column(sa.String(10))
    level: Mapped[str] = mapped_column(sa.String(10))
    owner_region: Mapped[str] = mapped_column(sa.String(6))
    buyer_region: Mapped[str] = mapped_column(sa.String(6))  # the buyer's county
    weeks_open: Mapped[int] = mapped_column(sa.Integer, default=1)
    severity: Mapped[float] = mapped_column(sa.Float, default=0.0)
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    manual_steps: Mapped[int] = mapped_column(sa.Integer, default=0)  # escalated by hand
    # the weeks of its run in which staff did not act on it (automatic escalation counts these only)
    idle_weeks: Mapped[int] = mapped_column(sa.Integer, default=1)
    acted: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # staff acted on it this week
    pending_proposals: Mapped[Optional[int]] = mapped_column(sa.Integer)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)

    report: Mapped[WeeklyReport] = relationship(back_populates="breaks")

    def __repr__(self):
        return f"<Break {self.key} {self.status}>"


class BreakEvent(Base):
    """History of a break (by key, so it spans weeks): opened, assigned, escalated, closed, ..."""

    __tablename__ = "break_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), index=True)
    week: Mapped[str] = mapped_column(sa.String(8))
    action: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[Optional[str]] = mapped_column(sa.String(200))
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    level: Mapped[Optional[str]] = mapped_column(sa.String(10))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ReportGuard(Base):
    """One row per week, locked by every run of that week's report so runs never overlap."""

    __tablename__ = "report_guard"

    week: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    locked_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    runs: Mapped[int] = mapped_column(sa.Integer, default=0)
