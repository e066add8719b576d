"""Issue 11, finding 1: a firm could read another firm's supply chain by declaring a link to it,
change a link alone, and enumerate refs through 422-vs-201 and 409 answers.

Now a link another firm is party to takes effect only when that firm confirms it, a side's change
to a link waits for the other side, and an unknown ref gets the same answer as one the caller may
not see. Every test here fails on the code before the fix.
"""
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, User
from matchmaker.services import chainmap, links, reports
from matchmaker.services.auth import issue_token
from matchmaker.services.support import network
from tests import factories
from tests.hardening.conftest import bearer
from tests.services.world import actor, build_world

PASSWORD = "correct horse 1"


# --- the probe's exact case, on the demo data ------------------------------------------------------

@pytest.fixture
def demo(app):
    """The demo data; F0040 is the demo leading firm (a rail-car maker in Qiqihar), F0018 a firm in Suihua whose own
    supplier F0500 is down. A user for F0018 answers for it."""
    from matchmaker.services.demo import load_demo

    load_demo()
    db.session.commit()
    firm = lambda ref: db.session.scalar(sa.select(Firm).where(Firm.ref == ref))  # noqa: E731
    f18, f23 = firm("F0018"), firm("F0040")
    assert f18.region_code[:4] != f23.region_code[:4]  # another city
    leading = db.session.scalar(sa.select(User).where(User.firm_id == f23.id))
    f18_user = factories.user("firm", f18, email="f18@demo.example.cn", password=PASSWORD)
    db.session.commit()
    return {"f18": f18.id, "f23": f23.id, "leading": leading.id, "f18_user": f18_user.id,
            "h_leading": bearer(issue_token(leading)), "h_f18": bearer(issue_token(f18_user))}


def _user(user_id):
    return db.session.get(User, user_id)


def _chain_refs(demo):
    graph = chainmap.chain_map(_user(demo["leading"]), demo["f23"])
    return {n["ref"] for n in graph["nodes"]}, {(e["supplier"], e["buyer"]) for e in graph["edges"]}


def _breaks_through_f18(week):
    reports.write_weekly_report(week)
    return [b for b in reports.report_data(None, week)["breaks"]
            if b["buyer"] == "F0040" and "F0018" in b["path"]]


def test_a_declared_link_to_another_city_reveals_nothing_until_that_firm_confirms(app, client, demo):
    h_lead, h_18 = demo["h_leading"], demo["h_f18"]
    assert client.get(f"/api/v1/firms/{demo['f18']}", headers=h_lead).status_code == 404
    # IO016 is made from IO003, which F0018 buys from F0500 (down): a real link would carry that break
    resp = client.post("/api/v1/links", headers=h_lead, json={
        "supplier": "F0018", "buyer": "F0040", "category": "IO016", "quantity_per_week": 50})
    assert resp.status_code == 202, resp.get_json()
    asked = resp.get_json()
    assert (asked["status"], asked["awaiting"], asked["requested_by"], asked["link_id"]) == (
        "awaiting_confirmation", "F0018", "F0040", None)
    assert set(asked) >= {"supplier", "buyer", "category", "quantity_per_week"}
    assert not {"name", "supplier_name", "county", "region"} & set(asked)

    # not a link: not in the chain map (page and service), the graph records, the breaks, anyone's link list
    nodes, edges = _chain_refs(demo)
    assert not {"F0018", "F0500", "F0102", "F0103"} & nodes and ("F0018", "F0040") not in edges
    page = _signed_in(app, "leading@demo.example.cn").get("/firm/chain").get_data(as_text=True)
    assert "F0018" not in page and db.session.get(Firm, demo["f18"]).name not in page
    assert ("F0018", "F0040") not in {(lk.supplier, lk.buyer) for lk in network.load_links()}
    assert _breaks_through_f18("2020-W12") == []
    for h in (h_lead, h_18):
        assert client.get("/api/v1/links?firm=F0040&supplier=F0018", headers=h).get_json() == []
    assert db.session.scalar(sa.select(sa.func.count(Link.id)).where(
        Link.supplier_id == demo["f18"], Link.buyer_id == demo["f23"])) == 0

    # F0018 sees it awaiting its confirmation, in the API and on its links page
    incoming = client.get("/api/v1/link-requests?direction=incoming", headers=h_18).get_json()
    assert [(r["id"], r["requested_by"], r["status"]) for r in incoming] == [
        (asked["id"], "F0040", "awaiting_confirmation")]
    page = _signed_in(app, "f18@demo.example.cn").get("/firm/links").get_data(as_text=True)
    assert f'id="link-request-{asked["id"]}"' in page and "F0040" in page
    # the asking side cannot confirm for the other
    assert client.post(f"/api/v1/link-requests/{asked['id']}/confirm", headers=h_lead).status_code == 403

    # F0018 confirms: now it is a link, in the chain map and the breaks
    done = client.post(f"/api/v1/link-requests/{asked['id']}/confirm", headers=h_18)
    assert done.status_code == 200 and done.get_json()["status"] == "confirmed"
    link_id = done.get_json()["link_id"]
    assert client.get(f"/api/v1/links/{link_id}", headers=h_lead).get_json()["supplier"] == "F0018"
    nodes, edges = _chain_refs(demo)
    assert {"F0018", "F0500"} <= nodes and ("F0018", "F0040") in edges
    assert _breaks_through_f18("2020-W13")


