"""The service's idea of today: the calendar date in the configured time zone.

`MATCHMAKER_TODAY` (ISO date) pins it, for a demo or a training session replaying a past week
(the shipped demo is dated 2020-03-16); unset, it is the real date in `MATCHMAKER_TIMEZONE`.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from matchmaker.infra.config import DEFAULT_TIMEZONE
from matchmaker.infra.settings import setting


def zone(name=None) -> ZoneInfo:
    """The service's time zone: `name` if given, else the configured TIMEZONE, else the default."""
    return ZoneInfo(name or setting("TIMEZONE") or DEFAULT_TIMEZONE)


def today() -> date:
    """Today for the service: the pinned MATCHMAKER_TODAY, else the date in the service's zone."""
    pinned = setting("TODAY")
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(str(pinned))
    return datetime.now(zone()).date()
