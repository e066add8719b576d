"""Scheduler: triggers from configuration, the job functions and catch-up; no scheduler is started."""
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from matchmaker.cli import scheduler as sched
from matchmaker.models.report import WeeklyReport
from matchmaker.services import reports
from matchmaker.services.reports import weeks

SH = ZoneInfo("Asia/Shanghai")


def test_schedule_settings_are_parsed_and_checked():
    assert sched.parse_weekly("mon 08:00") == {"day_of_week": "mon", "hour": 8, "minute": 0}
    assert sched.parse_weekly("Fri 17:45") == {"day_of_week": "fri", "hour": 17, "minute": 45}
    assert sched.parse_daily("06:30") == {"hour": 6, "minute": 30}
    for bad in ("monday 8", "xyz 08:00", "mon 25:00", ""):
        with pytest.raises(sched.ScheduleError):
            sched.parse_weekly(bad)
    with pytest.raises(sched.ScheduleError):
        sched.parse_daily("6h")


def test_default_trigger_is_monday_0800_shanghai(app):
    now = datetime(2020, 3, 16, 7, 59, tzinfo=SH)  # a Monday, a minute early
    trigger = sched.report_trigger(app)
    assert trigger.get_next_fire_time(None, now) == datetime(2020, 3, 16, 8, 0, tzinfo=SH)
    after = datetime(2020, 3, 16, 8, 1, tzinfo=SH)
    assert trigger.get_next_fire_time(None, after) == datetime(2020, 3, 23, 8, 0, tzinfo=SH)


def test_trigger_follows_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_SCHEDULE", "tue 09:30")
    monkeypatch.setitem(app.config, "MATCH_SCHEDULE", "05:15")
    monkeypatch.setitem(app.config, "TIMEZONE", "UTC")
    now = datetime(2020, 3, 16, 0, 0, tzinfo=ZoneInfo("UTC"))
    assert sched.report_trigger(app).get_next_fire_time(None, now) == datetime(2020, 3, 17, 9, 30, tzinfo=ZoneInfo("UTC"))
    assert sched.matching_trigger(app).get_next_fire_time(None, now) == datetime(2020, 3, 16, 5, 15, tzinfo=ZoneInfo("UTC"))


def test_build_scheduler_registers_its_jobs_without_starting(app):
    s = sched.build_scheduler(app, BackgroundScheduler)
    try:
        assert sorted(job.id for job in s.get_jobs()) == ["commitment_reminders", "daily_matching", "send_mail",
                                                          "weekly_report"]
        assert not s.running
        job = s.get_job("weekly_report")
        assert job.max_instances == 1 and job.coalesce
    finally:
        s.remove_all_jobs()


def test_weekly_job_writes_the_report_once(app, db):
    week, written = sched.weekly_report_job(app)
    assert written and week == reports.week_of(reports.today())
    week2, written2 = sched.weekly_report_job(app)
    assert (week2, written2) == (week, False)
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 1


def test_catch_up_runs_a_missed_report_only_after_its_time(app, db, monkeypatch):
    monkeypatch.setattr(weeks, "today", lambda: datetime(2020, 3, 18, tzinfo=SH).date())
    assert sched.catch_up(app, now=datetime(2020, 3, 16, 7, 0, tzinfo=SH)) is None  # not yet due
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 0
    assert sched.catch_up(app, now=datetime(2020, 3, 18, 10, 0, tzinfo=SH)) == "2020-W12"
    assert sched.catch_up(app, now=datetime(2020, 3, 18, 11, 0, tzinfo=SH)) is None  # already there
    db.session.expire_all()
    assert db.session.scalars(sa.select(WeeklyReport.week)).all() == ["2020-W12"]
    assert db.session.scalar(sa.select(WeeklyReport.as_of)).isoformat() == "2020-03-16"


def test_daily_matching_job_runs_the_matcher(app, db, monkeypatch):
    from matchmaker.services import matching

    calls = []
    monkeypatch.setattr(matching, "run_matching",
                        lambda as_of, **kw: calls.append((as_of, kw["started_by"])) or SimpleNamespace(id=7, pairings_count=0))
    assert sched.daily_matching_job(app) == 7  # no broker configured: the task ran here
    assert calls == [(None, "scheduler")]


def test_mail_and_reminder_jobs(app, db, monkeypatch):
    """The sender job sends the outbox with the addressee's language; the reminders job runs daily."""
    from matchmaker.services import notifications

    seen = {}

    def fake_send(render, *a, **kw):
        from types import SimpleNamespace

        seen["mail"] = render(SimpleNamespace(locale="en", kind="report_ready", params={"week": "2020-W12"},
                                              url="/taskforce/report?week=2020-W12"))
        return {"sent": 1, "failed": 0, "batches": 1}

    monkeypatch.setattr(notifications, "send_outbox", fake_send)
    app.config["MAIL_BASE_URL"] = "https://mm.example.cn"
    try:
        assert sched.send_mail_job(app)["sent"] == 1
    finally:
        app.config["MAIL_BASE_URL"] = ""
    subject, body = seen["mail"]
    assert subject == "[Hand in hand] The weekly report is ready"
    assert "https://mm.example.cn/taskforce/report?week=2020-W12" in body
    monkeypatch.setattr(notifications, "commitment_reminders", lambda: 3)
    assert sched.commitment_reminders_job(app) == 3
    now = datetime(2020, 3, 16, 0, 0, tzinfo=ZoneInfo("UTC"))
    assert sched.reminder_trigger(app).get_next_fire_time(None, now).astimezone(ZoneInfo("Asia/Shanghai")).hour == 7
