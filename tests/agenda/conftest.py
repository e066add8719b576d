"""Agenda test fixtures: the shipped demo with its 2020-W12 report."""
import pytest

from matchmaker.services import reports


@pytest.fixture
def demo(app, db):
    """The demo loaded and its 2020-W12 report written; the stored report."""
    from matchmaker.services.demo import load_demo

    load_demo()
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return reports.get_report("2020-W12")
