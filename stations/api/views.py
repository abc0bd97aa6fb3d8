"""JSON API v1 (contract.md): public catalogue reads for now; authenticated case endpoints come later.

Routes only: shapes live in ``serializers``, reads in the features' ``queries``. Errors go through
``web.errors.error_response``, which answers ``{"error": {"code", "message"}}`` under /api/.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _

from ..catalog import queries as catalog_queries
from ..sites import queries as sites_queries
from ..sites.models import Station
from ..web.errors import error_response
from . import serializers

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    """Raised inside a route to answer a JSON error (status, code, message)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.message, error.code)


def json_response(data: Any, status: int = 200) -> Response:
    """JSON in the contract's key order, Chinese kept readable (UTF-8, not \\u escapes)."""
    body = current_app.json.dumps(data, ensure_ascii=False, sort_keys=False)
    return current_app.response_class(body + "\n", status=status, mimetype="application/json")


def _station_param() -> Station | None:
    """``?station=CODE`` or None; an unknown code is a 404, never the whole catalogue."""
    code = request.args.get("station", "").strip()
    if not code:
        return None
    station = sites_queries.get_station(code)
    if station is None:
        raise ApiError(404, "station_not_found", _("没有编码为 %(code)s 的网点。", code=code[:20]))
    return station


@bp.get("/stations")
def stations():
    rows = sites_queries.stations_with_item_counts()
    return json_response([serializers.station(station, count) for station, count in rows])


@bp.get("/catalog")
def catalog():
    q = request.args.get("q", "")
    if len(q) > catalog_queries.MAX_QUERY_LENGTH:
        raise ApiError(400, "query_too_long", _("查询词不能超过 %(n)s 个字符。", n=catalog_queries.MAX_QUERY_LENGTH))
    station = _station_param()
    items = catalog_queries.list_items(
        catalog_queries.ItemFilter(q=q),
        scope=sites_queries.item_scope(station) if station else None,
    )
    return json_response([serializers.catalog_item(item) for item in items])


@bp.get("/metrics/catalog")
def catalog_metrics():
    station = _station_param()
    totals = catalog_queries.catalog_totals(sites_queries.item_scope(station) if station else None)
    return json_response(serializers.catalog_metrics(totals))


# The case endpoints live in their own module and register on ``bp``; imported last, since they import ``bp``.
from . import appeals as _appeals  # noqa: E402, F401  (企业诉求)
from . import bundles as _bundles  # noqa: E402, F401  (一件事, issue 16)
from . import cases as _cases  # noqa: E402, F401
from . import meetings as _meetings  # noqa: E402, F401  (一键约见 and 政策宣讲, issue 14)
from . import projects as _projects  # noqa: E402, F401  (key projects, issue 16)
from . import selfservice as _selfservice  # noqa: E402, F401  (documents, messages, ratings)
