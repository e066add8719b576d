"""Names of the codes users see (factors, kinds, levels, terms...), in the user's language.

Shared by the edges: the pages, the API's report downloads and the `report` command all take the
report paper's words (`report_vocabulary`) from here, so none of them imports another."""
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

LABELS = {
    "factor": {
        "ppe": _l("Epidemic-prevention supplies"),
        "labour": _l("Workers returning"),
        "transport": _l("Goods transport"),
        "materials": _l("Raw-material supply"),
        "funds": _l("Operating funds"),
        "orders": _l("Orders and markets"),
        "risk_zone": _l("High-risk zone"),
        "other": _l("Other"),
    },
    "break_kind": {
        "supplier_down": _l("Supplier down"),
        "supplier_strained": _l("Supplier strained"),
        "uncovered_need": _l("Uncovered need"),
        "chain_gap": _l("Chain gap"),
        "single_source": _l("Single source"),
        "upstream_break": _l("Upstream break"),
    },
    "firm_kind": {"leading": _l("Leading firm"), "sme": _l("SME")},
    # the dispatch meeting's agenda (issue 12): its kinds of item, the task force's departments, outcomes
    "agenda_kind": {
        "risk_zone": _l("High-risk zone"),
        "supplier_down": _l("Supplier down"),
        "supplier_strained": _l("Supplier strained"),
        "chain_gap": _l("Chain gap"),
        "uncovered_need": _l("Uncovered need"),
        "commitment": _l("Overdue commitment"),
        "blocked_firm": _l("Firm asking for help"),
    },
    "department": {
        "health": _l("Health commission"),
        "industry": _l("Industry and information technology"),
        "hr": _l("Human resources and social security"),
        "transport": _l("Transport"),
        "commerce": _l("Commerce"),
        "finance": _l("Financial affairs office"),
        "fiscal": _l("Finance bureau"),
        "command": _l("Epidemic prevention and control headquarters"),
    },
    "outcome": {"done": _l("Done"), "not_done": _l("Not done")},
    # units of quantity (a category's or a product's); English shows the code itself
    "unit": {
        "t": lazy_pgettext("unit", "t"), "kg": lazy_pgettext("unit", "kg"), "head": lazy_pgettext("unit", "head"),
        "kL": lazy_pgettext("unit", "kL"), "piece": lazy_pgettext("unit", "piece"), "set": lazy_pgettext("unit", "set"),
        "box": lazy_pgettext("unit", "box"), "pair": lazy_pgettext("unit", "pair"), "m": lazy_pgettext("unit", "m"),
        "m2": lazy_pgettext("unit", "m2"), "m3": lazy_pgettext("unit", "m3"), "km": lazy_pgettext("unit", "km"),
        "kWh": lazy_pgettext("unit", "kWh"), "MWh": lazy_pgettext("unit", "MWh"), "GJ": lazy_pgettext("unit", "GJ"),
        "10k CNY": lazy_pgettext("unit", "10k CNY"), "unit": lazy_pgettext("unit", "unit"),
    },
    "level": {"province": _l("Province"), "city": _l("City"), "county": _l("County")},
    "term": {
        "order_first": _l("Order first"),
        "supply_first": _l("Supply first"),
        "pay_first": _l("Pay first"),
    },
    # the article-10 commitments the weekly report lists when overdue (spec/article10.md)
    "commitment": {
        "order_first": _l("Order first"),
        "pay_first": _l("Pay first"),
        "payment_60d": _l("Payment within 60 days"),
    },
    "help": {
        "orders": _l("Orders"),
        "marketing": _l("Marketing"),
        "technology": _l("Technology"),
        "management": _l("Management"),
        "funds": _l("Funds"),
        "materials": _l("Raw materials"),
    },
    "help_status": {
        "proposed": _l("Proposed"),
        "accepted": _l("Accepted by one side"),
        "active": _l("Help given"),
        "declined": _l("Declined"),
        "lapsed": _l("Lapsed"),
    },
    "status": {
        "open": _l("Open"),
        "closed": _l("Closed"),
        "assigned": _l("Assigned"),
        "reopened": _l("Reopened"),
        "resolved": _l("Resolved"),
        "escalated": _l("Escalated"),
        "proposed": _l("Proposed"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
        "expired": _l("Expired"),
        "withdrawn": _l("Withdrawn"),
        "superseded": _l("Superseded"),
        "new": _l("New"),
        "opened": _l("Opened"),
        "noted": _l("Note added"),
        "continuing": _l("Continuing"),
    },
    "link_request": {
        "awaiting_confirmation": _l("Awaiting confirmation"),
        "confirmed": _l("Confirmed"),
        "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"),
        "superseded": _l("Superseded"),
    },
    "break_status": {
        "open": lazy_pgettext("break", "Open"),
        "assigned": lazy_pgettext("break", "Assigned"),
        "escalated": lazy_pgettext("break", "Escalated"),
        "reopened": lazy_pgettext("break", "Reopened"),
        "closed": lazy_pgettext("break", "Closed"),
        "resolved": lazy_pgettext("break", "Resolved"),
    },
    # The weekly report's paper (its workbook and print page) words some codes more tersely than
    # the pages do (用工 for 员工返岗, 县级 for 县（区）): the same English, context "report".
    # report_vocabulary() lays these over the groups they refine.
    "report_break_kind": {"uncovered_need": lazy_pgettext("report", "Uncovered need")},
    "report_level": {
        "province": lazy_pgettext("report", "Province"),
        "city": lazy_pgettext("report", "City"),
        "county": lazy_pgettext("report", "County"),
    },
    "report_factor": {
        "labour": lazy_pgettext("report", "Workers returning"),
        "materials": lazy_pgettext("report", "Raw-material supply"),
        "funds": lazy_pgettext("report", "Operating funds"),
        "orders": lazy_pgettext("report", "Orders and markets"),
        "risk_zone": lazy_pgettext("report", "High-risk zone"),
    },
    "risk": {"low": _l("Low risk"), "medium": _l("Medium risk"), "high": _l("High risk")},
    "role": {"firm": _l("Firm user"), "staff": _l("Task-force staff"), "admin": _l("Administrator")},
    "industry": {
        "A": _l("Agriculture, forestry, animal husbandry and fishery"),
        "B": _l("Mining"),
        "C": _l("Manufacturing"),
        "D": _l("Electricity, heat, gas and water"),
        "E": _l("Construction"),
        "F": _l("Wholesale and retail"),
        "G": _l("Transport, storage and post"),
        "H": _l("Accommodation and catering"),
        "I": _l("Information technology services"),
        "J": _l("Finance"),
        "K": _l("Real estate"),
        "L": _l("Leasing and business services"),
        "M": _l("Research and technical services"),
        "N": _l("Water, environment and public facilities"),
        "O": _l("Resident and repair services"),
        "P": _l("Education"),
        "Q": _l("Health and social work"),
        "R": _l("Culture, sports and entertainment"),
        "S": _l("Public administration"),
        "T": _l("International organisations"),
    },
}


