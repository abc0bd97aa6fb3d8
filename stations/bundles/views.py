"""一件事 pages: the bundles, one application (at the bundle window, online, or by the clerk), the bundle case with
its steps, its receipt, public tracking. Thin: reads in queries, writes in services, rules in stations/access."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ..access import (
    BUNDLE_APPLY_ROLES,
    may_apply_for_bundle,
    may_maintain_bundles,
    may_register_enterprise,
    may_see_query_code,
)
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..cases.labels import upload_message
from ..cases.models import Channel
from ..domain import identifiers
from ..domain.bundles import material_key
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.models import Enterprise
from ..extensions import db, limiter
from ..idempotency import idempotent
from ..sites.models import Station, StationKind
from ..timeutil import business_today
from ..uploads.storage import UploadRejected, discard, read_checked
from ..web.error_summary import summary_entries
from ..web.htmx import render
from . import queries, services
from .forms import LEVEL_LABELS, ApplyForm
from .labels import error_message, template_labels
from .models import BundleLevel

bp = Blueprint("bundles", __name__, url_prefix="/bundles")

TRACK_RATE_LIMIT = "30/minute"


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/")
@login_required
def index():
    level = request.args.get("level", "")
    chosen = BundleLevel(level) if level in BundleLevel.__members__ else None
    return render(
        "bundles/index.html",
        bundles=queries.bundles(chosen),
        level=chosen,
        level_labels=LEVEL_LABELS,
        may_apply=may_apply_for_bundle(_user()),
        may_maintain=may_maintain_bundles(_user()),
    )


def _bundle_or_404(code: str):
    bundle = queries.get_bundle(code[:20])
    if bundle is None or not bundle.is_active:
        abort(404)
    return bundle


def _station_for(user: User, enterprise: Enterprise | None) -> Station | None:
    """Staff: their station; a clerk: its own station; online: the enterprise's station, else the centre."""
    if user.role.works_at_station:
        return db.session.get(Station, user.station_id) if user.station_id else None
    station_id = enterprise.station_id if enterprise else None
    if station_id:
        return db.session.get(Station, station_id)
    return db.session.scalar(select(Station).where(Station.kind == StationKind.CENTER))


def _own_enterprise(user: User) -> Enterprise | None:
    return db.session.get(Enterprise, user.enterprise_id) if user.role is Role.ENTERPRISE else None


def _apply_page(bundle, form: ApplyForm, errors: list[str], status: int = 200):
    user = _user()
    enterprise = _own_enterprise(user)
    merged = queries.merged_materials(bundle)
    documents = (
        enterprise_queries.valid_documents(enterprise.id, business_today(), [m.name for m in merged])
        if enterprise
        else []
    )
    return render(
        "bundles/apply.html",
        {"apply-form": "apply_form"},
        status=status,
        bundle=bundle,
        form=form,
        error_entries=summary_entries(errors, (), form),
        merged=merged,
        documents=documents,
        user=user,
        station=_station_for(user, enterprise),
        online=user.role is Role.ENTERPRISE,
        registers_enterprise=may_register_enterprise(user),  # the new enterprise's name field (_enterprise_for)
        level_labels=LEVEL_LABELS,
    )


@bp.route("/<code>/apply")
@roles_required(*BUNDLE_APPLY_ROLES)  # may_apply_for_bundle: the page's 申请 button
def apply_form(code: str):
    bundle = _bundle_or_404(code)
    form = ApplyForm()
    if request.method == "GET" and _user().role is Role.ENTERPRISE:
        form.applicant_name.data = _user().display_name
    return _apply_page(bundle, form, [])


def _enterprise_for(user: User, form: ApplyForm) -> Enterprise:
    """:raise services.BundleError: unknown or invalid enterprise."""
    if user.role is Role.ENTERPRISE:
        return _own_enterprise(user)
    uscc = identifiers.normalise(form.enterprise_uscc.data or "")
    if not identifiers.is_valid_uscc(uscc):
        raise services.BundleError("invalid_uscc")
    enterprise = enterprise_queries.by_credit_code(uscc)
    if enterprise is not None:
        return enterprise
    if may_register_enterprise(user) and form.enterprise_name.data:
        # A new enterprise (企业开办): registered here from the application, as at the case intake.
        return enterprise_services.register_enterprise(
            name=form.enterprise_name.data, uscc=uscc, contact_name=form.applicant_name.data, station_id=user.station_id
        )
    raise services.BundleError("unknown_enterprise" if may_register_enterprise(user) else "unregistered_enterprise")


