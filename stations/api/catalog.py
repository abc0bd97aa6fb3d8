"""JSON API v1, public catalogue reads: stations, the catalogue and its figures (no sign-in)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..catalog import queries as catalog_queries
from ..sites import queries as sites_queries
from ..sites.models import Station
from . import serializers
from .base import ApiError, json_response


def _station_param() -> Station | None:
    """``?station=CODE`` or None; an unknown code is a 404, never the whole catalogue."""
    code = request.args.get("station", "").strip()
    if not code:
        return None
    station = sites_queries.get_station(code)
    if station is None:
        raise ApiError(404, "station_not_found", _("没有编码为 %(code)s 的网点。", code=code[:20]))
    return station


def stations():
    rows = sites_queries.stations_with_item_counts()
    return json_response([serializers.station(station, count) for station, count in rows])


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


def catalog_metrics():
    station = _station_param()
    totals = catalog_queries.catalog_totals(sites_queries.item_scope(station) if station else None)
    return json_response(serializers.catalog_metrics(totals))
