"""JSON API v1 (contract.md): the blueprint, its CSRF policy and its whole URL surface, in one place.

Handlers live by subject (catalog.py: public reads; cases.py: cases; selfservice.py: the enterprise's documents,
messages and ratings); shapes in ``serializers``, reads in the features' ``queries``, writes in their services.
Errors go through ``web.errors.error_response``, which answers ``{"error": {"code", "message"}}`` under /api/.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from ..auth import tokens
from ..extensions import csrf
from ..web.errors import error_response
from . import appeals, bundles, cases, catalog, meetings, policy_sessions, projects, selfservice, takeout
from .base import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# CSRF: the blueprint is exempt from the app-wide check and checks here instead, for session-authenticated calls
# only. A bearer call cannot be forged by another site (it cannot set the header) and an anonymous call is
# answered 401 anyway.
csrf.exempt(bp)


@bp.before_request
def check_csrf_for_sessions():
    """Session-authenticated writes need X-CSRFToken; bearer and anonymous calls do not (see above)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or tokens.bearer_request():
        return
    if current_user.is_authenticated:
        csrf.protect()


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.message, error.code)


bp.add_url_rule("/stations", "stations", catalog.stations, methods=["GET"])
bp.add_url_rule("/catalog", "catalog", catalog.catalog, methods=["GET"])
bp.add_url_rule("/metrics/catalog", "catalog_metrics", catalog.catalog_metrics, methods=["GET"])
bp.add_url_rule("/cases", "list_cases", cases.list_cases, methods=["GET"])
bp.add_url_rule("/cases/<case_no>", "get_case", cases.get_case, methods=["GET"])
bp.add_url_rule("/cases", "create_case", cases.create_case, methods=["POST"])
bp.add_url_rule("/cases/<case_no>/events", "post_event", cases.post_event, methods=["POST"])
bp.add_url_rule("/documents", "list_documents", selfservice.list_documents, methods=["GET"])
bp.add_url_rule("/messages", "list_messages", selfservice.list_messages, methods=["GET"])
bp.add_url_rule("/messages", "post_message", selfservice.post_message, methods=["POST"])
bp.add_url_rule("/ratings", "list_ratings", selfservice.list_ratings, methods=["GET"])
bp.add_url_rule("/cases/<case_no>/rating", "rate_case", selfservice.rate_case, methods=["POST"])
bp.add_url_rule("/appeals", "list_appeals", appeals.list_appeals, methods=["GET"])
bp.add_url_rule("/appeals/<appeal_no>", "get_appeal", appeals.get_appeal, methods=["GET"])
bp.add_url_rule("/appeals", "create_appeal", appeals.create_appeal, methods=["POST"])
bp.add_url_rule("/appeals/<appeal_no>/events", "post_appeal_event", appeals.post_appeal_event, methods=["POST"])
bp.add_url_rule("/bundles", "list_bundles", bundles.list_bundles, methods=["GET"])
bp.add_url_rule("/bundle-cases/<bundle_no>", "get_bundle_case", bundles.get_bundle_case, methods=["GET"])
bp.add_url_rule("/bundle-cases", "create_bundle_case", bundles.create_bundle_case, methods=["POST"])
bp.add_url_rule("/projects", "list_projects", projects.list_projects, methods=["GET"])
bp.add_url_rule("/takeout/menu", "takeout_menu", takeout.takeout_menu, methods=["GET"])
bp.add_url_rule("/takeout/orders", "list_takeout_orders", takeout.list_orders, methods=["GET"])
bp.add_url_rule("/takeout/orders", "create_takeout_order", takeout.create_order, methods=["POST"])
bp.add_url_rule("/takeout/orders/<order_no>", "get_takeout_order", takeout.get_order, methods=["GET"])
bp.add_url_rule("/takeout/orders/<order_no>/events", "post_takeout_event", takeout.post_order_event, methods=["POST"])
bp.add_url_rule("/meetings", "list_meetings", meetings.list_meetings, methods=["GET"])
bp.add_url_rule("/meetings/<meeting_no>", "get_meeting", meetings.get_meeting, methods=["GET"])
bp.add_url_rule("/meetings", "create_meeting", meetings.create_meeting, methods=["POST"])
bp.add_url_rule("/officials", "list_officials", meetings.list_officials, methods=["GET"])
bp.add_url_rule("/meetings/<meeting_no>/events", "post_meeting_event", meetings.post_meeting_event, methods=["POST"])
bp.add_url_rule("/policy-sessions", "list_policy_sessions", policy_sessions.list_policy_sessions, methods=["GET"])
bp.add_url_rule(
    "/policy-sessions/<int:session_id>",
    "edit_policy_session",
    policy_sessions.edit_policy_session,
    methods=["PATCH"],
)
bp.add_url_rule(
    "/policy-sessions/<int:session_id>/signups",
    "sign_up_policy_session",
    policy_sessions.sign_up_policy_session,
    methods=["POST"],
)
bp.add_url_rule(
    "/policy-sessions/questions/<int:question_id>/appeal",
    "policy_session_question_to_appeal",
    policy_sessions.question_to_appeal,
    methods=["POST"],
)
