"""Every model, imported so that Alembic autogenerate and create_all see them."""
from matchmaker.models.base import Base  # noqa: F401
from matchmaker.models.region import Region  # noqa: F401
from matchmaker.models.region_risk import RegionRisk  # noqa: F401
from matchmaker.models.category import Category, category_input, category_substitute  # noqa: F401
from matchmaker.models.product import Product  # noqa: F401
from matchmaker.models.firm import Firm  # noqa: F401
from matchmaker.models.need import Need  # noqa: F401
from matchmaker.models.offer import Offer  # noqa: F401
from matchmaker.models.link import Link, LinkRequest  # noqa: F401
from matchmaker.models.ledger import Delivery, Order, Payment  # noqa: F401
from matchmaker.models.user import ApiToken, User  # noqa: F401
from matchmaker.models.audit import AuditEntry  # noqa: F401
from matchmaker.models.pairing import DeclinedPair, MatchRun, Pairing  # noqa: F401
from matchmaker.models.report import Break, BreakEvent, ReportGuard, WeeklyReport  # noqa: F401
from matchmaker.models.help import HelpMatch, HelpOffer  # noqa: F401
from matchmaker.models.agenda import AgendaEntry, AgendaEvent  # noqa: F401
from matchmaker.models.notification import Notification, OutboxMail  # noqa: F401
