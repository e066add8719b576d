"""The service's idea of today: the calendar date in the configured time zone.

`MATCHMAKER_TODAY` (ISO date) pins it, for a demo or a training session replaying a past week
(the shipped demo is dated 2020-03-16); unset, it is the real date in `MATCHMAKER_TIMEZONE`.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def zone():
    """The service's time zone."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Shanghai")


def today() -> date:
    """Today for the service: the pinned MATCHMAKER_TODAY, else the date in the service's zone."""
    pinned = current_app.config.get("TODAY") if has_app_context() else None
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(str(pinned))
    return datetime.now(zone()).date()
