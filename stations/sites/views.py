"""Station pages: the centre and the stations, with what each one offers."""

from __future__ import annotations

from flask import Blueprint, abort

from ..web.htmx import render
from . import queries
from .labels import SCOPE_MODE_LABELS, STATION_KIND_LABELS, opening_hours_lines

bp = Blueprint("sites", __name__, url_prefix="/stations")


@bp.context_processor
def site_labels() -> dict:
    return {
        "station_kind_labels": STATION_KIND_LABELS,
        "scope_mode_labels": SCOPE_MODE_LABELS,
        "opening_hours_lines": opening_hours_lines,
    }


@bp.route("/")
def index():
    return render("sites/index.html", rows=queries.stations_with_item_counts())


@bp.route("/<code>")
def show(code: str):
    station = queries.get_station(code)
    if station is None:
        abort(404)
    modes = queries.mode_counts(station)
    return render(
        "sites/show.html",
        station=station,
        modes=modes,
        item_count=sum(modes.values()),
        centre=station.parent,
    )
