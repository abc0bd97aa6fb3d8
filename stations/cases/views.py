"""Case pages: the station queue, intake (收件), the case page and its actions, receipt, 容缺 ledger, first handlers.

Who sees what comes from stations/access only (through queries.case_for / case_rows and page_queries). A case outside
the user's scope is a 404 whatever its existence; a role that may never do something is a 403.

Actions answer by their htmx target (architecture.md §2.3, §2.8): ``case-row-<id>`` gets the row plus the queue
counters out of band, ``case-panel`` gets the case block, anything else a 303 back to the page it came from.
A stale ``version`` is a 409 carrying the fresh row or block; a refused event a 422 with the guard's message.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from . import case_views, intake_views, queue_views, supply_views
from .queue_views import queue_page

__all__ = ["bp", "queue_page"]

bp = Blueprint("cases", __name__, url_prefix="/cases")
# One intake may carry a file per material: the request may be this many uploads large (each is checked
# against UPLOAD_MAX_BYTES on its own); other requests keep the app's MAX_CONTENT_LENGTH.
INTAKE_MAX_FILES = 8


@bp.url_value_preprocessor
def _room_for_several_uploads(endpoint: str | None, values: dict | None) -> None:
    """Raise the body limit of the intake POST before anything (the CSRF check included) reads the form."""
    if endpoint == "cases.create":
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * INTAKE_MAX_FILES + 1024 * 1024


# The whole URL surface of the case pages (endpoint names are part of the contract: url_for everywhere).
bp.add_url_rule("/", "index", queue_views.index)
bp.add_url_rule("/<case_no>", "show", case_views.show)
bp.add_url_rule("/<case_no>/events/<event_name>", "event", case_views.event, methods=["POST"])
bp.add_url_rule(
    "/<case_no>/deficiencies/<int:deficiency_id>/supply",
    "deficiency_supply",
    supply_views.deficiency_supply,
    methods=["POST"],
)
bp.add_url_rule(
    "/<case_no>/materials/<int:material_id>/supply", "material_supply", supply_views.material_supply, methods=["POST"]
)
bp.add_url_rule(
    "/<case_no>/deficiencies/<int:deficiency_id>/verify",
    "deficiency_verify",
    supply_views.deficiency_verify,
    methods=["POST"],
)
bp.add_url_rule(
    "/<case_no>/deficiencies/<int:deficiency_id>/reject",
    "deficiency_reject",
    supply_views.deficiency_reject,
    methods=["POST"],
)
bp.add_url_rule("/<case_no>/files/<int:file_id>", "file", case_views.file)
bp.add_url_rule("/<case_no>/receipt", "receipt", case_views.receipt)
bp.add_url_rule("/new", "new", intake_views.new)
bp.add_url_rule("/new", "create", intake_views.create, methods=["POST"])
bp.add_url_rule("/new/enterprise", "register_enterprise", intake_views.register_enterprise, methods=["POST"])
bp.add_url_rule("/ledger", "ledger", queue_views.ledger)
bp.add_url_rule("/first-handlers", "first_handlers", queue_views.first_handlers)
