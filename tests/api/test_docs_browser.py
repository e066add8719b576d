"""The API docs page renders in Chromium from the product's own files, under the CSP, with no
request leaving the machine and no console error. Skipped without Playwright and Chromium."""
import os
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None or not os.access(CHROMIUM, os.X_OK),
                       reason=f"needs playwright and {CHROMIUM}"),
    pytest.mark.skipif(os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="browser tests run in the SQLite pass"),
]


def test_swagger_ui_renders_offline(tmp_path):
    from werkzeug.serving import make_server

    from matchmaker import create_app
    from matchmaker.infra.config import TestConfig
    from matchmaker.infra.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'docs.sqlite'}"})
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems, foreign = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((base, "data:")) else None)
            page.goto(f"{base}/api/v1/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            title = page.inner_text(".swagger-ui .info .title")
            operations = page.locator(".opblock").count()
            authorize = page.locator(".btn.authorize").count()
            browser.close()
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()
    assert app.config["API_TITLE"] in title
    assert operations >= 20 and authorize == 1       # every tag expanded; bearerAuth offered
    assert problems == [] and foreign == []