def label(code, group=None):
    """The label of `code` in `group` (or the first group that knows it); the code itself if none."""
    if code is None:
        return ""
    code = str(code)
    groups = [group] if group else list(LABELS)
    for name in groups:
        found = LABELS.get(name, {}).get(code)
        if found is not None:
            return str(found)
    return code


REPORT_LOCALE = "zh_CN"  # the dispatch meeting's language: the report's workbook and print page use it
REPORT_PARTS = {"kind": "break_kind", "level": "level", "factor": "factor", "status": "break_status",
                "term": "commitment", "unit": "unit"}


def report_vocabulary():
    """The words of the weekly report's paper for its codes, {part: {code: word}} with the parts of
    services.reports.Vocabulary, in the report's language whatever the reader's."""
    with force_locale(REPORT_LOCALE):
        return {part: {code: str(text) for code, text in {**LABELS[group], **LABELS.get(f"report_{group}", {})}.items()}
                for part, group in REPORT_PARTS.items()}


def choices(group):
    """(code, label) pairs of a group, for select boxes and checkbox lists."""
    return [(code, text) for code, text in LABELS[group].items()]


# Messages the services raise that users see; listed so pybabel extracts them for translation.
SERVICE_MESSAGES = (
    _l("invalid user"),
    _l("must be firm, staff or admin"),
    _l("a valid e-mail address is required"),
    _l("at least 8 characters"),
    _l("a firm user needs an existing firm ref"),
    _l("task-force staff need an existing region code"),
    _l("already registered"),
    _l("your role may not do this"),
    _l("you may only change your own firm's data"),
    _l("the record was changed by someone else; reload and try again"),
    _l("the change conflicts with stored data"),
    _l("internal error"),
    _l("not found"),
    _l("must be greater than 0"),
    _l("must be between 0 and 1"),
    _l("unknown category"),
    _l("must not be before available_from"),
    _l("needed_by must not be in the past"),
    _l("your firm must be the supplier or the buyer"),
    _l("a firm cannot supply itself"),
    _l("invalid link"),
    _l("the other side of the link must answer this request"),
    _l("only the firm that asked may withdraw its request"),
    _l("this request was answered already"),
    _l("the link changed since this change was asked for; decline it and ask again"),
    _l("your firm asked for this link already; the request awaits confirmation"),
    _l("your firm has too many requests awaiting an answer; withdraw some first"),
    _l("The CSRF token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF session token is missing."),
    _l("The CSRF tokens do not match."),
    _l("the uploaded file is no longer there; upload it again"),
    _l("no task worker answered in time; the task stays queued and runs when one is free"),
)


def message(text):
    """A service message in the user's language when the catalog knows it, else as written."""
    if not text:
        return ""
    return gettext(text)


def monitoring_words():
    """The words of the monitoring workbook in the reader's language (services.monitoring.monitoring_xlsx)."""
    from flask_babel import get_locale, pgettext

    locale = get_locale()
    return {
        "lang": "zh" if locale is not None and locale.language == "zh" else "en",
        "headers": [gettext("Code"), pgettext("monitoring", "Name"), gettext("Firms"), gettext("Headcount"),
                    gettext("Firms operating"), gettext("Firms operating (headcount-weighted)"),
                    gettext("Workers back"), gettext("Workers back (headcount-weighted)"),
                    gettext("Change: firms operating"), gettext("Change: firms operating (weighted)"),
                    gettext("Change: workers back"), gettext("Change: workers back (weighted)")],
        "sheets": {"by_chain": gettext("By chain"), "by_division": gettext("By division"),
                   "by_county": gettext("By county")},
    }
