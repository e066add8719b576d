"""`matchmaker users create|list|deactivate` (the CLI runs as the system)."""
from matchmaker.services.auth import authenticate
from tests.services.world import build_world


def test_users_create_list_deactivate(app, runner):
    build_world()
    result = runner.invoke(args=["users", "create", "--email", "Chief@Example.cn", "--role", "staff",
                                 "--region", "230100", "--password", "long enough 1"])
    assert result.exit_code == 0, result.output
    assert "230100" in result.output
    assert authenticate("chief@example.cn", "long enough 1").role == "staff"
    listed = runner.invoke(args=["users", "list", "--role", "staff"])
    assert "chief@example.cn" in listed.output and "city@example.cn" in listed.output
    assert "own@example.cn" not in listed.output
    result = runner.invoke(args=["users", "deactivate", "chief@example.cn"])
    assert result.exit_code == 0 and authenticate("chief@example.cn", "long enough 1") is None


def test_users_create_reports_every_bad_field_and_fails(app, runner):
    build_world()
    result = runner.invoke(args=["users", "create", "--email", "x@example.cn", "--role", "firm",
                                 "--firm", "F-NOPE", "--password", "short"])
    assert result.exit_code != 0
    assert "password" in result.output and "firm" in result.output
    result = runner.invoke(args=["users", "create", "--email", "own@example.cn", "--role", "admin",
                                 "--password", "long enough 1"])
    assert result.exit_code != 0 and "own@example.cn" in result.output


def test_cli_account_changes_are_audited_as_the_command_with_the_account_id(app, runner, db):
    """Failed on the old main: audited as "system" with an empty entity id."""
    import sqlalchemy as sa

    from matchmaker.models import AuditEntry, User

    build_world()
    result = runner.invoke(args=["users", "create", "--email", "chief@example.cn", "--role", "admin",
                                 "--password", "long enough 1"])
    assert result.exit_code == 0, result.output
    user_id = db.session.scalar(sa.select(User.id).where(User.email == "chief@example.cn"))
    assert runner.invoke(args=["users", "deactivate", "chief@example.cn"]).exit_code == 0
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "user_account",
                                                             AuditEntry.entity_id == str(user_id))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor, e.actor_id) for e in entries] == [("create", "cli users", None),
                                                                  ("update", "cli users", None)]
    assert entries[0].after["password_hash"] == "***" and entries[1].after["active"] is False


def test_users_deactivate_names_an_unknown_email(app, runner):
    build_world()
    result = runner.invoke(args=["users", "deactivate", "nobody@example.cn"])
    assert result.exit_code == 1 and "no account with e-mail nobody@example.cn" in result.output
