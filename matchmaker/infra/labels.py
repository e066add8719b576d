"""Names of the codes users see (factors, kinds, levels, terms...), in the user's language.

Shared by the edges: the pages, the API's report downloads and the `report` command all take the
report paper's words (`report_vocabulary`) from here, so none of them imports another."""
import re

from flask_babel import force_locale, get_locale, gettext
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
        "lapsed": _l("Lapsed"),
        "active": _l("Link formed"),
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
    # messages built from a record word or code, and the HTTP layer's and request parser's own words
    _l('not a product code (1 to 40 characters without spaces)'),
    _l('only administrators may change this'),
    _l('is yourself'),
    _l('between 1 and 100'),
    _l('must be buyer or supplier'),
    _l('format YYYY-Www'),
    _l('no such ISO week'),
    _l('not a date'),
    _l('must not be before today'),
    _l('already exists'),
    _l('cannot be changed'),
    _l('not enough open quantity'),
    _l('unknown firm; decline the request'),
    _l('pairing %(id)s not found'),
    _l('need %(id)s not found'),
    _l('offer %(id)s not found'),
    _l('link %(id)s not found'),
    _l('link request %(id)s not found'),
    _l('user %(id)s not found'),
    _l('run %(id)s not found'),
    _l('order %(id)s not found'),
    _l('delivery %(id)s not found'),
    _l('payment %(id)s not found'),
    _l('notification %(id)s not found'),
    _l('a need with ref %(ref)s exists'),
    _l('a offer with ref %(ref)s exists'),
    _l('invalid need'),
    _l('invalid offer'),
    _l('invalid order'),
    _l('invalid delivery'),
    _l('invalid payment'),
    _l('your firm is not the buyer of this proposal'),
    _l('your firm is not the supplier of this proposal'),
    _l('only the buyer of the link records its orders'),
    _l('only the supplier of the link records its deliveries'),
    _l('only the buyer of the link records its payments'),
    _l('the need no longer holds %(quantity)s open'),
    _l('the offer no longer holds %(quantity)s open'),
    _l('the ref of a link cannot be changed'),
    _l('the supplier of a link cannot be changed'),
    _l('the buyer of a link cannot be changed'),
    _l('proposed'),
    _l('accepted'),
    _l('declined'),
    _l('lapsed'),
    _l('open'),
    _l('assigned'),
    _l('reopened'),
    _l('resolved'),
    _l('closed'),
    _l('escalated'),
    _l('The browser (or proxy) sent a request that this server could not understand.'),
    _l("The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."),
    _l("You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."),
    _l('The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'),
    _l('The method is not allowed for the requested URL.'),
    _l('A conflict happened while processing the request. The resource might have been modified while the request was being processed.'),
    _l('The data value transmitted exceeds the capacity limit.'),
    _l('The server does not support the media type transmitted in the request.'),
    _l('The request was well-formed but was unable to be followed due to semantic errors.'),
    _l('This user has exceeded an allotted request count. Try again later.'),
    _l('The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.'),
    _l('The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.'),
    _l('send the body as application/json'),
    _l('Missing data for required field.'),
    _l('Field may not be null.'),
    _l('Invalid value.'),
    _l('Not a valid string.'),
    _l('Not a valid integer.'),
    _l('Not a valid number.'),
    _l('Number too large.'),
    _l('Not a valid boolean.'),
    _l('Not a valid date.'),
    _l('Not a valid datetime.'),
    _l('Not a valid list.'),
    _l('Not a valid mapping type.'),
    _l('Invalid type.'),
    _l('Invalid input type.'),
    _l('Unknown field.'),
    _l('Special numeric values (nan or infinity) are not permitted.'),
)


# A data-package problem as `Problem.__str__` words it, and a message the package phrases in both
# languages, "English (中文)".
_PROBLEM = re.compile(r"^(?P<section>\S+) row (?P<row>\d+) field (?P<field>.+?): (?P<text>.*)$", re.S)
_BILINGUAL = re.compile(r"^(?P<en>.*?\S)\s*[(（](?P<zh>[^()（）]*[\u3400-\u9fff][^()（）]*)[)）]$", re.S)


def message(text, params=None):
    """A service message in the user's language when the catalog knows it, else as written.

    A `matchmaker.errors.Message` is translated by its template and filled with its values; a
    data-package problem line keeps its section, row and field; a bilingual "English (中文)"
    message shows the user's language first."""
    if not text:
        return ""
    template = getattr(text, "template", None)
    if template is not None:
        return _say(template, text.params)
    text = str(text)
    found = _PROBLEM.match(text)
    if found:
        return gettext("%(section)s row %(row)s field %(field)s: %(text)s", section=found["section"],
                       row=found["row"], field=found["field"], text=message(found["text"]))
    pair = _BILINGUAL.match(text)
    if pair:
        return pair["en"] if _english() else f"{pair['zh']}（{pair['en']}）"
    return _say(text, params or {})


def messages(errors):
    """Field errors ({field: [messages]}, nested as the API nests them) in the user's language."""
    if isinstance(errors, dict):
        return {key: messages(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [messages(value) for value in errors]
    return message(errors) if isinstance(errors, str) else errors


def _say(template, params):
    """gettext of a template, its values (themselves messages) said in the same language."""
    values = {key: message(value) if isinstance(value, str) and hasattr(value, "template") else value
              for key, value in params.items()}
    return gettext(template, **values) if values else gettext(template)


def _english():
    locale = get_locale()
    return locale is not None and locale.language == "en"


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
