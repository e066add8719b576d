"""Browser tests: Playwright driving Debian's Chromium against a real server on 127.0.0.1.

Each test module gets one server (werkzeug in a thread) over its own SQLite file with CSRF on,
seeded with a small chain; screenshots go to artifacts/screenshots/. Skipped without Chromium.
"""
import os
import threading
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "correct horse 1"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    missing = sync_playwright is None or not os.access(CHROMIUM, os.X_OK)
    skip = pytest.mark.skip(reason=f"needs playwright and {CHROMIUM}")
    if os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "").startswith("postgresql"):
        # The live server runs on its own SQLite file either way; the SQLite pass already ran these.
        missing, skip = True, pytest.mark.skip(reason="browser tests run in the SQLite pass")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(skip)


def seed(db):
    """A small chain in Harbin: leading firm L1 with suppliers S2 (stopped) and S3; SME S1 with open capacity."""
    from tests import factories

    today = date.today()
    factories.region("230000", name="黑龙江省", lat=45.74, lon=126.66)
    factories.region("230100", name="哈尔滨市", lat=45.80, lon=126.53)
    factories.region("230102", name="道里区", lat=45.76, lon=126.61)
    factories.region("230103", name="南岗区", lat=45.75, lon=126.68)
    factories.category("C1", name="钢材", unit="t")
    factories.category("C2", name="零部件", unit="piece", inputs=("C1",))
    lead = factories.firm("L1", kind="leading", region_code="230102", name="哈尔滨龙头装备", industry="C",
                          park="哈尔滨经开区", capacity_utilization=0.8, workers_back=0.9)
    s1 = factories.firm("S1", kind="sme", region_code="230103", name="南岗精工", industry="C", park="哈尔滨经开区",
                        capacity_utilization=0.5, workers_back=0.7)
    s2 = factories.firm("S2", kind="sme", region_code="230102", name="道里钢构", industry="C", park="道里工业园",
                        operating=False, blockers=["labour", "transport"])
    s3 = factories.firm("S3", kind="sme", region_code="230102", name="道里零件", industry="C", park="道里工业园",
                        capacity_utilization=0.6, workers_back=0.8)
    factories.link(s2, lead, "C1", quantity_per_week=30, ref="LK1")
    factories.link(s3, lead, "C2", quantity_per_week=200, ref="LK2")
    factories.offer(s1, "C1", quantity=100, available_from=today, ref="OF1", delivery_radius_km=300,
                    help_wanted=["funds"])
    users = {
        "lead": factories.user("firm", lead, email="lead@example.cn"),
        "sme": factories.user("firm", s1, email="sme@example.cn"),
        "county": factories.user("staff", region_code="230102", email="county@example.cn"),
        "county2": factories.user("staff", region_code="230102", email="county2@example.cn"),
        "province": factories.user("staff", region_code="230000", email="province@example.cn"),
        "admin": factories.user("admin", email="admin@example.cn"),
    }
    db.session.commit()
    return {"users": {k: u.email for k, u in users.items()}, "today": today,
            "soon": today + timedelta(days=30)}


@contextmanager
def _live_app(tmp, prepare, **settings):
    """A real server on 127.0.0.1 over a temp-file SQLite database in *tmp*, with *settings* over
    TestConfig; *prepare()* runs in the app's context on the new database; yields (base_url, app,
    what prepare returned)."""
    from werkzeug.serving import make_server

    from matchmaker import create_app
    from matchmaker.infra.config import TestConfig
    from matchmaker.infra.extensions import db, limiter

    was_enabled = limiter.enabled
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'live.sqlite'}", WTF_CSRF_ENABLED=True,
                  RATELIMIT_ENABLED=False, TESTING=False, SECRET_KEY="browser-tests", **settings)
    app = create_app(config)
    app.instance_path = str(tmp / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        db.create_all()
        prepared = prepare()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app, prepared
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = was_enabled


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(base_url, app, world): a real server on 127.0.0.1 over a temp-file SQLite database."""
    from matchmaker.infra.extensions import db

    # the seed is dated from the real today
    with _live_app(tmp_path_factory.mktemp("live"), lambda: seed(db), IMPORT_IN_BACKGROUND=True, TODAY=None) as got:
        yield got


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory):
    """(base_url, app): a real server over a temp-file SQLite database holding the shipped demo and
    its 2020-W12 report, the service's day pinned to the demo's (TestConfig.TODAY, 2020-03-16)."""
    from matchmaker.infra.extensions import db
    from matchmaker.services import reports
    from matchmaker.services.demo import load_demo

    def prepare():
        load_demo()
        db.session.commit()
        reports.write_weekly_report("2020-W12")

    with _live_app(tmp_path_factory.mktemp("demo-live"), prepare) as (base, app, _):
        yield base, app


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """new_page(width=1280) -> a page in a fresh browser context (own cookies).

    Script errors and console errors (a Content-Security-Policy violation is one) fail the test.
    """
    contexts = []
    errors = []

    def make(width=1280, height=900):
        ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                  locale="zh-CN")
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    # Expected HTTP errors (the 404 page, a 422 form) log "Failed to load resource"; anything else fails.
    errors = [e for e in errors if "Failed to load resource" not in e]
    assert not errors, errors


def sign_in(page, base, email, password=PASSWORD):
    """Sign in through the form."""
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def shot(page, name):
    """Save a full-page screenshot as an artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page):
    """True when the page is not wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@contextmanager
def in_app(app):
    """An app context on the live server's app (to run a service the way the scheduler would)."""
    with app.app_context():
        yield
