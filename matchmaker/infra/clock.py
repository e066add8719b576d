"""The service's idea of today: the calendar date in the configured time zone.

`MATCHMAKER_TODAY` (ISO date) pins it, for a demo or a training session replaying a past week
(the shipped demo is dated 2020-03-16); unset, it is the real date in `MATCHMAKER_TIMEZONE`.
"""
from datetime import date, datetime, timezone
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


def now() -> datetime:
    """The service's clock, in UTC: the current time of day (in the service's zone) on the
    service's today (the real time when nothing is pinned). Stamps that sit beside the service's
    dates (a break's history) use it, so a replayed week does not read as years later."""
    real = datetime.now(zone())
    pinned = today()
    local = real if pinned == real.date() else datetime.combine(pinned, real.timetz())
    return local.astimezone(timezone.utc)
