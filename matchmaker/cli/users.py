"""`matchmaker users ...`: create, list and deactivate accounts from the command line (audited as "cli users")."""
import click
from flask.cli import with_appcontext

from matchmaker.services import users
from matchmaker.services.support.audit import acting_as
from matchmaker.services.support.errors import DomainError

CLI_ACTOR = "cli users"  # the actor the audit log names for accounts created or deactivated here


def _fail(exc):
    """Exit non-zero with the service's message and every field error."""
    lines = [exc.message] + [f"  {field}: {'; '.join(map(str, msgs))}" for field, msgs in (exc.errors or {}).items()]
    raise click.ClickException("\n".join(lines))


@click.group("users")
def users_group():
    """Manage accounts: firm users, task-force staff, administrators."""


@users_group.command("create")
@click.option("--email", required=True, help="Sign-in e-mail address.")
@click.option("--name", default=None, help="Display name (default: the e-mail).")
@click.option("--role", required=True, type=click.Choice(users.ROLES), help="firm, staff or admin.")
@click.option("--firm", "firm_ref", default=None, help="Firm ref (role firm).")
@click.option("--region", default=None, help="Region code of the task force (role staff).")
@click.option("--locale", default=None, type=click.Choice(("zh_CN", "en")))
@click.password_option("--password", envvar="MATCHMAKER_NEW_PASSWORD",
                       help="Password (prompted when left out; or MATCHMAKER_NEW_PASSWORD).")
@with_appcontext
def create_command(email, name, role, firm_ref, region, locale, password):
    """Create an account."""
    data = {"email": email, "password": password, "role": role}
    for key, value in (("name", name), ("firm", firm_ref), ("region", region), ("locale", locale)):
        if value:
            data[key] = value
    try:
        with acting_as(CLI_ACTOR):
            user = users.create_user(None, data)
    except DomainError as exc:
        _fail(exc)
    where = f" of firm {user.firm.ref}" if user.firm else f" of region {user.region_code}" if user.region_code else ""
    click.echo(f"created {user.role} account {user.email}{where} (id {user.id})")


@users_group.command("list")
@click.option("--role", default=None, type=click.Choice(users.ROLES))
@with_appcontext
def list_command(role):
    """List accounts (e-mail, role, firm or region, active)."""
    page = 1
    while True:
        items, total = users.list_users(None, {"role": role}, page=page, page_size=500)
        for u in items:
            scope = u.firm.ref if u.firm else (u.region_code or "-")
            click.echo(f"{u.id}\t{u.email}\t{u.role}\t{scope}\t{'active' if u.active else 'inactive'}")
        if page * 500 >= total:
            break
        page += 1


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email):
    """Deactivate an account by e-mail and revoke its tokens."""
    try:
        with acting_as(CLI_ACTOR):
            users.deactivate_user_by_email(None, email)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"deactivated {email}")
