"""The weekly chain-break report (周调度, article 10), by use case.

- :mod:`.weeks`: ISO week labels, their Mondays, which week a run is for;
- :mod:`.write`: detection over the stored network and the one transaction that stores a report;
- :mod:`.read`: stored reports read in the reader's jurisdiction (the report file, break lists, summaries);
- :mod:`.inbox`: what a home page and a firm's breaks page read (counts, assigned, escalated to us, own breaks);
- :mod:`.paged`: a stored report's open breaks a page (or a row) at a time, and their counts, in SQL;
- :mod:`.workflow`: assign, escalate and close a break (交办、升级、销号), and its history;
- :mod:`.scenario`: what-if, the breaks a stopped firm or a high-risk county would cause;
- :mod:`.export`: the report as a JSON file or an .xlsx workbook;
- :mod:`.commitments`: the article-10 parts, overdue commitments and the leading firms' scorecards.

Callers use the package: ``from matchmaker.services import reports; reports.write_weekly_report()``.
Pages build their view-models from these reads in :mod:`matchmaker.web.report_views`.
"""
from matchmaker.services.reports.commitments import *  # noqa: F401,F403
from matchmaker.services.reports.export import *  # noqa: F401,F403
from matchmaker.services.reports.inbox import *  # noqa: F401,F403
from matchmaker.services.reports.paged import *  # noqa: F401,F403
from matchmaker.services.reports.read import *  # noqa: F401,F403
from matchmaker.services.reports.scenario import *  # noqa: F401,F403
from matchmaker.services.reports.weeks import *  # noqa: F401,F403
from matchmaker.services.reports.workflow import *  # noqa: F401,F403
from matchmaker.services.reports.write import *  # noqa: F401,F403
from matchmaker.services.reports import commitments, export, inbox, paged, read, scenario, weeks, workflow, write

__all__ = [*weeks.__all__, *write.__all__, *read.__all__, *paged.__all__, *workflow.__all__, *scenario.__all__,
           *export.__all__, *commitments.__all__, *inbox.__all__]
