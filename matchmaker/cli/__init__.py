"""Command line: the `matchmaker` console script (a Flask CLI group; `flask --app matchmaker` works too)."""
import click
from flask import current_app
from flask.cli import FlaskGroup
from werkzeug.serving import run_simple

from matchmaker import create_app
from matchmaker.cli import matching, packages, reports, users


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main():
    """Chain matchmaking service (产业链"手拉手"撮合)."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False)
def serve_command(host, port, debug):
    """Run the web service (development server; production runs gunicorn 'matchmaker:create_app()')."""
    # app.run() refuses to start inside the flask CLI, so serve the app object directly.
    app = current_app._get_current_object()
    app.debug = debug
    click.echo(f"Serving on http://{host}:{port}/")
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


def register_cli(app):
    """Attach every command to app.cli, so both `matchmaker X` and `flask --app matchmaker X` work."""
    app.cli.add_command(serve_command)
    app.cli.add_command(packages.import_command)
    app.cli.add_command(packages.export_command)
    app.cli.add_command(packages.demo_command)
    app.cli.add_command(packages.reference_group)
    app.cli.add_command(matching.match_command)
    app.cli.add_command(users.users_group)
    reports.register(app)
