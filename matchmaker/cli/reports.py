"""`matchmaker report weekly`: compute and store the weekly report, optionally write it to a file."""
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
    try:
        if out and not out.lower().endswith((".json", ".xlsx")):
            raise click.UsageError("--out must end in .json or .xlsx")
        json_out = out if out and out.lower().endswith(".json") else None
        # a .json file is written from the rows just stored, an .xlsx one streams them back (issue 14)
        report, _ = reports.write_weekly_report(week=week, as_of=as_of, out=json_out)
        # the summary is what was just computed (the file's counts are the same)
        done = {"week": report.week, "as_of": report.as_of.isoformat(), **report.stats}
        if out and json_out is None:
            done = reports.export_report(None, report.week, out, report_vocabulary())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{done['week']} (as of {done['as_of']}): {done['open_breaks']} open breaks, "
               f"{done['resolved']} resolved" + (f"; written to {out}" if out else ""))

