"""JSON API v1 twins of the board and the period figures (contract.md): central office and administrator only.

Anonymous callers get 401; every other role 404 (the resource does not exist for them, as contract.md says:
"403 page, 404 API"). Authentication is the session or a bearer token, as for the rest of /api/v1.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from ..appeals import figures as appeal_figures
from ..auth.models import Role
from ..bundles import queries as bundle_queries
from ..domain import metrics
from ..meetings import figures as meeting_figures
from ..projects import queries as project_queries
from ..takeout import figures as takeout_figures
from ..timeutil import business_today, utc_start_of, utcnow
from ..web.errors import error_response
from . import board_queries, period_queries, rollup_rebuild

# cli_group: the operators' command is ``flask dashboard rebuild-rollups`` (the page blueprint has no commands).
bp = Blueprint("metrics_api", __name__, url_prefix="/api/v1/metrics", cli_group="dashboard")
bp.cli.add_command(rollup_rebuild.rebuild_command)

ALLOWED = frozenset({Role.CENTRAL, Role.ADMIN})


@bp.before_request
def central_office_only():
    if not current_user.is_authenticated:
        return error_response(401, _("请先登录。"), "unauthorized")
    if current_user.role not in ALLOWED:
        return error_response(404, _("未找到该页面或记录。"), "not_found")
    return None


def _json(data, status: int = 200):
    body = current_app.json.dumps(data, ensure_ascii=False, sort_keys=False)
    return current_app.response_class(body + "\n", status=status, mimetype="application/json")


@bp.get("/stations")
def stations():
    rows = board_queries.tiles(current_user._get_current_object())
    return _json(
        [
            {
                "station": t.station.code,
                "received_today": t.received_today,
                "open": t.open,
                "yellow": t.yellow,
                "red": t.red,
                "overdue": t.overdue,
                "rongque_pending": t.rongque_pending,
                "avg_rating": t.avg_rating,
            }
            for t in rows
        ]
    )


@bp.get("/period")
def period():
    today = business_today(utcnow())
    try:
        start = date.fromisoformat(request.args["from"]) if request.args.get("from") else None
        end = date.fromisoformat(request.args["to"]) if request.args.get("to") else None
        if start is None and end is None:
            start, end = metrics.period_bounds("month", today)
        start, end = metrics.period_bounds("custom", today, start, end)
    except ValueError:
        return error_response(400, _("参数 %(name)s 无效。", name="from/to"), "invalid_parameter")
    if (end - start).days > 3660:
        return error_response(400, _("参数 %(name)s 无效。", name="from/to"), "invalid_parameter")
    user = current_user._get_current_object()
    report = period_queries.period_report(user, start, end)
    f = report.figures
    return _json(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "received": f.received,
            "accepted": f.accepted,
            "issued": period_queries.issued_count(current_user._get_current_object(), start, end),  # 统一出证
            "concluded": f.concluded,
            "concluded_late": f.concluded_late,
            "on_time_rate": f.on_time_rate,
            "overdue_rate": f.overdue_rate,
            "mean_working_days_to_decision": f.mean_days_to_decision,
            "instant_cases": f.instant_cases,
            "instant_share": f.instant_share,
            "rongque_cases": f.rongque_cases,
            "rongque_due": f.deficiencies_due,
            "rongque_on_time": f.deficiencies_on_time,
            "rongque_on_time_rate": f.rongque_on_time_rate,
            "ratings": f.ratings,
            "satisfaction_rate": f.satisfaction_rate,
            "bad_reviews_due": f.bad_reviews_due,
            "rectified_on_time_rate": f.rectified_on_time_rate,
            "by_channel": report.by_channel,
            "partners": [
                {"code": p.code, "name": p.name, "outbound": p.outbound, "inbound": p.inbound, "total": p.total}
                for p in report.partners
            ],
            "xr_inbound_concluded": report.xr_inbound_concluded,
            "xr_inbound_on_time_rate": report.xr_inbound_on_time,
            "first_handlers": [{"name": u.display_name, "concluded": n, "late": late} for u, n, late in report.ranking],
            "bundles": bundle_queries.period_figures(utc_start_of(start), utc_start_of(end + timedelta(days=1))),
            "projects": project_queries.period_figures(today),
            "appeals": appeal_figures.appeal_figures(user, start, end).as_json(),
            "commissioners": [vars(row) for row in appeal_figures.commissioner_activity(user, start, end)],
            **meeting_figures.period_figures(start, end).as_json(),  # `meetings`, `policy_sessions` (issue 14)
            "takeout": takeout_figures.period_figures(user, start, end),  # 政务外卖 (issue 15)
        }
    )
