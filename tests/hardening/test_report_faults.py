"""The weekly report under faults and races, with real processes: a report killed with SIGKILL
mid-way leaves the previous state; two `matchmaker report weekly` commands, or two scheduler
job runs, at the same moment leave exactly one report for the week."""
import json
import signal

import pytest

from tests.hardening import helpers

# Pause points (matchmaker/infra/faults.py): long enough to kill the process inside its transaction,
# or for a rival process started at the same moment to reach the week's lock and wait on it.
PAUSE_LONG = "report.before_commit:120"
PAUSE_SHORT = "report.before_commit:3"
REPORT_TABLES = ("weekly_report", "chain_break", "break_event", "report_guard")
STATE = {
    "reports": "SELECT week, as_of, runs FROM weekly_report ORDER BY week",
    "breaks": "SELECT r.week, b.key, b.weeks_open, b.status, b.level FROM chain_break b "
              "JOIN weekly_report r ON r.id = b.report_id ORDER BY r.week, b.key",
    "guards": "SELECT week, runs FROM report_guard ORDER BY week",
}


def _state(url):
    return {name: helpers.snapshot(url, q) for name, q in STATE.items()}


@pytest.fixture(scope="module")
def package_file(tmp_path_factory):
    """A package big enough that a weekly report takes seconds (thousands of breaks)."""
    path = tmp_path_factory.mktemp("report") / "chain.json"
    path.write_text(json.dumps(helpers.big_package(firms=800, needs=5000, offers=4000, links=800),
                               ensure_ascii=False), encoding="utf-8")
    return path


def _loaded(url, package_file):
    helpers.run_cli(url, "db", "upgrade")
    helpers.run_cli(url, "import", "--no-progress", str(package_file))


@pytest.fixture(scope="module")
def pg_url(package_file):
    """One loaded PostgreSQL database for this module's tests (each uses its own weeks)."""
    if not helpers.PG_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL")
    with helpers.temp_pg_database("reports") as url:
        _loaded(url, package_file)
        yield url


def _kill_report_midway(url):
    helpers.run_cli(url, "report", "weekly", "--week", "2020-W10")
    before = _state(url)
    assert before["reports"] and len(before["breaks"]) > 100
    for week in ("2020-W11", "2020-W10"):  # a new week, and a re-run of the stored one
        # The process pauses after writing every row and before committing (matchmaker.infra.faults), so
        # the kill lands inside the write transaction however fast the machine is.
        proc = helpers.start_cli(url, "report", "weekly", "--week", week, MATCHMAKER_FAULT_PAUSE=PAUSE_LONG)
        rc = helpers.kill_when(proc, helpers.writing_to(url, "chain_break"))
        assert rc == -signal.SIGKILL, f"the report of {week} finished before it could be killed:\n{proc.stdout.read()}"
        assert _state(url) == before, f"a report killed mid-way ({week}) changed the stored state"
    # Positive control: run to completion, the new week is there and W10 still is.
    helpers.run_cli(url, "report", "weekly", "--week", "2020-W11")
    after = _state(url)
    assert {"2020-W10", "2020-W11"} <= {r[0] for r in after["reports"]}
    assert [b for b in after["breaks"] if b[0] == "2020-W10"] == before["breaks"]


@pytest.mark.slow
def test_report_killed_midway_leaves_the_previous_state_on_sqlite(tmp_path, package_file):
    url = f"sqlite:///{tmp_path / 'report.sqlite'}"
    _loaded(url, package_file)
    _kill_report_midway(url)


@pytest.mark.postgres
@pytest.mark.slow
def test_report_killed_midway_leaves_the_previous_state_on_postgres(pg_url):
    _kill_report_midway(pg_url)


def _run_pair(url, procs):
    """Wait for two processes started together; returns (outputs, whether one waited for the other's lock)."""
    contended = False
    while any(p.poll() is None for p in procs):
        contended = contended or helpers.waiting_for_lock(url)
    outputs = [p.communicate()[0] for p in procs]
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out
    return outputs, contended


@pytest.mark.postgres
@pytest.mark.slow
def test_two_report_commands_at_once_give_one_report(pg_url):
    url = pg_url
    procs = [helpers.start_cli(url, "report", "weekly", "--week", "2020-W12", MATCHMAKER_FAULT_PAUSE=PAUSE_SHORT)
             for _ in range(2)]
    outputs, contended = _run_pair(url, procs)
    assert contended, "the two runs never overlapped"
    reports = helpers.snapshot(url, "SELECT week, runs FROM weekly_report WHERE week = '2020-W12'")
    assert reports == [("2020-W12", 2)]  # one report, written twice (the second replaced the first)
    rows = helpers.snapshot(url, "SELECT b.key FROM chain_break b JOIN weekly_report r ON r.id = b.report_id "
                                 "WHERE r.week = '2020-W12'")
    assert len(rows) == len(set(rows)) > 0  # no break twice
    assert helpers.snapshot(url, "SELECT runs FROM report_guard WHERE week = '2020-W12'") == [(2,)]


_JOB = """
from matchmaker import create_app
from matchmaker.cli.scheduler import weekly_report_job
app = create_app()
week, written = weekly_report_job(app)
print("RESULT", week, written)
"""


@pytest.mark.postgres
@pytest.mark.slow
def test_two_scheduler_jobs_at_once_write_one_report(pg_url):
    url = pg_url
    procs = [helpers.start_python(url, _JOB, MATCHMAKER_FAULT_PAUSE=PAUSE_SHORT) for _ in range(2)]
    outputs, contended = _run_pair(url, procs)
    assert contended, "the two jobs never overlapped"
    results = sorted(line.split()[2] for out in outputs for line in out.splitlines() if line.startswith("RESULT"))
    assert results == ["False", "True"], outputs
    weeks = {line.split()[1] for out in outputs for line in out.splitlines() if line.startswith("RESULT")}
    assert len(weeks) == 1
    week = weeks.pop()
    reports = helpers.snapshot(url, f"SELECT week, runs FROM weekly_report WHERE week = '{week}'")
    assert reports == [(week, 1)]
