"""Send each role to its home page."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..web.htmx import render

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    return redirect(url_for("home.mine"))


@bp.route("/home")
@login_required
def mine():
    role = current_user.role
    if role is Role.ADMIN:
        return redirect(url_for("admin.index"))
    return render(f"home/{role.value.lower()}.html", user=current_user)