def _read_materials(merged, enterprise: Enterprise | None, errors: list[str]):
    """One upload (or a document of the store) per line of the merged list, read and checked once."""
    uploads, documents = {}, {}
    store = {}
    if enterprise is not None:
        store = {d.id: d for d in enterprise_queries.valid_documents(enterprise.id, business_today())}
    for n, line in enumerate(merged):
        upload = request.files.get(f"f{n}")
        if upload is not None and upload.filename:
            try:
                data, content_type = read_checked(upload)
            except UploadRejected as rejected:
                errors.append(f"{line.name}: {upload_message(rejected.code, current_app.config['UPLOAD_MAX_BYTES'])}")
                continue
            uploads[line.name] = services.Upload(data, content_type, upload.filename)
            continue
        choice = request.form.get(f"d{n}", "")
        if choice.isdigit():
            document = store.get(int(choice))
            if document is None or material_key(document.material_name) != material_key(line.name):
                errors.append(f"{line.name}: {error_message('document_not_yours')}")
                continue
            documents[line.name] = document.id
    return uploads, documents


@bp.route("/<code>/apply", methods=["POST"])
@roles_required(*BUNDLE_APPLY_ROLES)  # may_apply_for_bundle: the page's 申请 button
@idempotent("bundles.apply")  # a double tap makes one bundle case
def apply(code: str):
    user = _user()
    bundle = _bundle_or_404(code)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _apply_page(bundle, form, [], 422)
    errors: list[str] = []
    stored: list = []
    try:
        enterprise = _enterprise_for(user, form)
        station = _station_for(user, enterprise)
        if station is None:
            raise services.BundleError("no_station", 403)
        uploads, documents = _read_materials(queries.merged_materials(bundle), enterprise, errors)
        if errors:
            db.session.rollback()
            return _apply_page(bundle, form, errors, 422)
        bundle_case = services.apply(
            bundle,
            user=user,
            station=station,
            enterprise=enterprise,
            channel=Channel.ONLINE
            if user.role is Role.ENTERPRISE
            else (Channel.COMPREHENSIVE if station.kind is StationKind.CENTER else Channel.STATION),
            applicant_name=form.applicant_name.data,
            applicant_phone=form.applicant_phone.data,
            uploads=uploads,
            documents=documents,
            stored=stored,
        )
    except (services.BundleError, ValueError, enterprise_services.EnterpriseExists) as error:
        db.session.rollback()
        discard(stored)
        code_ = getattr(error, "code", "invalid_uscc")
        return _apply_page(bundle, form, [error_message(code_, getattr(error, "detail", ""))], 422)
    bundle_no = bundle_case.bundle_no
    db.session.commit()
    flash(_("已收件，一件事编号 %(no)s。", no=bundle_no), "success")
    return redirect(url_for("bundles.show", bundle_no=bundle_no), 303)


@bp.route("/cases")
@login_required
def cases():
    user = _user()
    rows = queries.visible_bundle_cases(user)
    return render("bundles/cases.html", rows=[(bc, queries.level_of(bc)) for bc in rows], **template_labels())


def _visible(bundle_no: str):
    bundle_case = queries.get_visible(_user(), bundle_no[:24])
    if bundle_case is None:
        abort(404)
    return bundle_case


@bp.route("/cases/<bundle_no>")
@login_required
def show(bundle_no: str):
    bundle_case = _visible(bundle_no)
    return render(
        "bundles/show.html",
        bundle_case=bundle_case,
        steps=queries.steps(bundle_case),
        level=queries.level_of(bundle_case),
        show_query_code=may_see_query_code(_user()),
        **template_labels(),
    )


@bp.route("/cases/<bundle_no>/receipt")
@login_required
def receipt(bundle_no: str):
    bundle_case = _visible(bundle_no)
    if not may_see_query_code(_user()):
        abort(403)
    track_url = url_for("bundles.track", bundle_no=bundle_case.bundle_no, code=bundle_case.query_code, _external=True)
    qr_svg = Markup(segno.make(track_url, error="m").svg_inline(scale=4, svgclass="qr-code"))  # noqa: S704
    return render(
        "bundles/receipt.html",
        bundle_case=bundle_case,
        steps=queries.steps(bundle_case),
        track_url=track_url,
        qr_svg=qr_svg,
        **template_labels(),
    )


@bp.route("/track")
@limiter.limit(TRACK_RATE_LIMIT)
def track():
    bundle_no = request.args.get("bundle_no", "").strip()[:24]
    code = request.args.get("code", "").strip()[:6]
    bundle_case = queries.tracked(bundle_no, code) if bundle_no and code else None
    return render(
        "bundles/track.html",
        bundle_no=bundle_no,
        code=code,
        asked=bool(bundle_no or code),
        bundle_case=bundle_case,
        steps=queries.steps(bundle_case) if bundle_case else [],
        level=queries.level_of(bundle_case) if bundle_case else None,
        **template_labels(),
    )