def test_declining_leaves_nothing_and_the_page_buttons_work(app, demo):
    lead = _signed_in(app, "leading@demo.example.cn")
    resp = lead.post("/firm/links", data={"side": "buyer", "other": "F0018", "category": "IO016",
                                          "quantity_per_week": "50"})
    assert resp.status_code == 302
    req = links.list_link_requests(_user(demo["leading"]), {"direction": "outgoing"})[0][0]
    assert (req.awaiting_ref, req.supplier_ref, req.buyer_ref) == ("F0018", "F0018", "F0040")
    f18 = _signed_in(app, "f18@demo.example.cn")
    assert f18.post(f"/firm/links/requests/{req.id}/decline").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(req), req.id).status == "declined"
    assert "F0018" not in _chain_refs(demo)[0]
    page = lead.get("/firm/links").get_data(as_text=True)
    assert f'id="my-request-{req.id}"' in page


def _signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": _password(email)}).status_code == 302
    return client


def _password(email):
    if email.startswith("f18@"):
        return PASSWORD
    from matchmaker.services import demo as d

    return getattr(d, "DEMO_PASSWORD", None) or "demo-password"


# --- changes to a confirmed link need both sides ---------------------------------------------------

@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def h(world):
    cache = {}

    def headers(role):
        if role not in cache:
            cache[role] = bearer(issue_token(actor(world, role)))
        return cache[role]

    return headers


@pytest.mark.parametrize("change", [
    {"quantity_per_week": 99}, {"category": "C2"}, {"terms": ["pay_first"]},
    {"quantity_per_week": 99, "active": False},
])
def test_one_side_alone_cannot_change_a_link(client, world, h, change):
    url = f"/api/v1/links/{world.links['own']}"  # own -> sister, confirmed (made by the factory)
    before = client.get(url, headers=h("firm_own")).get_json()
    resp = client.patch(url, json=change, headers=h("firm_own"))
    assert resp.status_code == 202, resp.get_json()
    asked = resp.get_json()
    assert (asked["kind"], asked["awaiting"], asked["link_id"]) == ("change", "F-SISTER", world.links["own"])
    after = client.get(url, headers=h("firm_own")).get_json()
    assert after == before  # nothing took effect
    edge = {(lk.supplier, lk.buyer, lk.category): lk.quantity_per_week for lk in network.load_links()}
    assert edge[("F-OWN", "F-SISTER", "C1")] == 10.0
    # the other side confirms: now it is made
    mine = client.get("/api/v1/link-requests?direction=incoming", headers=h("firm_other")).get_json()
    assert [r["id"] for r in mine] == [asked["id"]]
    ok = client.post(f"/api/v1/link-requests/{asked['id']}/confirm", headers=h("firm_other"))
    assert ok.status_code == 200, ok.get_json()
    after = client.get(url, headers=h("firm_own")).get_json()
    expected = {("category" if k == "category" else k): v for k, v in change.items()}
    assert {k: after[k] for k in expected} == expected and after["version"] == before["version"] + 1


