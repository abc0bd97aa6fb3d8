"""Administrator pages: overview, accounts, station scopes, the working-day calendar.

Every route here is for administrators only: the blueprint refuses everyone else before any view
runs, and each view carries ``admin_required`` as well so that the rule is visible where it applies.
"""

from __future__ import annotations

from flask import Blueprint

from ..auth.decorators import admin_required
from . import account_views, calendar_views, official_views, scope_views
from .forms import MODE_LABELS, ROLE_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _administrators_only():
    return None


@bp.context_processor
def _labels():
    return {"role_labels": ROLE_LABELS, "mode_labels": MODE_LABELS}


# The whole URL surface of the administrator pages (endpoint names are used by url_for everywhere).
bp.add_url_rule("/", "index", account_views.index)
bp.add_url_rule("/users", "users", account_views.users)
bp.add_url_rule("/users/new", "user_new", account_views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", "user_edit", account_views.user_edit, methods=["GET", "POST"])
bp.add_url_rule(
    "/users/<int:user_id>/password", "user_reset_password", account_views.user_reset_password, methods=["POST"]
)
bp.add_url_rule("/users/<int:user_id>/unlock", "user_unlock", account_views.user_unlock, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/disable", "user_disable", account_views.user_disable, methods=["POST"])
bp.add_url_rule("/stations", "stations", scope_views.stations)
bp.add_url_rule("/stations/<code>/scope", "scope", scope_views.scope)
bp.add_url_rule("/stations/<code>/scope", "scope_add", scope_views.scope_add, methods=["POST"])
bp.add_url_rule("/stations/<code>/scope/<item_code>/remove", "scope_remove", scope_views.scope_remove, methods=["POST"])
bp.add_url_rule("/stations/<code>/scope/<item_code>/mode", "scope_mode", scope_views.scope_mode, methods=["POST"])
bp.add_url_rule("/calendar", "calendar", calendar_views.calendar)
bp.add_url_rule("/calendar/toggle", "calendar_toggle", calendar_views.calendar_toggle, methods=["POST"])
bp.add_url_rule("/calendar/day", "calendar_day", calendar_views.calendar_day, methods=["POST"])
bp.add_url_rule("/calendar/load", "calendar_load", calendar_views.calendar_load, methods=["POST"])
bp.add_url_rule("/officials", "officials", official_views.officials)
bp.add_url_rule("/officials", "official_add", official_views.official_add, methods=["POST"])
bp.add_url_rule("/officials/<int:official_id>", "official_edit", official_views.official_edit, methods=["POST"])
bp.add_url_rule(
    "/officials/<int:official_id>/active", "official_active", official_views.official_active, methods=["POST"]
)
