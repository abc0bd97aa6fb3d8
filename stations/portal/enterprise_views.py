"""The enterprise's own pages: its home (its cases, updating by themselves), online application, document store.

Every page is for ENTERPRISE users and shows their own enterprise only: cases through stations/access (``cases.queries``,
``cases.client_queries``), documents by the user's enterprise id. Another enterprise's document is a 404, like
another's case.

The home's case list polls (architecture.md §2.9): every 20 s while a case is open, paused while the page is
hidden (``data-poll-visible``, static/js/app.js). Each poll first runs ONE query (``client_queries.list_state``)
whose numbers make the ETag; the browser revalidates with If-None-Match and an unchanged list is a 304 with no
other query. A poll that finds nothing open any more answers 286 with the final list, which stops the polling.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from . import apply_views, document_views
from .enterprise_common import APPLY_MAX_FILES
from .enterprise_home import home_page

__all__ = ["bp", "home_page"]

bp = Blueprint("enterprises", __name__, url_prefix="/enterprise")


@bp.url_value_preprocessor
def _room_for_several_uploads(endpoint: str | None, values: dict | None) -> None:
    """Raise the body limit of the application POST before anything (the CSRF check included) reads the form."""
    if endpoint == "enterprises.apply_submit":
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * APPLY_MAX_FILES + 1024 * 1024


# The whole URL surface of the enterprise's own pages (endpoint names are used by url_for everywhere).
bp.add_url_rule("/apply", "apply", apply_views.apply)
bp.add_url_rule("/apply", "apply_submit", apply_views.apply_submit, methods=["POST"])
bp.add_url_rule("/documents", "documents", document_views.documents)
bp.add_url_rule("/documents", "document_upload", document_views.document_upload, methods=["POST"])
bp.add_url_rule(
    "/documents/<int:document_id>/archive", "document_archive", document_views.document_archive, methods=["POST"]
)
bp.add_url_rule("/documents/<int:document_id>/file", "document_file", document_views.document_file)
