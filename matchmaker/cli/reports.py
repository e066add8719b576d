"""`matchmaker report weekly`: compute and store the weekly report, optionally write it to a file.

Its own process ends as soon as the report is committed and what it prints is flushed
(:func:`_end_process`): the interpreter's teardown would free its ~10^6 objects one by one
(~0.4 s of a province's run) for nothing.
"""
import atexit
import os
import sys
import threading

import click
from flask.cli import with_appcontext

from matchmaker.infra.labels import report_vocabulary
from matchmaker.services import reports
from matchmaker.services.support.errors import DomainError


@click.group("report")
def report_group():
    """Weekly chain-break report (周调度)."""


@report_group.command("weekly")
@click.option("--week", help="ISO week, e.g. 2020-W12 (default: the current week).")
@click.option("--as-of", "as_of", help="Report date YYYY-MM-DD (default: the week's Monday).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.json or FILE.xlsx.")
@with_appcontext
def weekly_command(week, as_of, out):
    """Compute and store the weekly report; running it twice for a week replaces it."""
    if out and not out.lower().endswith((".json", ".xlsx")):
        raise click.UsageError("--out must end in .json or .xlsx")
    folder = os.path.dirname(os.path.abspath(out)) if out else None
    if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
        raise click.UsageError(f"--out: cannot write in {folder} (no such folder, or not writable)")
    json_out = out if out and out.lower().endswith(".json") else None

    def finish(report):
        """Once committed: the .xlsx file (streamed back), the summary, and the end of the process
        (the run's data is still held then: nothing is freed for nothing)."""
        # the summary is what was just computed (the file's counts are the same)
        done = {"week": report.week, "as_of": report.as_of.isoformat(), **report.stats}
        if out and json_out is None:
            done = reports.export_report(None, report.week, out, report_vocabulary())
        click.echo(f"{done['week']} (as of {done['as_of']}): {done['open_breaks']} open breaks, "
                   f"{done['resolved']} resolved" + (f"; written to {out}" if out else ""))
        _end_process()

    try:
        # a .json file is written from the rows just stored, an .xlsx one streams them back (issue 14)
        reports.write_weekly_report(week=week, as_of=as_of, out=json_out, then=finish)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    except OSError as exc:  # only the file is written outside the database: the report is committed
        raise click.ClickException(f"the report is stored, but {out} could not be written: "
                                   f"{exc.strerror or exc}") from None


def _own_process() -> bool:
    """Whether the command runs as its own process: under the console script's root command
    (`matchmaker` / `python -m matchmaker`), writing to the process's own stdout, with no other
    thread running (not a test runner's in-process invocation, nor anything that would wait)."""
    from matchmaker.cli import main

    ctx = click.get_current_context(silent=True)
    return (ctx is not None and ctx.find_root().command is main and sys.stdout is sys.__stdout__
            and sys.stderr is sys.__stderr__ and threading.active_count() == 1)


def _end_process() -> None:
    """End the command's own process with status 0 once the report is committed: the database
    connections closed, stdout and stderr flushed and the atexit functions run, as a normal exit
    does, but without the interpreter's teardown of the heap. Elsewhere (a test runner), nothing."""
    if not _own_process():
        return
    reports.close_connections()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

