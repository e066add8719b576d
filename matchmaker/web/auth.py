"""Sign in and out, the password change, and the language switch (remembered in the session, a
cookie and the account)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.infra.security import note_failed_password, password_limits, sign_in_limits
from matchmaker.services import auth as auth_service
from matchmaker.services.support.errors import DomainError
from matchmaker.web.forms import LoginForm, PasswordForm
from matchmaker.web.helpers import apply_errors, safe_next

bp = Blueprint("account", __name__)

LANG_COOKIE_AGE = 365 * 24 * 3600


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    """Sign-in form; one message for an unknown e-mail and a wrong password; failures are limited
    per address and per account."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = auth_service.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            session.permanent = True
            if user.locale in current_app.config["LANGUAGES"] and not session.get("lang") and not request.cookies.get("lang"):
                session["lang"] = user.locale
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        failed = True
        note_failed_password()
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere (POST with the CSRF token, so no other site can sign a user out): the
    account's session version moves on, so no copy of any of its session cookies opens a page again."""
    lang = session.get("lang")
    if current_user.is_authenticated:
        auth_service.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."), "info")
    return redirect(url_for("account.login"))


# The password service's messages, listed so pybabel extracts them (shown through labels.message).
PASSWORD_MESSAGES = (
    _l("the password was not changed"),
    _l("is not your current password"),
    _l("at most 1000 characters"),
    _l("must differ from the current password"),
)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@password_limits
def password():
    """Change the password (current password, new one twice); every other session and API token ends."""
    form = PasswordForm()
    top_errors = []
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            auth_service.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            if "current_password" in (exc.errors or {}):
                note_failed_password()
            top_errors = apply_errors(form, exc)
        else:
            login_user(user)  # this browser stays signed in, under the new session version
            session.permanent = True
            flash(_("Your password has been changed. Every other session and API token of your account has ended."),
                  "success")
            return redirect(url_for("home.index"))
    status = 422 if (form.errors or top_errors) else 200
    return render_template("auth/password.html", form=form, top_errors=top_errors), status


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the language; remembered in the session, a cookie and (signed in) the account."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("home.index"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        response.set_cookie("lang", lang, max_age=LANG_COOKIE_AGE, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            auth_service.set_locale(current_user._get_current_object(), lang)
        refresh()
    return response
