"""ISO weeks of the weekly report: labels (2020-W12), their Mondays, and which week a run is for."""
import re
from datetime import date, datetime, time, timedelta, timezone

from matchmaker.infra.clock import today, zone
from matchmaker.services.support.errors import Invalid

__all__ = ["week_of", "week_monday", "week_window", "resolve_week", "today"]

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(day: date) -> str:
    """ISO week label of a date, e.g. 2020-W12."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def week_monday(week: str) -> date:
    """The Monday of an ISO week label; Invalid when the label is malformed."""
    m = WEEK_RE.match(week or "")
    if not m:
        raise Invalid("week must look like 2020-W12, not %(week)r", {"week": ["format YYYY-Www"]}, week=week)
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise Invalid("no such ISO week: %(week)s", {"week": ["no such ISO week"]}, week=week) from None


def week_window(week: str) -> tuple[datetime, datetime]:
    """The week as a UTC interval [start, end): Monday 00:00 to the next Monday in the service's zone."""
    start = datetime.combine(week_monday(week), time(0), tzinfo=zone()).astimezone(timezone.utc)
    return start, start + timedelta(days=7)


def resolve_week(week: str | None = None, as_of: date | str | None = None) -> tuple[str, date]:
    """(week label, as_of date): the week's Monday unless as_of is given; the current week by default."""
    if isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of)
        except ValueError:
            raise Invalid("as_of must be a date YYYY-MM-DD, not %(as_of)r", {"as_of": ["not a date"]}, as_of=as_of) from None
    if week:
        monday = week_monday(week)
        return week, as_of or monday
    if as_of:
        return week_of(as_of), as_of
    day = today()
    return week_of(day), day - timedelta(days=day.weekday())
