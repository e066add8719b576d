"""Commands for data packages: `matchmaker import`, `export`, `demo` and `reference load`."""
import sys
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from matchmaker.packages.problems import PackageInvalid
from matchmaker.services.demo import DEMO_PASSWORD, load_demo
from matchmaker.services.packages import export_package, import_package
from matchmaker.services.reference_data import ensure_reference_data
from matchmaker.services.support.audit import acting_as
from matchmaker.services.support.errors import DomainError


@contextmanager
def _progress_bar(show, label):
    """A click progress bar fed by a service's progress(done, total) callback, or nothing."""
    if not show:
        yield None
        return
    state = {"bar": None, "done": 0}

    def progress(done, total):
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stdout)
            state["bar"].__enter__()
        state["bar"].update(max(0, done - state["done"]))
        state["done"] = done

    try:
        yield progress
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def _fail(exc):
    """Print a domain error (every package problem on its own line) and exit non-zero."""
    if isinstance(exc, PackageInvalid):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Error: {len(exc.problems)} error(s) in the package; nothing was imported "
                   f"(数据包有{len(exc.problems)}处错误，未导入任何数据)", err=True)
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)


@contextmanager
def _clean_errors(action):
    """Turn a missing schema, an unreadable file or an unwritable path into a message and exit 1."""
    try:
        yield
    except (DomainError, PackageInvalid) as exc:
        _fail(exc)
    except (OperationalError, ProgrammingError) as exc:
        click.echo(f"Error: {action} failed, the database is not ready ({str(exc.orig).splitlines()[0]}); "
                   "run `matchmaker db upgrade` first (数据库未就绪)", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Error: {action} failed: {exc}", err=True)
        sys.exit(1)


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when standard output is a terminal).")
@with_appcontext
def import_command(path, progress):
    """Import a data package (.json, .xlsx, a folder of .csv, or a .zip of them); all or nothing."""
    show = sys.stdout.isatty() if progress is None else progress
    with _clean_errors("import"), acting_as("cli import"), _progress_bar(show, "importing") as callback:
        result = import_package(path, progress=callback)
    click.echo(f"Imported {path}:")
    for line in result.lines() or ["no sections found: nothing to import (未找到任何表)"]:
        click.echo("  " + line)


@click.command("export")
@click.argument("path", type=click.Path())
@with_appcontext
def export_command(path):
    """Write everything stored as a data package (.json, .xlsx, or a folder for .csv files)."""
    try:
        with _clean_errors("export"):
            counts = export_package(path)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Exported to {path}:")
    for section, n in counts.items():
        click.echo(f"  {section}: {n}")


@click.command("demo")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when standard output is a terminal).")
@with_appcontext
def demo_command(progress):
    """Load the shipped demo data package (idempotent) and print the demo accounts."""
    show = sys.stdout.isatty() if progress is None else progress
    with _clean_errors("demo"), acting_as("cli demo"), _progress_bar(show, "loading demo") as callback:
        result, accounts = load_demo(progress=callback)
    click.echo("Demo data loaded (演示数据已加载):")
    for line in result.lines():
        click.echo("  " + line)
    click.echo(f"Demo accounts (演示账号), password for all (密码): {DEMO_PASSWORD}")
    for a in accounts:
        click.echo(f"  {a.email:<28} {a.role:<6} {a.where}  ({a.name})")


@click.group("reference")
def reference_group():
    """Reference data shipped with the service (regions of China, product categories, products)."""


@reference_group.command("load")
@with_appcontext
def reference_load_command():
    """Insert the shipped regions and categories that are not stored yet and upsert the shipped
    product catalogue (idempotent; products a data package changed are left alone)."""
    with _clean_errors("reference load"), acting_as("cli reference"):
        added = ensure_reference_data()
    click.echo(f"Reference data: {added['regions']} regions, {added['categories']} categories and "
               f"{added['products']} products added, {added['products_updated']} products updated")
