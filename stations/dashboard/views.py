"""The central office's live board, its drill-down pages, period figures and exports (read-only).

Central office and administrator only: every other role gets the 403 page (the API twins in ``api.py`` answer 404).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, redirect, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from ..appeals import figures as appeal_figures
from ..auth.decorators import central_office_required
from ..bundles import queries as bundle_queries
from ..bundles.forms import LEVEL_LABELS as BUNDLE_LEVEL_LABELS
from ..cases.labels import CHANNEL_LABELS
from ..catalog import queries as catalog_queries
from ..domain import metrics
from ..meetings import figures as meeting_figures
from ..projects import queries as project_queries
from ..sites import queries as sites_queries
from ..timeutil import business_today, utc_start_of
from ..web.htmx import hx_redirect, hx_target, is_htmx, render, render_fragment
from ..web.params import int_arg
from . import board_queries, case_exports, charts, export_jobs, exports, period_queries
from .periods import PERIODS, period_from_args

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

QUEUE_PAGE_SIZE = 30


def _user():
    return current_user._get_current_object()


@bp.get("")
@central_office_required
def index():
    user = _user()
    board = board_queries.board(user)
    today = business_today()
    first, last = metrics.period_bounds("month", today)
    return render(
        "dashboard/board.html",
        fragments={"red-list": "red_list"},
        board=board,
        appeals=appeal_figures.appeal_figures(user, first, last),
        appeals_open=appeal_figures.open_counts(user, today),
        meetings=meeting_figures.board_counts(),
        **_bundles_and_projects(),
    )


def _bundles_and_projects() -> dict:
    """一件事 by level, online share, this year's bundle cases and on-time rate; key projects by colour (issue 16)."""
    today = business_today()
    levels = bundle_queries.level_counts()
    total = sum(v["bundles"] for v in levels.values())
    online = sum(v["online"] for v in levels.values())
    year = bundle_queries.period_figures(utc_start_of(date(today.year, 1, 1)), utc_start_of(today + timedelta(days=1)))
    return {
        "bundle_levels": levels,
        "bundle_level_labels": BUNDLE_LEVEL_LABELS,
        "bundle_total": total,
        "bundle_online": online,
        "bundle_year": year,
        "projects": project_queries.period_figures(today),
    }


@bp.get("/tiles/<code>")
@central_office_required
def tile(code: str):
    """One tile, polled every 15 s while the page is visible; 304 when nothing it shows has changed."""
    station = sites_queries.get_station(code)
    if station is None:
        abort(404)
    if not is_htmx():
        return redirect(url_for("dashboard.station", code=station.code), 303)
    tile_ = board_queries.station_tile(_user(), station)
    etag = board_queries.tile_etag(tile_, f"tile-fragment:{get_locale()}")
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
    page = int_arg("page", 1, minimum=1)
    tile_ = board_queries.station_tile(_user(), station_)
    result = board_queries.station_queue(_user(), station_, page=page, page_size=QUEUE_PAGE_SIZE)
    return render("dashboard/station.html", fragments={"queue": "queue"}, station=station_, tile=tile_, result=result)


@bp.get("/clerks")
@central_office_required
def clerks():
    return render("dashboard/clerks.html", rows=board_queries.clerk_load(_user()))


@bp.get("/departments")
@central_office_required
def departments():
    return render("dashboard/departments.html", rows=catalog_queries.department_breakdown())


@bp.get("/figures")
@central_office_required
def figures():
    kind, first, last = period_from_args(request.args)
    user = _user()
    report = period_queries.period_report(user, first, last)
    return render(
        "dashboard/figures.html",
        appeal_period=appeal_figures.appeal_figures(user, first, last),
        commissioners=appeal_figures.commissioner_activity(user, first, last),
        fragments={"figures": "figures"},
        report=report,
        kind=kind,
        chart=charts.bar_chart(charts.received_series(report)),
        periods=PERIODS,
        channel_labels=CHANNEL_LABELS,
        issued=period_queries.issued_count(_user(), first, last),  # 统一出证 (issue 12)
        back_office=period_queries.back_office_decided(_user(), first, last),  # decided by the departments (issue 12)
    )