def test_deactivating_takes_one_side_and_reactivating_two(client, world, h):
    url = f"/api/v1/links/{world.links['own']}"
    resp = client.post(f"{url}/deactivate", headers=h("firm_other"))
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    resp = client.patch(url, json={"active": True}, headers=h("firm_own"))
    assert resp.status_code == 202
    assert client.get(url, headers=h("firm_own")).get_json()["active"] is False


def test_a_change_request_is_superseded_by_a_change_and_stale_ones_cannot_be_confirmed(client, world, h):
    url = f"/api/v1/links/{world.links['own']}"
    first = client.patch(url, json={"quantity_per_week": 20}, headers=h("firm_own")).get_json()
    # an admin's edit takes effect at once and supersedes what awaited
    resp = client.patch(url, json={"quantity_per_week": 30}, headers=h("admin"))
    assert resp.status_code == 200 and resp.get_json()["quantity_per_week"] == 30
    req = client.get(f"/api/v1/link-requests/{first['id']}", headers=h("firm_other")).get_json()
    assert req["status"] == "superseded"
    resp = client.post(f"/api/v1/link-requests/{first['id']}/confirm", headers=h("firm_other"))
    assert resp.status_code == 409
    assert client.get(url, headers=h("admin")).get_json()["quantity_per_week"] == 30
    # a change asked against a version the link has left behind (e.g. an import replaced it) is refused
    second = client.patch(url, json={"quantity_per_week": 40}, headers=h("firm_other")).get_json()
    db.session.execute(sa.update(Link).where(Link.id == world.links["own"]).values(
        quantity_per_week=35, version=Link.version + 1))
    db.session.commit()
    resp = client.post(f"/api/v1/link-requests/{second['id']}/confirm", headers=h("firm_own"))
    assert resp.status_code == 409 and "version" in resp.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Link, world.links["own"]).quantity_per_week == 35


def test_who_sees_and_answers_a_request(client, world, h):
    asked = client.post("/api/v1/links", headers=h("firm_own"), json={
        "supplier": "F-OWN", "buyer": "F-QQH", "category": "C1", "quantity_per_week": 3}).get_json()
    url = f"/api/v1/link-requests/{asked['id']}"
    seen = {role: client.get(url, headers=h(role)).status_code for role in (
        "firm_own", "firm_other", "county_staff", "city_staff", "province_staff", "other_province_staff", "admin")}
    # F-QQH (Qiqihar) has no user here; staff see it through either side's region
    assert seen == {"firm_own": 200, "firm_other": 404, "county_staff": 200, "city_staff": 200,
                    "province_staff": 200, "other_province_staff": 404, "admin": 200}
    assert client.post(f"{url}/confirm", headers=h("county_staff")).status_code == 403
    assert client.post(f"{url}/decline", headers=h("firm_own")).status_code == 403
    assert client.post(f"{url}/confirm", headers=h("firm_other")).status_code == 404
    resp = client.post(f"{url}/withdraw", headers=h("firm_own"))
    assert resp.status_code == 200 and resp.get_json()["status"] == "withdrawn"
    assert client.post(f"{url}/withdraw", headers=h("firm_own")).status_code == 200  # idempotent
    assert client.post(f"{url}/confirm", headers=h("admin")).status_code == 409


