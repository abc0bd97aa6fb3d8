"""Public catalogue (办事指南): search as you type, one item's guide, the 一优五减 figures."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from ..sites import queries as sites_queries
from ..sites.labels import SCOPE_MODE_LABELS, STATION_KIND_LABELS
from ..web.htmx import fragment_for, render
from ..web.params import parse_int
from . import queries
from .forms import CatalogFilterForm
from .labels import CASE_TYPE_LABELS, ITEM_TYPE_LABELS, MATERIAL_FORM_LABELS, ONLINE_MODE_LABELS

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

INDEX_FRAGMENTS = {"item-table": "item_table"}


@bp.context_processor
def catalog_labels() -> dict:
    return {
        "item_type_labels": ITEM_TYPE_LABELS,
        "online_mode_labels": ONLINE_MODE_LABELS,
        "case_type_labels": CASE_TYPE_LABELS,
        "material_form_labels": MATERIAL_FORM_LABELS,
        "scope_mode_labels": SCOPE_MODE_LABELS,
        "station_kind_labels": STATION_KIND_LABELS,
    }


def _station_arg():
    """The station of ``?station=``; an unknown code is a 404 (a wrong link must not show everything)."""
    code = request.args.get("station", "").strip()
    if not code:
        return None
    station = sites_queries.get_station(code)
    if station is None:
        abort(404)
    return station


@bp.route("/")
def index():
    form = CatalogFilterForm(request.args)
    station = _station_arg()
    criteria = queries.ItemFilter(q=form.q.data, department=form.department_code, is_instant=form.is_instant)
    result = queries.search_items(
        criteria,
        scope=sites_queries.item_scope(station) if station else None,
        page=parse_int(request.args.get("page", "")) or 1,  # public search: a bad page number shows the first
        page_size=current_app.config["CATALOG_PAGE_SIZE"],
    )
    modes = sites_queries.scope_modes(station, (item.id for item in result.items)) if station else {}
    partial = fragment_for(INDEX_FRAGMENTS) is not None
    stations = []
    if not partial:  # the chooser and the filter's choices are outside the fragment
        stations = sites_queries.list_stations()
        form.set_departments(queries.departments())
    # The filters in effect (unknown values dropped), for the pager's links.
    args = {
        key: value
        for key, value in (
            ("station", station.code if station else ""),
            ("q", form.q.data),
            ("dept", form.department_code or ""),
            ("kind", form.kind.data if form.is_instant is not None else ""),
        )
        if value
    }
    return render(
        "catalog/index.html",
        INDEX_FRAGMENTS,
        form=form,
        station=station,
        stations=stations,
        result=result,
        modes=modes,
        args=args,
    )


@bp.route("/items/<code>")
def item(code: str):
    service_item = queries.get_item(code)
    if service_item is None:
        abort(404)
    offers = sites_queries.stations_offering(service_item.id)
    return render("catalog/item.html", item=service_item, offers=offers)


@bp.route("/metrics")
def metrics():
    station = _station_arg()
    scope = sites_queries.item_scope(station) if station else None
    return render(
        "catalog/metrics.html",
        station=station,
        stations=sites_queries.list_stations(),
        totals=queries.catalog_totals(scope),
        breakdown=queries.department_breakdown(scope),
    )
