"""`matchmaker report weekly` as its own process ends once its report is committed and its output
flushed, without the interpreter's teardown of its heap (issue 14: ~0.4 s of a province's run),
yet as a normal exit does otherwise: status 0, the summary printed, the file whole, the atexit
functions run. Under a test runner (in-process) the command returns as any other."""
import os
import subprocess
import sys

import pytest

from matchmaker import create_app
from tests import factories as f

PROBE = """
import atexit, os, sys
class Torn:
    def __del__(self):
        os.write(1, b"TORN DOWN\\n")
KEEP = Torn()
atexit.register(lambda: print("ATEXIT RAN", flush=True))
from matchmaker.cli import main
sys.argv = ["matchmaker"] + sys.argv[1:]
main()
"""


@pytest.fixture
def province_db(tmp_path):
    """A file database (the subprocess cannot see the tests' in-memory one) with one break."""
    from matchmaker.infra.extensions import db

    url = "sqlite:///" + str(tmp_path / "cli.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.create_all()
        b = f.firm("B", kind="leading", region_code="230102")
        s = f.firm("S", region_code="230102", operating=False, blockers=["labour"])
        f.link(s, b, "C1", 40.0)
        db.session.commit()
        db.engine.dispose()
    return app, url


def _run(url, *args):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
    env.pop("MATCHMAKER_REDIS_URL", None)
    return subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_command_ends_its_process_without_tearing_it_down(province_db, tmp_path):
    from matchmaker.infra.extensions import db
    from matchmaker.services import reports

    app, url = province_db
    out = tmp_path / "w12.json"
    done = _run(url, "report", "weekly", "--week", "2020-W12", "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"2020-W12 (as of 2020-03-16): 1 open breaks, 0 resolved; written to {out}"
    assert "ATEXIT RAN" in lines and "TORN DOWN" not in lines  # the atexit functions, not the teardown
    with app.app_context():
        assert reports.report_exists("2020-W12")  # committed
        reports.export_report(None, "2020-W12", tmp_path / "again.json")
        assert out.read_bytes() == (tmp_path / "again.json").read_bytes()  # the file whole
        db.engine.dispose()
    book = tmp_path / "w12.xlsx"  # a workbook too is whole when the process ends
    done = _run(url, "report", "weekly", "--week", "2020-W12", "--out", str(book))
    assert done.returncode == 0 and "TORN DOWN" not in done.stdout.splitlines(), done.stderr
    from openpyxl import load_workbook

    assert load_workbook(book)["断链清单"].max_row == 2  # the header and the one break
    # the probe sees a teardown when there is one: a failing command exits the usual way
    failed = _run(url, "report", "weekly", "--week", "2020-12")
    assert failed.returncode != 0 and "TORN DOWN" in failed.stdout.splitlines()


def test_under_a_test_runner_the_command_returns(db, runner, tmp_path):
    from matchmaker.cli import reports as command

    assert not command._own_process()
    b = f.firm("B", kind="leading", region_code="230102")
    f.link(f.firm("S", operating=False), b, "C1", 40.0)
    db.session.commit()
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12"])
    assert result.exit_code == 0 and "open breaks" in result.output
