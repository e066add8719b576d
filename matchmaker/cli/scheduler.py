"""`matchmaker scheduler`: its own process running the weekly report and the daily matching.

* the weekly report runs on ``REPORT_SCHEDULE`` (``MATCHMAKER_REPORT_SCHEDULE``, default
  ``"mon 08:00"``) and the matcher daily on ``MATCH_SCHEDULE`` (default ``"06:00"``), both in
  ``TIMEZONE`` (default Asia/Shanghai);
* a missed weekly run (machine down on Monday) runs when the scheduler starts: if this week's
  report is missing and its scheduled time has passed, it is written at once;
* the scheduler only enqueues when a task queue is configured (``BROKER_URL`` or ``REDIS_URL``):
  the tasks ``matchmaker.weekly_report`` and ``matchmaker.run_matching`` (:mod:`matchmaker.tasks`)
  then run on a worker; without one the same tasks run here, in the scheduler's process;
* two schedulers (two machines) never write two reports for a week: the task writes only a
  missing report, under the week's guard row in the database (see services.reports.write), so
  both may fire and enqueue; the second task finds the report there. The daily matching run is
  claimed for the day in the shared cache (Redis: one scheduler queues it; without Redis each
  scheduler process runs its own, as one machine has one scheduler);
* jobs are module-level functions that push an app context. Tests call the job functions and
  check the triggers; they never start a scheduler.
"""
import logging
import re
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from matchmaker.infra import cache, clock, queue
from matchmaker.services import reports, risk_zones

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
    """Write this week's report unless it exists (safe from several processes and machines).
    Queued: returns the task id; in-process: (week, written)."""
    with app.app_context():
        job = queue.submit(queue.WEEKLY_REPORT)
        if job.queued:
            log.info("weekly report queued (task %s)", job.id)
            return job.id
        done = queue.value_of(job.value)
        log.info("weekly report %s %s", done["week"], "written" if done["written"] else "already there")
        return done["week"], done["written"]


def daily_matching_job(app):
    """Run the matcher as the scheduler. Queued: returns the task id; in-process: the run's id.
    With several schedulers on a shared cache (Redis) only the first to claim the day queues it:
    returns None in the others."""
    with app.app_context():
        day, shared = clock.today().isoformat(), cache.shared_cache()
        if shared.shared and not shared.add(f"scheduled-matching:{day}", "1", ttl=20 * 3600):
            log.info("matching run of %s already started by another scheduler", day)
            return None
        risk_zones.sync_current_risks()  # a county's risk dated today takes effect (article 2)
        job = queue.submit(queue.RUN_MATCHING, None, "scheduler")
        if job.queued:
            log.info("matching run queued (task %s)", job.id)
            return job.id
        run_id = queue.value_of(job.value)["run_id"]
        log.info("matching run %s", run_id)
        return run_id


def reminder_trigger(app):
    """The cron trigger of the daily commitment reminders (REMINDER_SCHEDULE, default 07:00)."""
    return CronTrigger(timezone=_zone(app), **parse_daily(app.config.get("REMINDER_SCHEDULE", "07:00")))


def mail_trigger(app):
    """The interval trigger of the e-mail sender (MAIL_SEND_INTERVAL seconds, default 60)."""
    return IntervalTrigger(seconds=max(5, int(app.config.get("MAIL_SEND_INTERVAL", 60))), timezone=_zone(app))


def commitment_reminders_job(app):
    """Tell buyers of the commitments due in three days and of those overdue (once each; the task
    ``matchmaker.commitment_reminders``). Queued: returns the task id; in-process: how many were told."""
    with app.app_context():
        job = queue.submit(queue.COMMITMENT_REMINDERS)
        if job.queued:
            return job.id
        told = queue.value_of(job.value)
        log.info("commitment reminders: %s told", told)
        return told


def send_mail_job(app):
    """Send the e-mail outbox (the task ``matchmaker.send_mail``; leases make several senders at once
    safe). Queued: returns the task id; in-process: {"sent", "failed", "batches"}."""
    with app.app_context():
        job = queue.submit(queue.SEND_MAIL)
        if job.queued:
            return job.id
        counts = queue.value_of(job.value)
        if counts["sent"] or counts["failed"]:
            log.info("mail: %(sent)s sent, %(failed)s failed", counts)
        return counts


def scheduled_time_this_week(app, now):
    """When this week's report was (or will be) due, as an aware datetime in the service zone."""
    when = parse_weekly(app.config.get("REPORT_SCHEDULE", "mon 08:00"))
    local = now.astimezone(_zone(app))
    monday = (local - timedelta(days=local.weekday())).date()
    day = monday + timedelta(days=DAYS.index(when["day_of_week"]))
    return datetime(day.year, day.month, day.day, when["hour"], when["minute"], tzinfo=_zone(app))


def catch_up(app, now=None):
    """On start: write this week's report if it is missing and its time has passed. Returns the week
    written (or queued), or None."""
    now = now or datetime.now(_zone(app))
    if now < scheduled_time_this_week(app, now):
        return None
    with app.app_context():
        week = reports.week_of(now.astimezone(_zone(app)).date())
        exists = reports.report_exists(week)
    if exists:
        return None
    outcome = weekly_report_job(app)
    if isinstance(outcome, tuple):  # written here
        return week if outcome[1] else None
    return week  # queued: a worker writes it (unless another scheduler's task did first)


def build_scheduler(app, scheduler_class=BlockingScheduler):
    """A scheduler with its jobs (not started): the weekly report, daily matching, the daily
    commitment reminders and the e-mail sender."""
    scheduler = scheduler_class(timezone=_zone(app))
    scheduler.add_job(weekly_report_job, report_trigger(app), args=[app], id="weekly_report",
                      coalesce=True, max_instances=1, misfire_grace_time=6 * 24 * 3600, replace_existing=True)
    scheduler.add_job(daily_matching_job, matching_trigger(app), args=[app], id="daily_matching",
                      coalesce=True, max_instances=1, misfire_grace_time=12 * 3600, replace_existing=True)
    scheduler.add_job(commitment_reminders_job, reminder_trigger(app), args=[app], id="commitment_reminders",
                      coalesce=True, max_instances=1, misfire_grace_time=12 * 3600, replace_existing=True)
    scheduler.add_job(send_mail_job, mail_trigger(app), args=[app], id="send_mail",
                      coalesce=True, max_instances=1, replace_existing=True)
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
        click.echo(f"caught up: the missed report of {week} " + ("queued" if queue.enabled() else "written"))
    click.echo("scheduler running; Ctrl+C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
