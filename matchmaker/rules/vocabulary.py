"""The closed lists of values the fields of firms, postings, links, regions and accounts take.

Models, schemas, services, the data package and the pages all read these names from here
(the models re-export the ones they always had).
"""

__all__ = [
    "FACTORS", "FIRM_STATES", "HELP_KINDS", "HELP_OFFER_KINDS", "KINDS", "LEVELS", "LEVEL_RANK", "LINK_STATES", "LOCALES",
    "REPORTABLE_BLOCKERS", "RISKS", "ROLES", "STATUSES", "TERMS", "DEPARTMENTS", "AGENDA_SORTS", "DECISION_MAX",
]

#: A firm's kind: a leading enterprise (龙头企业) or an SME (中小企业).
KINDS = ("leading", "sme")
#: The five factors of the weekly dispatch (article 10), and three more.
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "risk_zone", "other")
#: What a firm may report as blocking it: every factor but risk_zone, which comes from its county's risk.
REPORTABLE_BLOCKERS = tuple(f for f in FACTORS if f != "risk_zone")
#: The article-10 terms a need may offer.
TERMS = ("order_first", "supply_first", "pay_first")
#: A need's or an offer's status.
STATUSES = ("open", "closed")
#: The help an offering firm may ask a partner for.
HELP_KINDS = ("orders", "marketing", "technology", "management", "funds", "materials")
#: The help a leading firm may offer SMEs (article 10's 帮营销、帮技术、帮管理, funds and raw materials).
HELP_OFFER_KINDS = ("marketing", "technology", "management", "funds", "materials")
#: Administrative levels of a region (GB/T 2260), top down, and each one's rank.
LEVELS = ("province", "city", "county")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
#: A region's epidemic risk level (article 2).
RISKS = ("low", "medium", "high")
#: An account's role: a firm's user, task-force staff of a region, an administrator.
ROLES = ("firm", "staff", "admin")
#: The languages of the pages and of an account.
LOCALES = ("zh_CN", "en")
#: The list filters that stand for a boolean: a link's `active`, a firm's `operating`.
LINK_STATES = ("active", "inactive")
FIRM_STATES = ("operating", "stopped")
#: The departments of a task force an agenda item is handed to (their names: infra.labels "department").
DEPARTMENTS = ("health", "industry", "hr", "transport", "commerce", "finance", "fiscal", "command")
#: How a region's agenda may be ordered: by what is at stake (input-weeks), or by the days until a
#: buyer it fails runs out (critical items first: supply back only after the buyer runs out; issue 13).
AGENDA_SORTS = ("stake", "runs_out")
#: The longest decision a meeting records on an agenda item (characters).
DECISION_MAX = 2000
