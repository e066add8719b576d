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

#: commands that never render a page or an API answer: their app is built with web=False
BATCH_COMMANDS = frozenset({"import", "export", "reference", "match", "users", "report"})


def _load(name: str) -> click.Command:
    module, attr = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), attr)


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
