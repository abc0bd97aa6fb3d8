"""政务外卖 pages: the blueprint and its whole URL surface (the pages live in order_views and onsite_views).

Who sees what is access.takeout_scope (an order outside it is a 404); who may do what is the machine
(stations/domain/takeout_flow.py) through access.takeout_actor. Actions post to one endpoint with the order's
``version``: a stale version answers 409 and a refused event 422, both re-rendering the panel with a message.
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from . import menu_admin, onsite_views, order_views

bp = Blueprint("takeout", __name__, url_prefix="/takeout")


@bp.before_request
def refuse_nul_characters():
    """PostgreSQL refuses NUL in text: answer 400 before anything reads the input."""
    if any("\x00" in value for value in [request.path, *request.args.values(), *request.form.values()]):
        abort(400)


bp.add_url_rule("/", "index", order_views.index)
bp.add_url_rule("/menu-admin", "menu_admin", menu_admin.menu_admin)
bp.add_url_rule("/menu-admin/export.xlsx", "menu_export", menu_admin.export)
bp.add_url_rule("/menu-admin/import", "menu_import", menu_admin.upload, methods=["POST"])
bp.add_url_rule("/menu-admin/<code>/toggle", "menu_toggle", menu_admin.toggle, methods=["POST"])
bp.add_url_rule("/menu", "menu", order_views.menu)
bp.add_url_rule("/new", "new", order_views.new)
bp.add_url_rule("/new", "create", order_views.create, methods=["POST"])
bp.add_url_rule("/<order_no>", "show", order_views.show)
bp.add_url_rule("/<order_no>/events", "post_event", order_views.post_event, methods=["POST"])
bp.add_url_rule("/<order_no>/cases", "take_in", onsite_views.take_in, methods=["POST"])
bp.add_url_rule("/<order_no>/problems", "raise_problem", onsite_views.raise_problem, methods=["POST"])
