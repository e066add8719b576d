"""Admin pages: import a data package (row-by-row errors or counts, with progress) and manage users."""
import os

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.services import package_imports
from matchmaker.services import users as users_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import UploadForm, UserForm
from matchmaker.web.helpers import PER_PAGE, Page, apply_errors, flash_error, ok, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = role_required("admin")


def _actor():
    return current_user._get_current_object()


def _imports_folder():
    """Where in-process import jobs keep their uploads and status files: the instance folder."""
    return os.path.join(current_app.instance_path, "imports")


def _start_import(upload):
    """Start importing an uploaded package: queued to a worker when a task queue is configured,
    else on a thread here (at once when IMPORT_IN_BACKGROUND is false, as in tests)."""
    app = current_app._get_current_object()
    return package_imports.start_import(
        _actor().id, upload, upload.filename, _imports_folder(),
        background=app.config.get("IMPORT_IN_BACKGROUND", not app.testing))


@bp.route("/import", methods=["GET", "POST"])
@admin_only
def upload():
    """Upload a data package (.xlsx, .zip of CSV files, .json); the import runs in the background."""
    form = UploadForm()
    if form.validate_on_submit():
        job_id = _start_import(form.package.data)
        return redirect(url_for("admin.import_status", job_id=job_id))
    return render_template("admin/upload.html", form=form), (422 if form.errors else 200)


@bp.route("/import/<job_id>")
@admin_only
def import_status(job_id):
    """Progress of an import, then its counts or its row-by-row errors."""
    folder, user_id = _imports_folder(), _actor().id
    status = package_imports.read_status(folder, job_id, user_id)
    if status is None:
        abort(404)
    errors = None
    if status.get("state") == "failed":
        total = status.get("error_count", len(status.get("errors") or ()))
        number = min(_page_number(), max(1, -(-total // ERRORS_PER_PAGE)))
        items, total = package_imports.read_errors(folder, job_id, user_id, (number - 1) * ERRORS_PER_PAGE,
                                                   ERRORS_PER_PAGE)
        errors = Page(items, number, ERRORS_PER_PAGE, total)
    return render_template("admin/import_status.html", job_id=job_id, status=status, errors=errors)


ERRORS_PER_PAGE = 100  # problems of a refused import shown on one page


def _page_number():
    """The ?page=N asked for (1 when absent or not a number)."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/import/<job_id>.json")
@admin_only
def import_status_json(job_id):
    """Progress of an import for the polling script."""
    status = package_imports.read_status(_imports_folder(), job_id, _actor().id)
    if status is None:
        abort(404)
    return jsonify({k: status.get(k) for k in ("state", "done", "total", "section")})


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users():
    """List accounts a page at a time, and create one."""
    form = UserForm()
    top_errors = []
    if form.validate_on_submit():
        data = {"email": form.email.data, "name": form.name.data, "password": form.password.data,
                "role": form.role.data, "locale": form.locale.data}
        if form.firm_ref.data:
            data["firm"] = form.firm_ref.data.strip()
        if form.region_code.data:
            data["region"] = form.region_code.data.strip()
        try:
            user = users_service.create_user(_actor(), data)
            ok(_("Account %(email)s created.", email=user.email))
            return redirect(url_for("admin.users"))
        except DomainError as exc:
            top_errors = apply_errors(form, exc, {"firm": "firm_ref", "region": "region_code"})
    try:
        page_no = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_no = 1
    rows, total = users_service.list_users(_actor(), page=page_no, page_size=PER_PAGE)
    code = 422 if (form.errors or top_errors) else 200
    return render_template("admin/users.html", form=form, page=Page(rows, page_no, PER_PAGE, total),
                           top_errors=top_errors), code


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_only
def deactivate(user_id):
    """Deactivate an account (it can no longer sign in)."""
    try:
        user = users_service.deactivate_user(_actor(), user_id)
        ok(_("Account %(email)s deactivated.", email=user.email))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("admin.users"))
