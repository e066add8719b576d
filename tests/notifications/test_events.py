"""Who is told what (issue 13, item 7): proposals arrived, the other side's answer, a link formed,
commitments due in three days and overdue, the weekly report, an item assigned; once each; in the
transaction of the event (a refused event tells nobody)."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Notification, OutboxMail, Pairing
from matchmaker.services import ledger, matching, notifications
from matchmaker.services.support.errors import Conflict
from tests import factories


def _told(user, kind=None):
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def _mails(user, kind):
    return db.session.scalars(sa.select(OutboxMail).where(OutboxMail.to_address == user.email,
                                                          OutboxMail.kind == kind)).all()


@pytest.fixture
def proposed(people, app):
    """A need of L1 and an offer of S1, and a matching run that proposed them."""
    factories.need(people["lead"], "C1", quantity=40, needed_by=date(2020, 4, 13), ref="N1", terms=["pay_first"])
    factories.offer(people["sme"], "C1", quantity=60, available_from=date(2020, 3, 1), ref="O1")
    db.session.commit()
    run = matching.run_matching(as_of=date(2020, 3, 16), started_by="test")
    pairing = db.session.scalar(sa.select(Pairing).where(Pairing.run_id == run.id))
    return run, pairing


def test_a_run_tells_each_side_once_how_many_proposals_arrived(people, proposed):
    u = people["users"]
    for who in ("lead", "sme"):
        told = _told(u[who], "proposal_arrived")
        assert len(told) == 1 and told[0].params == {"n": 1} and told[0].url == "/firm/proposals?state=waiting"
        assert len(_mails(u[who], "proposal_arrived")) == 1  # and by e-mail, in the same commit
    assert not _told(u["other"]) and not _told(u["county"])


@pytest.mark.parametrize("named", [500, 1])
def test_the_users_of_many_firms_are_those_of_few(people, monkeypatch, named):
    """Past _FIRMS_NAMED firms their users are picked out of every firm user (no IN list of
    thousands): the same active users of the firms asked for, none of another firm, no staff."""
    from matchmaker.services.notifications import events

    monkeypatch.setattr(events, "_FIRMS_NAMED", named)
    u = people["users"]
    idle = factories.user("firm", people["lead"], email="idle@example.cn")
    idle.active = False
    db.session.commit()
    lead, sme = people["lead"].id, people["sme"].id
    got = events._firm_users([lead, sme, 999999])
    assert {k: [x.email for x in v] for k, v in got.items()} == {
        lead: [u["lead"].email], sme: [u["sme"].email], 999999: []}


def test_the_other_side_hears_the_answer_and_both_hear_the_link(people, proposed):
    _run, pairing = proposed
    u = people["users"]
    matching.accept_pairing(u["lead"], pairing.id)
    answered = _told(u["sme"], "proposal_answered")
    assert len(answered) == 1 and answered[0].params["decision"] == "accepted"
    assert not _told(u["lead"], "proposal_answered")  # nobody is told of their own answer
    matching.accept_pairing(u["sme"], pairing.id)
    assert len(_told(u["lead"], "proposal_answered")) == 1
    for who in ("lead", "sme"):
        formed = _told(u[who], "link_formed")
        assert len(formed) == 1 and formed[0].url.startswith("/firm/links/")
    assert not _told(u["other"], "link_formed")


def test_a_decline_is_told_and_a_refused_answer_tells_nobody(people, proposed):
    _run, pairing = proposed
    u = people["users"]
    matching.decline_pairing(u["sme"], pairing.id)
    assert _told(u["lead"], "proposal_answered")[0].params["decision"] == "declined"
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    with pytest.raises(Conflict):
        matching.accept_pairing(u["lead"], pairing.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before


def test_an_event_that_rolls_back_leaves_no_message(people, proposed, monkeypatch):
    """The outbox is written in the event's transaction: a failing commit takes the news with it."""
    _run, pairing = proposed
    u = people["users"]

    def broken_commit():
        raise RuntimeError("the database went away at commit")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        matching.accept_pairing(u["lead"], pairing.id)
    monkeypatch.undo()
    db.session.rollback()
    assert not _told(u["sme"], "proposal_answered") and not _mails(u["sme"], "proposal_answered")
    assert db.session.get(Pairing, pairing.id).buyer_accepted_at is None


def test_commitments_due_in_three_days_and_overdue_tell_the_buyer_once(people, app):
    u = people["users"]
    link = factories.link(people["sme"], people["lead"], "C1", ref="LP", terms=["pay_first"], since=date(2020, 3, 1))
    db.session.commit()
    app.config["TODAY"] = "2020-03-02"
    ledger.record_entry(u["sme"], "deliveries", {"link": "LP", "date": date(2020, 3, 2), "quantity": 5,
                                                 "amount": 1000.0})
    pay_days = ledger.commitment_periods()["pay_days"]
    due = date(2020, 3, 2) + timedelta(days=pay_days)
    notifications.commitment_reminders(due - timedelta(days=4))
    assert not _told(u["lead"])  # four days ahead: not yet
    notifications.commitment_reminders(due - timedelta(days=3))
    notifications.commitment_reminders(due - timedelta(days=3))  # the job runs twice: told once
    told = _told(u["lead"], "commitment_due")
    assert len(told) == 1 and told[0].params == {"term": "pay_first", "link": "LP", "due": due.isoformat()}
    assert not _told(u["sme"])
    notifications.commitment_reminders(due)  # the due day itself: not overdue yet
    assert not _told(u["lead"], "commitment_overdue")
    notifications.commitment_reminders(due + timedelta(days=1))
    notifications.commitment_reminders(due + timedelta(days=2))
    assert len(_told(u["lead"], "commitment_overdue")) == 1
    assert len(_mails(u["lead"], "commitment_overdue")) == 1


def test_a_paid_delivery_reminds_nobody(people, app):
    u = people["users"]
    factories.link(people["sme"], people["lead"], "C1", ref="LP", terms=["pay_first"], since=date(2020, 3, 1))
    db.session.commit()
    app.config["TODAY"] = "2020-03-03"
    ledger.record_entry(u["sme"], "deliveries", {"link": "LP", "date": date(2020, 3, 2), "quantity": 5,
                                                 "amount": 1000.0})
    ledger.record_entry(u["lead"], "payments", {"link": "LP", "date": date(2020, 3, 3), "amount": 1000.0})
    for day in range(20):
        notifications.commitment_reminders(date(2020, 3, 3) + timedelta(days=day))
    assert not _told(u["lead"])


def test_the_weekly_report_tells_the_task_force(people, app):
    from matchmaker.services import reports

    report, written = reports.write_weekly_report(as_of=date(2020, 3, 16))
    assert written
    u = people["users"]
    for who in ("county", "county2", "jilin", "admin"):
        assert [n.params for n in _told(u[who], "report_ready")] == [{"week": report.week}]
    assert not _told(u["lead"])


def test_the_assignment_hook_tells_the_assignee(people):
    u = people["users"]
    assert notifications.item_assigned(u["county"].id, "break:7", "道里区 钢材 断供", "escalated",
                                       "/taskforce/breaks/7", actor=u["admin"]) == 1
    db.session.commit()
    told = _told(u["county"], "item_assigned")
    assert len(told) == 1 and told[0].params["action"] == "escalated"
    assert notifications.item_assigned(u["county"].id, "break:7", "x", actor=u["county"]) == 0  # not of their own act
