"""Firms' contact person and phone (issue 13, item 8): the firm's own users set them; the firms it
has a link with and the task force of its region see them; nobody else (answered as absent)."""
import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Firm

CONTACT = {"contact_person": "王经理", "contact_phone": "0451-8888 6666"}


@pytest.fixture
def contacts(world):
    for key in ("own", "sister", "qiqihar", "jilin"):
        firm = db.session.get(Firm, world.firms[key])
        firm.contact_person, firm.contact_phone = f"{key} 联系人", "0451-8888 6666"
    db.session.commit()
    return world


@pytest.mark.parametrize("role,firm,seen", [
    ("firm_own", "own", True),            # its own
    ("firm_own", "sister", True),         # linked (F-OWN supplies F-SISTER)
    ("firm_other", "own", True),          # ... and the other way round
    ("firm_other", "qiqihar", True),      # linked both ways
    ("firm_own", "qiqihar", False),       # no link between them
    ("firm_own", "jilin", False),
    ("county_staff", "own", True),        # its county
    ("county_staff", "sister", False),    # the next county
    ("city_staff", "sister", True),       # the city holds both counties
    ("city_staff", "qiqihar", False),     # another city
    ("province_staff", "qiqihar", True),
    ("other_province_staff", "own", False),
    ("admin", "jilin", True),
])
def test_who_sees_a_firms_contact(client, contacts, as_role, role, firm, seen):
    resp = client.get(f"/api/v1/firms/{contacts.firms[firm]}/contact", headers=as_role(role))
    if seen:
        assert resp.status_code == 200 and resp.get_json() == {
            "firm": contacts.firm_refs[firm], "name": db.session.get(Firm, contacts.firms[firm]).name,
            "contact_person": f"{firm} 联系人", "contact_phone": "0451-8888 6666", "contact_email": None}
    else:
        absent = client.get("/api/v1/firms/999999/contact", headers=as_role(role))
        assert resp.status_code == absent.status_code == 404
        assert resp.get_json()["message"].replace(str(contacts.firms[firm]), "N") == \
            absent.get_json()["message"].replace("999999", "N")  # hidden exactly as absent


def test_anonymous_gets_nothing(client, contacts):
    assert client.get(f"/api/v1/firms/{contacts.firms['own']}/contact").status_code == 401


def test_the_firm_record_itself_does_not_carry_the_contact(client, contacts, as_role):
    body = client.get(f"/api/v1/firms/{contacts.firms['own']}", headers=as_role("county_staff")).get_json()
    assert "contact_person" not in body and "contact_phone" not in body


def test_a_firm_sets_its_own_contact_and_the_phone_is_checked(client, world, as_role):
    h = as_role("firm_own")
    url = f"/api/v1/firms/{world.firms['own']}/status"
    resp = client.put(url, json=CONTACT, headers=h)
    assert resp.status_code == 200, resp.get_json()
    firm = db.session.get(Firm, world.firms["own"])
    db.session.refresh(firm)
    assert (firm.contact_person, firm.contact_phone) == ("王经理", "0451-8888 6666")
    resp = client.put(url, json={"contact_phone": "call me"}, headers=h)
    assert resp.status_code == 422 and resp.get_json()["errors"] == {"contact_phone": ["不是电话号码"]}
    other = client.put(f"/api/v1/firms/{world.firms['sister']}/status", json=CONTACT, headers=h)
    assert other.status_code in (403, 404)
