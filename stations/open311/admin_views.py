"""Administrator page /admin/api-keys: issue an Open311 API key (shown once) and revoke keys.

The key is shown on the page that answers the POST (200, never cached) rather than after a redirect: carrying it
across a redirect would put it into the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import admin_required
from ..extensions import db
from ..web.htmx import render
from . import queries, services
from .forms import IssueKeyForm
from .models import ApiKey

bp = Blueprint("open311_admin", __name__, url_prefix="/admin/api-keys")


@bp.before_request
@admin_required
def _administrators_only():
    return None


def _page(form: IssueKeyForm, *, new_key: str | None = None, issued: ApiKey | None = None, status: int = 200):
    return render(
        "open311/api_keys.html",
        status=status,
        form=form,
        keys=queries.all_keys(),
        new_key=new_key,
        issued=issued,
    )


@bp.route("")
@admin_required
def index():
    return _page(IssueKeyForm())


@bp.route("", methods=["POST"])
@admin_required
def create():
    form = IssueKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    key, raw = services.issue_key(form.name.data, created_by=current_user._get_current_object())
    db.session.commit()
    return _page(IssueKeyForm(formdata=None), new_key=raw, issued=key)


@bp.route("/<int:key_id>/revoke", methods=["POST"])
@admin_required
def revoke(key_id: int):
    key = db.session.get(ApiKey, key_id)  # the CSRF token was checked before the view (CSRFProtect)
    if key is None:
        abort(404)
    services.revoke_key(key, by=current_user._get_current_object())
    db.session.commit()
    flash(_("已吊销密钥“%(name)s”，使用它的请求将被拒绝。", name=key.name), "success")
    return redirect(url_for(".index"), 303)
