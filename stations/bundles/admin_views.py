"""Administrators maintain the bundles: htmx forms (a cycle is refused at save) and xlsx import / export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..extensions import db
from ..idempotency import idempotent
from ..web.htmx import render
from . import queries, services, xlsx
from .forms import LEVEL_LABELS, BundleForm, member_lines, parse_members
from .labels import error_message
from .models import BundleLevel

bp = Blueprint("bundle_admin", __name__, url_prefix="/admin/bundles")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.route("/")
@admin_required
def index():
    return render("bundles/admin_index.html", bundles=queries.bundles(active_only=False), level_labels=LEVEL_LABELS)


def _form_page(form: BundleForm, bundle, errors: list[str], status: int = 200):
    return render(
        "bundles/admin_form.html",
        {"bundle-form": "bundle_form"},
        status=status,
        form=form,
        bundle=bundle,
        errors=errors,
    )


@bp.route("/new")
@admin_required
def new():
    form = BundleForm()
    form.level.data = BundleLevel.LOCAL.value
    form.promised_days.data = 5
    return _form_page(form, None, [])


def _bundle_or_404(code: str):
    bundle = queries.get_bundle(code[:20])
    if bundle is None:
        abort(404)
    return bundle


@bp.route("/<code>/edit")
@admin_required
def edit(code: str):
    bundle = _bundle_or_404(code)
    form = BundleForm(obj=bundle)
    form.level.data = bundle.level.value
    form.members.data = member_lines(bundle)
    return _form_page(form, bundle, [])


def _save(bundle):
    form = BundleForm()
    if not form.validate_on_submit():
        return _form_page(form, bundle, [], 422)
    parsed = parse_members(form.members.data)
    if parsed.errors:
        return _form_page(form, bundle, parsed.errors, 422)
    data = services.BundleInput(
        form.code.data,
        form.name.data,
        BundleLevel(form.level.data),
        bool(form.is_online.data),
        form.scenario_text.data or "",
        form.promised_days.data,
        parsed.members,
    )
    try:
        saved = services.save_bundle(bundle, data)
    except services.BundleError as error:
        db.session.rollback()
        message = error_message(error.code)
        return _form_page(form, bundle, [f"{message} {error.detail}".strip()], 422 if error.status == 422 else 409)
    code = saved.code
    db.session.commit()
    flash(_("套餐已保存。"), "success")
    return redirect(url_for("bundle_admin.edit", code=code), 303)


@bp.route("/new", methods=["POST"])
@admin_required
@idempotent("bundles.admin.create")
def create():
    return _save(None)


@bp.route("/<code>/edit", methods=["POST"])
@admin_required
def update(code: str):
    return _save(_bundle_or_404(code))


@bp.route("/export.xlsx")
@admin_required
def export():
    from flask import Response

    response = Response(xlsx.export_workbook(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = "attachment; filename=bundles.xlsx"
    return response


@bp.route("/import", methods=["POST"])
@admin_required
@idempotent("bundles.admin.import")
def import_():
    upload = request.files.get("file")
    data = upload.read(MAX_IMPORT_BYTES + 1) if upload is not None and upload.filename else b""
    errors = []
    if not data or len(data) > MAX_IMPORT_BYTES:
        errors = [_("请选择不超过 5 MB 的 xlsx 工作簿。")]
    else:
        result = xlsx.import_workbook(data)
        errors = result.errors
    if errors:
        db.session.rollback()
        return render(
            "bundles/admin_index.html",
            status=422,
            bundles=queries.bundles(active_only=False),
            level_labels=LEVEL_LABELS,
            import_errors=errors,
        )
    db.session.commit()
    flash(_("已导入 %(n)s 个套餐。", n=result.saved), "success")
    return redirect(url_for("bundle_admin.index"), 303)
