"""The dispatch meeting's agenda (issue 12, items 2, 3 and 5), by use case.

- :mod:`.build`: a stored report's agenda (:func:`graphs.dispatch_agenda`), departments, a region's part;
- :mod:`.read`: a region's agenda of a week with owners, due dates, decisions; the one-page summary;
- :mod:`.meeting`: meeting mode's writes, decisions and their outcome;
- :mod:`.handouts`: the agenda as an .xlsx workbook, and the agenda's size per county.

Callers use the package: ``from matchmaker.services import agenda; agenda.region_agenda(actor)``.
"""
from matchmaker.services.agenda.build import *  # noqa: F401,F403
from matchmaker.services.agenda.read import *  # noqa: F401,F403
from matchmaker.services.agenda.meeting import *  # noqa: F401,F403
from matchmaker.services.agenda.handouts import *  # noqa: F401,F403
from matchmaker.services.agenda import build, handouts, meeting, read

__all__ = [*build.__all__, *read.__all__, *meeting.__all__, *handouts.__all__]
