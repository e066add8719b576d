"""Server-rendered pages (Jinja in the top-level templates/), thin views over the services."""
import importlib

from matchmaker.web import helpers

MODULES = (
    "auth",
    "home",
    "firm",
    "firm_links",  # supply links and the requests awaiting confirmation
    "firm_ledger",  # a link's article-10 ledger: orders, deliveries, payments
    "taskforce",
    "taskforce_article10",  # the leading firms' article-10 scorecards
    "taskforce_monitoring",  # risk zones (article 2) and resumption monitoring (article 13)
    "agenda",  # the dispatch meeting's agenda, meeting mode and handouts
    "admin",
    "report_print",  # printable weekly report (chain-break report)
    "help",  # help offers and help matched to SMEs (article 10)
    "inbox",  # notifications: the inbox, mark read, e-mail settings
)


def register_web(app):
    """Register every page blueprint, the template filters and the login redirect."""
    helpers.init_templates(app)
    for name in MODULES:
        app.register_blueprint(importlib.import_module(f"matchmaker.web.{name}").bp)
