"""The catalogue maintained by the administrator (issue 12, item 3): the whole catalogue out and in as xlsx.

Import is all or nothing (catalog_xlsx.import_catalog); a refused file answers 422 with every bad row listed.
Every import is written to the audit trail (auth.audit) with what it changed.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import audit
from ..auth.decorators import admin_required
from ..extensions import db
from ..timeutil import business_today
from ..web.htmx import render
from .catalog_xlsx import ImportResult, export_catalog, import_catalog

bp = Blueprint("catalog_admin", __name__, url_prefix="/admin/catalog")

MAX_IMPORT_BYTES = 5 * 1024 * 1024
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@admin_required
def _administrators_only():
    return None


@bp.get("/")
def index():
    return render("admin/catalog_io.html", result=None)


@bp.get("/export.xlsx")
def export():
    name = f"catalogue-{business_today().isoformat()}.xlsx"
    response = Response(export_catalog(), mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _refused(message: str, result: ImportResult | None = None, status: int = 422) -> Response:
    db.session.rollback()
    return render("admin/catalog_io.html", result=result, message=message, status=status)


@bp.post("/import")
def import_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _refused(_("请选择要导入的 xlsx 文件。"), status=400)
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return _refused(_("文件过大(不超过 5 MB)。"), status=413)
    if not data.startswith(b"PK"):  # an xlsx file is a zip archive
        return _refused(_("文件不是有效的 xlsx 工作簿"))
    result = import_catalog(data)
    if not result.ok:
        return _refused(_("导入未执行:以下各行有误,请修改后重新导入整个文件。"), result)
    audit.record(
        "catalog_import",
        "success",
        current_user._get_current_object(),
        detail=f"items={result.items} materials={result.materials} scopes={result.scopes} file={upload.filename[:80]}",
    )
    db.session.commit()
    flash(
        _(
            "已导入:事项 %(items)s 行,材料 %(materials)s 行,网点范围 %(scopes)s 行。",
            items=result.items,
            materials=result.materials,
            scopes=result.scopes,
        ),
        "success",
    )
    return redirect(url_for("catalog_admin.index"), 303)
