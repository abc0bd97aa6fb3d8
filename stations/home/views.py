"""Each role's home page (工作台): the administrator's is the administration overview."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import Role
from ..bundles import queries as bundle_queries
from ..cases import queries as case_queries
from ..cases.views import queue_page
from ..extensions import db
from ..portal.clerk_views import clerk_home_context
from ..portal.enterprise_home import home_page as enterprise_home_page
from ..sites import queries as sites_queries
from ..sites.labels import SCOPE_MODE_LABELS, STATION_KIND_LABELS, opening_hours_lines
from ..web.htmx import render
from ..web.render_cache import reusable_page
from .navigation import nav_links

bp = Blueprint("home", __name__)


@bp.app_context_processor
def _navigation() -> dict:
    # A function, not a list: only full pages render the menu, so fragments never pay for it.
    return {"nav_links": nav_links}


@bp.context_processor
def _labels() -> dict:
    return {
        "scope_mode_labels": SCOPE_MODE_LABELS,
        "station_kind_labels": STATION_KIND_LABELS,
        "opening_hours_lines": opening_hours_lines,
    }


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    return redirect(url_for("admin.index") if current_user.role is Role.ADMIN else url_for("home.mine"))


def _next_turn_red(now: datetime) -> datetime | None:
    """A home shows cases (the queue, the enterprise's own) and bundles: whichever of them turns red first."""
    both = select(
        case_queries.next_turn_red_stmt(now).scalar_subquery(), bundle_queries.next_turn_red_stmt(now).scalar_subquery()
    )
    return min((moment for moment in db.session.execute(both).one() if moment is not None), default=None)


@bp.route("/home")
@login_required
@reusable_page(next_change=_next_turn_red)
def mine():
    user = current_user._get_current_object()
    role = user.role
    if role is Role.ADMIN:
        return redirect(url_for("admin.index"))
    if role is Role.CENTRAL:
        return render("home/central.html", user=user, rows=sites_queries.stations_with_item_counts())
    if role is Role.CLERK:  # the queue of its clients' cases, then what each client owes
        return queue_page(is_home=True, extra=lambda: clerk_home_context(user))
    if role is Role.STAFF:
        return queue_page(is_home=True)  # the station queue is the staff's home page
    if role is Role.ENTERPRISE:
        return enterprise_home_page()  # its cases (polled), its clerk, its documents
    station = user.station
    modes = sites_queries.mode_counts(station) if station else {}
    return render(
        f"home/{role.value.lower()}.html", user=user, station=station, modes=modes, item_count=sum(modes.values())
    )
