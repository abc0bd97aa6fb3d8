"""Cross-region HTTP: the federation endpoint (machine to machine) and the administrator pages.

``POST /federation/v1/messages`` is CSRF-exempt: it is authenticated by its signature (docs/federation.md), which
is checked before the body is parsed. The administrator pages live under /admin/crossregion.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..auth.decorators import admin_required
from ..extensions import csrf, db
from ..web.htmx import render
from . import queries, services
from .models import OutboxMessage, OutboxStatus
from .signing import HEADER_KEY_ID, HEADER_NONCE, HEADER_REGION, HEADER_SIGNATURE, HEADER_TIMESTAMP

bp = Blueprint("federation", __name__)
admin_bp = Blueprint("crossregion_admin", __name__, url_prefix="/admin/crossregion")
csrf.exempt(bp)
# The case page includes crossregion/_case_panel.html, which reads a case's hand-offs through this global
# (cases never imports crossregion: architecture.md §3).
bp.add_app_template_global(queries.transfers_for_case, "xr_transfers_for")

_HEADERS = (HEADER_REGION, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE, HEADER_KEY_ID)


@bp.post(services.FEDERATION_PATH)
def receive():
    # A forward inlines its materials, so this endpoint has its own, larger limit (FEDERATION_MAX_BYTES) than the
    # app's MAX_CONTENT_LENGTH; a larger body is refused with 413 before it is read.
    request.max_content_length = current_app.config["FEDERATION_MAX_BYTES"]
    body = request.get_data(cache=False)
    headers = {name: request.headers.get(name, "") for name in _HEADERS}
    try:
        answer = services.receive_request(request.method, request.path, headers, body)
        if answer.status != 200:
            db.session.rollback()
            return jsonify(answer.body), answer.status
        db.session.commit()
    except IntegrityError:
        # The same message (or case) arrived twice at once and the other request won: answer with its result,
        # or 409 (retryable) so the sender asks again and gets the stored one.
        db.session.rollback()
        partner = services.partner_by_code(headers[HEADER_REGION])
        message_id = services.message_id_of(body)
        stored = services.inbox_result(partner, message_id) if partner and message_id else None
        if stored is None:
            return jsonify({"error": "conflict"}), 409
        return jsonify({"id": message_id, "duplicate": True, "result": stored}), 200
    return jsonify(answer.body), 200


@admin_bp.get("/")
@admin_required
def partners():
    return render("crossregion/admin.html", rows=queries.partner_rows(), tab="partners")


@admin_bp.get("/outbox")
@admin_required
def outbox():
    raw = request.args.get("status", "")
    status = OutboxStatus(raw) if raw in {s.value for s in OutboxStatus} else None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render("crossregion/outbox.html", rows=queries.outbox_rows(status, page), status=status, page=page)


@admin_bp.post("/outbox/<message_id>/retry")
@admin_required
def retry(message_id: str):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if message.status is not OutboxStatus.DELIVERED:
        services.retry_now(message)
        db.session.commit()
        flash(_("已安排立即重发"), "success")
    return redirect(url_for("crossregion_admin.outbox"), 303)


@admin_bp.get("/inbox")
@admin_required
def inbox():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render("crossregion/inbox.html", rows=queries.inbox_rows(page), page=page)
