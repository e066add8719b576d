"""The service's today: pinned by configuration, else the date in the service's time zone."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from matchmaker.infra import clock


def test_today_is_pinned_by_config(app):
    app.config["TODAY"] = "2020-03-16"
    try:
        assert clock.today() == date(2020, 3, 16)
    finally:
        app.config["TODAY"] = None


def test_today_follows_the_service_time_zone(app):
    app.config["TODAY"] = None  # not pinned (the tests' configuration pins the demo's day)
    app.config["TIMEZONE"] = "Pacific/Kiritimati"  # UTC+14: differs from UTC for 14 hours a day
    try:
        assert clock.today() == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    finally:
        app.config["TIMEZONE"] = "Asia/Shanghai"
