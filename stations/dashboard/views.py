"""The central office's live board, its drill-down pages, period figures and exports (read-only).

Central office and administrator only: every other role gets the 403 page (the API twins in ``api.py`` answer 404).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import central_office_required
from ..catalog import queries as catalog_queries
from ..domain import metrics
from ..sites import queries as sites_queries
from ..timeutil import business_today, utcnow
from ..web.htmx import is_htmx, render, render_fragment
from . import charts, exports, queries

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

PERIODS = ("month", "quarter", "year", "custom")
QUEUE_PAGE_SIZE = 30


def _user():
    return current_user._get_current_object()


@bp.get("")
@central_office_required
def index():
    board = queries.board(_user())
    return render("dashboard/board.html", fragments={"red-list": "red_list"}, board=board)


@bp.get("/tiles/<code>")
@central_office_required
def tile(code: str):
    """One tile, polled every 15 s while the page is visible; 304 when nothing it shows has changed."""
    station = sites_queries.get_station(code)
    if station is None:
        abort(404)
    if not is_htmx():
        return redirect(url_for("dashboard.station", code=station.code), 303)
    tile_ = queries.station_tile(_user(), station)
    etag = queries.tile_etag(tile_, f"tile-fragment:{get_locale()}")
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = render_fragment("dashboard/board.html", ["tile"], tile=tile_)
    response.set_etag(etag)
    # Revalidate every time (no-store would keep the browser from ever sending If-None-Match).
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    response.vary.add("Cookie")
    return response


@bp.get("/stations/<code>")
@central_office_required
def station(code: str):
    station_ = sites_queries.get_station(code)
    if station_ is None:
        abort(404)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    tile_ = queries.station_tile(_user(), station_)
    result = queries.station_queue(_user(), station_, page=page, page_size=QUEUE_PAGE_SIZE)
    return render("dashboard/station.html", fragments={"queue": "queue"}, station=station_, tile=tile_, result=result)


@bp.get("/clerks")
@central_office_required
def clerks():
    return render("dashboard/clerks.html", rows=queries.clerk_load(_user()))


@bp.get("/departments")
@central_office_required
def departments():
    return render("dashboard/departments.html", rows=catalog_queries.department_breakdown())


def period_from_args(args) -> tuple[str, date, date]:
    """(kind, first day, last day) from ?period=&from=&to=; a bad custom range falls back to this month."""
    kind = args.get("period", "month")
    if kind not in PERIODS:
        kind = "month"
    today = business_today(utcnow())
    if args.get("from") or args.get("to"):
        kind = "custom"
    try:
        start = date.fromisoformat(args["from"]) if args.get("from") else None
        end = date.fromisoformat(args["to"]) if args.get("to") else None
        first, last = metrics.period_bounds(kind, today, start, end)
    except (ValueError, KeyError):
        kind = "month"
        first, last = metrics.period_bounds(kind, today)
    if (last - first).days > 3660:
        abort(400)
    return kind, first, last


@bp.get("/figures")
@central_office_required
def figures():
    kind, first, last = period_from_args(request.args)
    report = queries.period_report(_user(), first, last)
    return render(
        "dashboard/figures.html",
        fragments={"figures": "figures"},
        report=report,
        kind=kind,
        chart=charts.bar_chart(charts.received_series(report)),
        periods=PERIODS,
    )


@bp.get("/export/<table>.<fmt>")
@central_office_required
def export(table: str, fmt: str):
    """Every table of the board and the figures as CSV or Excel, Chinese headers (see exports.py)."""
    if table not in exports.TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    headers, rows = exports.table_rows(table, _user(), request.args)
    return exports.send(table, fmt, headers, rows)