EXPORT_ASYNC_ROWS = 5000  # per-case exports longer than this run as a background job with a progress bar


def _export_table(table: str, fmt: str) -> None:
    if table not in (*exports.TABLES, *case_exports.CASE_TABLES) or fmt not in exports.FORMATS:
        abort(404)


def _export_args() -> dict[str, str]:
    """The query arguments an export depends on (period, station), nothing else."""
    return {key: request.args[key] for key in ("period", "from", "to", "station") if request.args.get(key)}


def _long_export_total(table: str) -> int | None:
    """The row count of a per-case export above the threshold, or None when it downloads directly."""
    if table not in case_exports.CASE_TABLES:
        return None  # aggregates: a few hundred rows at most
    total = case_exports.count_rows(table, _user(), _export_args())
    return total if total > current_app.config.get("EXPORT_ASYNC_ROWS", EXPORT_ASYNC_ROWS) else None


def _render_job(job: export_jobs.Job, *, auto_download: bool) -> Response:
    """The progress component: a full page, or the polled fragment (HX-Target is the component's id)."""
    response = render(
        "dashboard/export.html",
        fragments={f"export-{job.token}": "export_progress"},
        job=job,
        auto_download=auto_download,
    )
    if job.status == export_jobs.RUNNING and not is_htmx():
        response.headers["Refresh"] = "2"  # without JavaScript the page reloads itself instead of polling
    return response


@bp.get("/export/<table>.<fmt>")
@central_office_required
def export(table: str, fmt: str):
    """A table as CSV or Excel with Chinese headers (exports.py); a long per-case one offers a background job."""
    _export_table(table, fmt)
    args = _export_args()
    total = _long_export_total(table)
    if total is not None:  # GET never starts work: the page's form (POST) does
        return render("dashboard/export.html", job=None, table=table, fmt=fmt, args=args, total=total)
    if is_htmx():
        # A boosted link (the pages are hx-boost) would fetch the file by XMLHttpRequest and swap it into the page:
        # send the browser to the same URL instead, where the attachment downloads and the page stays.
        return hx_redirect(request.full_path.rstrip("?"))
    if table in case_exports.CASE_TABLES:
        rows = list(case_exports.iter_rows(table, _user(), args))
        return exports.send(table, fmt, case_exports.headers(table), rows)
    headers, rows = exports.table_rows(table, _user(), request.args)
    return exports.send(table, fmt, headers, rows)


@bp.post("/export/<table>.<fmt>")
@central_office_required
def export_start(table: str, fmt: str):
    """Start a long export in the background (progress component), or download a short one directly."""
    _export_table(table, fmt)
    args = _export_args()
    total = _long_export_total(table)
    if total is None:
        url = url_for("dashboard.export", table=table, fmt=fmt, **args)
        return hx_redirect(url) if is_htmx() else redirect(url, 303)
    job = export_jobs.start(_user(), table, fmt, args, total=total, locale=str(get_locale()))
    if is_htmx():
        return render_fragment("dashboard/export.html", ["export_progress"], job=job, auto_download=True)
    return redirect(url_for("dashboard.export_progress", token=job.token), 303)


@bp.get("/exports/<token>")
@central_office_required
def export_progress(token: str):
    """The job's progress, polled by its own component until it is done; another user's job is a 404."""
    job = export_jobs.job_for(_user(), token) or abort(404)
    polled = hx_target() == f"export-{token}"
    return _render_job(job, auto_download=polled)


@bp.get("/exports/<token>/file")
@central_office_required
def export_file(token: str):
    """The finished file of the user's own job, streamed from the database (any host serves it)."""
    job = export_jobs.job_for(_user(), token)
    if job is None or job.status != export_jobs.DONE:
        abort(404)
    if is_htmx():  # the done component's auto-download: let the browser fetch it outside XMLHttpRequest
        return hx_redirect(url_for("dashboard.export_file", token=token))
    response = Response(stream_with_context(export_jobs.chunks(token)), mimetype=exports.MIMETYPES[job.fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response.content_length = job.size
    return response