def test_links_from_an_admin_an_import_or_a_pairing_need_no_confirmation(client, world, h, tmp_path):
    resp = client.post("/api/v1/links", headers=h("admin"), json={
        "supplier": "F-QQH", "buyer": "F-JL", "category": "C1", "quantity_per_week": 4})
    assert resp.status_code == 201 and resp.get_json()["ref"]
    import json

    from matchmaker.services.packages import import_package

    pkg = tmp_path / "p.json"
    pkg.write_text(json.dumps({"links": [{"ref": "L-imp", "supplier": "F-JL", "buyer": "F-SISTER",
                                          "category": "C1", "quantity_per_week": 2}]}), encoding="utf-8")
    import_package(str(pkg), reference=False)
    # a pairing both sides accepted: sister's need, own's offer
    from matchmaker.models.pairing import MatchRun, Pairing
    from matchmaker.services import matching

    run = MatchRun(as_of=date(2020, 3, 2), weights={}, timings={}, objective={})
    db.session.add(run)
    db.session.flush()
    pairing = Pairing(run_id=run.id, need_id=world.needs["sister"], offer_id=world.offers["own"], quantity=20,
                      unit_cost=1.0, reasons=[], status="proposed")
    db.session.add(pairing)
    db.session.commit()
    matching.accept_pairing(actor(world, "firm_other"), pairing.id)
    assert matching.accept_pairing(actor(world, "firm_own"), pairing.id).status == "active"
    pairs = {(lk.supplier, lk.buyer, lk.category) for lk in network.load_links()}
    assert {("F-QQH", "F-JL", "C1"), ("F-JL", "F-SISTER", "C1")} <= pairs
    own_to_sister = [lk.quantity_per_week for lk in network.load_links()
                     if (lk.supplier, lk.buyer) == ("F-OWN", "F-SISTER")]
    assert sum(own_to_sister) > 10  # the factory's 10 a week plus the pairing's
    assert links.list_link_requests(actor(world, "admin"))[1] == 0


# --- one answer for an unknown and an out-of-scope ref ---------------------------------------------

def _same(a, b, drop=("id", "created_at")):
    """Status and body equal, but for fields that differ by nature (a fresh id) and the ref typed."""
    def norm(resp, typed):
        body = resp.get_json()
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in drop}
        return resp.status_code, json_replace(body, typed)
    return norm(*a) == norm(*b)


def json_replace(value, typed):
    import json

    return json.loads(json.dumps(value).replace(typed, "<ref>"))


@pytest.mark.parametrize("role", ["firm_own", "county_staff", "anonymous"])
def test_a_link_to_an_unknown_firm_and_to_one_out_of_scope_get_the_same_answer(client, world, h, role):
    headers = {} if role == "anonymous" else h(role)
    answers = []
    for other in ("F-JL", "F-NOPE"):  # Jilin is out of every Heilongjiang user's scope; F-NOPE does not exist
        for side in ("buyer", "supplier"):
            body = {"supplier": "F-OWN", "buyer": "F-OWN", "category": "C1", "quantity_per_week": 5, side: other}
            answers.append((client.post("/api/v1/links", json=body, headers=headers), other))
    assert _same(answers[0], answers[2]) and _same(answers[1], answers[3])
    if role == "firm_own":
        assert answers[0][0].status_code == 202


@pytest.mark.parametrize("path,taken,body", [
    ("/api/v1/links", "L-jilin", {"supplier": "F-OWN", "buyer": "F-SISTER", "category": "C1", "quantity_per_week": 5}),
    ("/api/v1/needs", "N-jilin", {"category": "C1", "quantity": 10, "needed_by": "2020-05-01"}),
    ("/api/v1/offers", "O-jilin", {"category": "C1", "quantity": 10, "available_from": "2020-03-01"}),
])
def test_a_taken_ref_the_caller_cannot_see_answers_like_a_free_one(client, world, h, path, taken, body):
    answers = [(client.post(path, json={**body, "ref": ref}, headers=h("firm_own")), ref)
               for ref in (taken, taken + "-free")]
    assert _same(*answers)
    assert answers[0][0].status_code == 422 and list(answers[0][0].get_json()["errors"]) == ["ref"]
    # without a ref the service assigns one
    assert client.post(path, json=body, headers=h("firm_own")).status_code in (201, 202)


