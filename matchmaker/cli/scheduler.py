"""`matchmaker scheduler`: its own process running the weekly report and the daily matching.

* the weekly report runs on ``REPORT_SCHEDULE`` (``MATCHMAKER_REPORT_SCHEDULE``, default
  ``"mon 08:00"``) and the matcher daily on ``MATCH_SCHEDULE`` (default ``"06:00"``), both in
  ``TIMEZONE`` (default Asia/Shanghai);
* a missed weekly run (machine down on Monday) runs when the scheduler starts: if this week's
  report is missing and its scheduled time has passed, it is written at once;
* two scheduler processes never write two reports for a week: the job writes only a missing
  report, under the week's guard row in the database (see services.reports.write);
* jobs are module-level functions that push an app context, the same service functions the
  CLI uses. Tests call the job functions and check the triggers; they never start a scheduler.
"""
import logging
import re
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from matchmaker.infra import clock
from matchmaker.services import matching, reports
from matchmaker.services.support.audit import acting_as

log = logging.getLogger("matchmaker.scheduler")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKLY = re.compile(r"^\s*([a-z]{3})\s+(\d{1,2}):(\d{2})\s*$", re.I)
_DAILY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class ScheduleError(ValueError):
    """A schedule setting that cannot be read."""


def parse_weekly(spec):
    """'mon 08:00' -> {'day_of_week': 'mon', 'hour': 8, 'minute': 0}."""
    m = _WEEKLY.match(spec or "")
    if not m or m.group(1).lower() not in DAYS or int(m.group(2)) > 23 or int(m.group(3)) > 59:
        raise ScheduleError(f"weekly schedule must look like 'mon 08:00', not {spec!r}")
    return {"day_of_week": m.group(1).lower(), "hour": int(m.group(2)), "minute": int(m.group(3))}


def parse_daily(spec):
    """'06:00' -> {'hour': 6, 'minute': 0}."""
    m = _DAILY.match(spec or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ScheduleError(f"daily schedule must look like '06:00', not {spec!r}")
    return {"hour": int(m.group(1)), "minute": int(m.group(2))}


def _zone(app):
    return clock.zone(app.config.get("TIMEZONE"))


def report_trigger(app):
    """The cron trigger of the weekly report."""
    return CronTrigger(timezone=_zone(app), **parse_weekly(app.config.get("REPORT_SCHEDULE", "mon 08:00")))


def matching_trigger(app):
    """The cron trigger of the daily matching run."""
    return CronTrigger(timezone=_zone(app), **parse_daily(app.config.get("MATCH_SCHEDULE", "06:00")))


def weekly_report_job(app):
    """Write this week's report unless it exists (safe to run from several processes)."""
    with app.app_context(), acting_as("scheduler"):
        report, written = reports.write_weekly_report(only_if_missing=True)
        log.info("weekly report %s %s", report.week, "written" if written else "already there")
        return report.week, written


def daily_matching_job(app):
    """Run the matcher."""
    with app.app_context(), acting_as("scheduler"):
        run = matching.run_matching(started_by="scheduler")
        log.info("matching run %s", getattr(run, "id", run))
        return run


def scheduled_time_this_week(app, now):
    """When this week's report was (or will be) due, as an aware datetime in the service zone."""
    when = parse_weekly(app.config.get("REPORT_SCHEDULE", "mon 08:00"))
    local = now.astimezone(_zone(app))
    monday = (local - timedelta(days=local.weekday())).date()
    day = monday + timedelta(days=DAYS.index(when["day_of_week"]))
    return datetime(day.year, day.month, day.day, when["hour"], when["minute"], tzinfo=_zone(app))


def catch_up(app, now=None):
    """On start: write this week's report if it is missing and its time has passed. Returns the week
    written, or None."""
    now = now or datetime.now(_zone(app))
    if now < scheduled_time_this_week(app, now):
        return None
    with app.app_context():
        week = reports.week_of(now.astimezone(_zone(app)).date())
        exists = reports.report_exists(week)
    if exists:
        return None
    week, written = weekly_report_job(app)
    return week if written else None


def build_scheduler(app, scheduler_class=BlockingScheduler):
    """A scheduler with the two jobs (not started)."""
    scheduler = scheduler_class(timezone=_zone(app))
    scheduler.add_job(weekly_report_job, report_trigger(app), args=[app], id="weekly_report",
                      coalesce=True, max_instances=1, misfire_grace_time=6 * 24 * 3600, replace_existing=True)
    scheduler.add_job(daily_matching_job, matching_trigger(app), args=[app], id="daily_matching",
                      coalesce=True, max_instances=1, misfire_grace_time=12 * 3600, replace_existing=True)
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler: the weekly report (default Monday 08:00 Asia/Shanghai) and daily matching."""
    app = current_app._get_current_object()
    try:
        scheduler = build_scheduler(app)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(level=logging.INFO)
    week = catch_up(app)
    if week:
        click.echo(f"caught up: wrote the missed report of {week}")
    click.echo("scheduler running; Ctrl+C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
