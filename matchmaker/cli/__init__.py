"""Command line: the `matchmaker` console script (a Flask CLI group; `flask --app matchmaker` works too).

The console script loads a command's module only when that command runs (``COMMANDS``), and the
batch commands build an app without the web pages and the API (``create_app(web=False)``): a run
of `matchmaker match` or `matchmaker report weekly` does not pay for importing and registering
the whole web service (issue 14: the CLI starts in a fraction of the time it took).
"""
import importlib

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from matchmaker import create_app

#: command name -> "module:attribute" of its click command, imported when the command runs
COMMANDS = {
    "serve": "matchmaker.cli:serve_command",
    "import": "matchmaker.cli.packages:import_command",
    "export": "matchmaker.cli.packages:export_command",
    "demo": "matchmaker.cli.packages:demo_command",
    "reference": "matchmaker.cli.packages:reference_group",
    "match": "matchmaker.cli.matching:match_command",
    "users": "matchmaker.cli.users:users_group",
    "report": "matchmaker.cli.reports:report_group",
    "scheduler": "matchmaker.cli.scheduler:scheduler_command",
}

#: command name -> the first line of its help: `matchmaker --help` lists the commands without
#: loading them (nor the app, for Flask-Migrate's `db`); tests/test_cli_startup.py checks each
#: against the command's own
SHORT_HELP = {
    "serve": "Run the web service (development server; production runs gunicorn 'matchmaker:create_app()').",
    "import": "Import a data package (.json, .xlsx, a folder of .csv, or a .zip of them); all or nothing.",
    "export": "Write everything stored as a data package (.json, .xlsx, or a folder for .csv files).",
    "demo": "Load the shipped demo data package (idempotent) and print the demo accounts.",
    "reference": "Reference data shipped with the service (regions of China, product categories, products).",
    "match": "Run the matcher: store optimal proposals for the open needs and offers (spec/matching.md).",
    "users": "Manage accounts: firm users, task-force staff, administrators.",
    "report": "Weekly chain-break report (周调度).",
    "scheduler": "Run the scheduler: the weekly report (default Monday 08:00 Asia/Shanghai) and daily matching.",
    "db": "Perform database migrations.",
}

#: commands that never render a page or an API answer: their app is built with web=False
BATCH_COMMANDS = frozenset({"import", "export", "reference", "match", "users", "report"})


def _load(name: str) -> click.Command:
    module, attr = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), attr)


def _listed(name: str) -> click.Command:
    """A stand-in of a command for the list of commands: its name and SHORT_HELP."""
    return click.Command(name, help=SHORT_HELP[name])


def _create_app():
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().invoked_subcommand if ctx is not None else None
    return create_app(web=root not in BATCH_COMMANDS, commands=False)


class _Commands(FlaskGroup):
    """A FlaskGroup whose own commands are loaded lazily; anything else (`db` from Flask-Migrate)
    goes the usual way, through the app."""

    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | {"db"})

    def get_command(self, ctx, name):
        if name in COMMANDS:
            return _load(name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """The commands and their short help, as click lists them, from SHORT_HELP."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        with formatter.section("Commands"):
            formatter.write_dl([(name, _listed(name).get_short_help_str(limit)) for name in names])


@click.group(cls=_Commands, create_app=_create_app, add_default_commands=False)
def main():
    """Chain matchmaking service (产业链"手拉手"撮合)."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False)
@with_appcontext
def serve_command(host, port, debug):
    """Run the web service (development server; production runs gunicorn 'matchmaker:create_app()')."""
    from werkzeug.serving import run_simple

    # app.run() refuses to start inside the flask CLI, so serve the app object directly.
    app = current_app._get_current_object()
    app.debug = debug
    click.echo(f"Serving on http://{host}:{port}/")
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


def register_cli(app):
    """Attach every command to app.cli, so `flask --app matchmaker X` works as `matchmaker X` does."""
    for name in COMMANDS:
        app.cli.add_command(_load(name))