@pytest.mark.parametrize("path,field", [("/api/v1/needs", "firm"), ("/api/v1/offers", "firm")])
def test_posting_for_an_unknown_or_an_invisible_firm_answers_alike(client, world, h, path, field):
    body = {"category": "C1", "quantity": 10, "needed_by": "2020-05-01"} if "needs" in path else \
        {"category": "C1", "quantity": 10, "available_from": "2020-03-01"}
    answers = [(client.post(path, json={**body, field: ref}, headers=h("firm_own")), ref) for ref in ("F-JL", "F-NOPE")]
    assert _same(*answers) and answers[0][0].status_code == 403


@pytest.mark.parametrize("url", [
    "/api/v1/links?firm={ref}", "/api/v1/links?supplier={ref}", "/api/v1/link-requests?firm={ref}",
    "/api/v1/needs?firm={ref}", "/api/v1/offers?firm={ref}",
])
def test_list_filters_by_an_invisible_or_unknown_ref_answer_alike(client, world, h, url):
    answers = [(client.get(url.format(ref=ref), headers=h("firm_own")), ref) for ref in ("F-JL", "F-NOPE")]
    assert _same(*answers) and answers[0][0].get_json() == []


def test_a_request_to_an_unknown_and_to_a_real_firm_look_alike_to_the_asker(client, world, h):
    """What the asking firm can read of its requests afterwards does not tell them apart either."""
    made = []
    for other in ("F-JL", "F-NOPE"):
        made.append((client.post("/api/v1/links", headers=h("firm_own"), json={
            "supplier": other, "buyer": "F-OWN", "category": "C1", "quantity_per_week": 5}), other))
    assert _same(*made)
    for resp, other in made:
        again = client.get(f"/api/v1/link-requests/{resp.get_json()['id']}", headers=h("firm_own"))
        assert json_replace({k: v for k, v in again.get_json().items() if k not in ("id", "created_at")}, other) == \
            json_replace({k: v for k, v in made[0][0].get_json().items() if k not in ("id", "created_at")}, made[0][1])


@pytest.mark.postgres
def test_two_confirmations_at_once_make_one_link(app, world, h, monkeypatch):
    """The awaited firm and an admin confirm the same request at the same moment: one link, one 409."""
    import threading

    from matchmaker.services import postings
    from matchmaker.services.support.errors import Conflict

    asked = links.create_link(actor(world, "firm_own"), {
        "supplier": "F-OWN", "buyer": "F-SISTER", "category": "C2", "quantity_per_week": 3})
    request_id = asked.id
    barrier = threading.Barrier(2, timeout=20)
    real_new_ref = postings.new_ref

    def new_ref_then_wait(model, prefix):  # both have found the request awaiting before either writes
        ref = real_new_ref(model, prefix)
        barrier.wait()
        return ref

    monkeypatch.setattr(postings, "new_ref", new_ref_then_wait)
    outcomes = {}

    def confirm(role):
        with app.app_context():
            try:
                links.confirm_link_request(actor(world, role), request_id)
                outcomes[role] = "ok"
            except Conflict:
                outcomes[role] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(role,)) for role in ("firm_other", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    db.session.expire_all()
    made = sa.select(sa.func.count(Link.id)).where(
        Link.supplier_id == world.firms["own"], Link.buyer_id == world.firms["sister"], Link.category_code == "C2")
    assert db.session.scalar(made) == 1
