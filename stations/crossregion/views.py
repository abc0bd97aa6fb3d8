"""Cross-region HTTP: the federation endpoint (machine to machine) and the administrator pages.

``POST /federation/v1/messages`` is CSRF-exempt: it is authenticated by its signature (docs/federation.md), which
is checked before the body is parsed. The administrator pages live under /admin/crossregion.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth.decorators import admin_required
from ..extensions import csrf, db
from ..timeutil import utcnow
from ..web.htmx import hx_location, is_htmx, render, render_fragment
from ..web.params import int_arg
from . import admin_services, keys, queries, services
from .admin_forms import KIND_LABELS, ActionForm, PartnerForm, PartnerItemForm, PartnerKeyForm
from .models import MessageKind, OutboxMessage, OutboxStatus, PartnerItem, PartnerKey, PartnerRegion
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
    return render(
        "crossregion/admin.html",
        rows=queries.partner_rows(),
        keyed=queries.keyed_partner_ids(utcnow()),
        tab="partners",
        kind_labels=KIND_LABELS,
    )


# --- partner and agreement administration ------------------------------------------------------------------------

_PARTNER_TEMPLATE = "crossregion/partner.html"


def _actor():
    return current_user._get_current_object()


def _partner(partner_id: int) -> PartnerRegion:
    partner = db.session.get(PartnerRegion, partner_id)
    if partner is None:
        abort(404)
    return partner


def _partner_values(form: PartnerForm) -> dict:
    names = ("name", "agreement_kind", "agreed_item_count", "base_url", "is_active", "ca_bundle_pem")
    return {name: getattr(form, name).data for name in names}


def _page_context(partner: PartnerRegion, **forms) -> dict:
    now = utcnow()
    key_rows = keys.key_rows(partner)
    return {
        "partner": partner,
        "form": forms.get("form") or PartnerForm(partner=partner, formdata=None),
        "item_form": forms.get("item_form") or PartnerItemForm(partner=partner, formdata=None),
        "key_form": forms.get("key_form") or PartnerKeyForm(partner=partner, formdata=None),
        "items": queries.partner_items(partner),
        "key_rows": key_rows,
        "legacy_key": bool(partner.shared_key) and not key_rows,
        "signing_key": keys.signing_key(partner, now, key_rows),
        "now": now,
        "kind_labels": KIND_LABELS,
        "new_secret": forms.get("new_secret"),
        "key_error": forms.get("key_error"),
        "saved": forms.get("saved", False),
    }


def _panel(partner: PartnerRegion, block: str, status: int = 200, **forms):
    """htmx: the panel in place (422 with the form's errors); without JS: back to the page (PRG) or the page."""
    if is_htmx():
        return render_fragment(_PARTNER_TEMPLATE, [block], status=status, **_page_context(partner, **forms))
    if status == 200:
        return redirect(url_for("crossregion_admin.partner_edit", partner_id=partner.id), 303)
    return render(_PARTNER_TEMPLATE, status=status, **_page_context(partner, **forms))


@admin_bp.route("/partners/new", methods=["GET", "POST"])
@admin_required
def partner_new():
    form = PartnerForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            fragments = {"partner-form": "partner_form"}
            return render(_PARTNER_TEMPLATE, fragments, status=422, partner=None, form=form, kind_labels=KIND_LABELS)
        partner = admin_services.create_partner(_actor(), code=form.code.data, **_partner_values(form))
        db.session.commit()
        flash(_("已添加合作地区 %(name)s。", name=partner.name), "success")
        target = url_for("crossregion_admin.partner_edit", partner_id=partner.id)
        return hx_location(target) if is_htmx() else redirect(target, 303)
    return render(_PARTNER_TEMPLATE, partner=None, form=form, kind_labels=KIND_LABELS)


@admin_bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@admin_required
def partner_edit(partner_id: int):
    partner = _partner(partner_id)
    if request.method == "GET":
        return render(_PARTNER_TEMPLATE, **_page_context(partner))
    form = PartnerForm(partner=partner)
    if not form.validate_on_submit():
        return _panel(partner, "partner_form", 422, form=form)
    changed = admin_services.update_partner(_actor(), partner, **_partner_values(form))
    db.session.commit()
    if not is_htmx():
        flash(_("已保存。") if changed else _("没有修改。"), "success")
    return _panel(partner, "partner_form", saved=True)


@admin_bp.post("/partners/<int:partner_id>/items")
@admin_required
def item_add(partner_id: int):
    partner = _partner(partner_id)
    form = PartnerItemForm(partner=partner)
    if not form.validate_on_submit():
        return _panel(partner, "items_panel", 422, item_form=form)
    admin_services.add_item(
        _actor(),
        partner,
        form.item,
        partner_item_code=form.partner_item_code.data,
        partner_item_name=form.partner_item_name.data,
        is_same_standard=form.is_same_standard.data,
    )
    db.session.commit()
    return _panel(partner, "items_panel")


@admin_bp.post("/partners/<int:partner_id>/items/<int:row_id>/remove")
@admin_required
def item_remove(partner_id: int, row_id: int):
    partner = _partner(partner_id)
    row = db.session.get(PartnerItem, row_id)
    if row is None or row.partner_id != partner.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    admin_services.remove_item(_actor(), row)
    db.session.commit()
    return _panel(partner, "items_panel")


@admin_bp.post("/partners/<int:partner_id>/keys")
@admin_required
def key_add(partner_id: int):
    partner = _partner(partner_id)
    form = PartnerKeyForm(partner=partner)
    if not form.validate_on_submit():
        return _panel(partner, "keys_panel", 422, key_form=form)
    key = admin_services.add_key(
        _actor(),
        partner,
        key_id=form.key_id.data,
        secret=form.secret.data or None,
        starts_in_hours=form.starts_in_hours.data,
        valid_days=form.valid_days.data,
    )
    db.session.commit()
    # A generated secret is shown once, in this answer, to be handed to the partner over a separate channel.
    new_secret = None if form.secret.data else key.secret
    if is_htmx() or new_secret is None:
        return _panel(partner, "keys_panel", new_secret=new_secret)
    return render(_PARTNER_TEMPLATE, **_page_context(partner, new_secret=new_secret))


@admin_bp.post("/partners/<int:partner_id>/keys/<int:key_row_id>/retire")
@admin_required
def key_retire(partner_id: int, key_row_id: int):
    partner = _partner(partner_id)
    key = db.session.get(PartnerKey, key_row_id)
    if key is None or key.partner_id != partner.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        admin_services.retire_key(_actor(), partner, key)
    except admin_services.LastKeyError:
        db.session.rollback()
        return _panel(partner, "keys_panel", 422, key_error=_("这是唯一有效的密钥：请先添加新密钥，再停用旧密钥。"))
    db.session.commit()
    return _panel(partner, "keys_panel")


@admin_bp.get("/outbox")
@admin_required
def outbox():
    raw = request.args.get("status", "")
    status = OutboxStatus(raw) if raw in {s.value for s in OutboxStatus} else None
    page = int_arg("page", 1, minimum=1)
    # Not ``status=``: render() takes that as the HTTP status (it answered "0 pending", a 500 in production).
    return render("crossregion/outbox.html", rows=queries.outbox_rows(status, page), shown_status=status, page=page)


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
    raw = request.args.get("kind", "")
    kind = MessageKind(raw) if raw in {k.value for k in MessageKind} else None
    page = int_arg("page", 1, minimum=1)
    return render(
        "crossregion/inbox.html",
        rows=queries.inbox_rows(page, kind),
        shown_kind=kind,
        kinds=list(MessageKind),
        page=page,
    )
