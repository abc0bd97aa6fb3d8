"""The catalogue maintained by the administrator (issue 12, item 3): the whole catalogue out and in as xlsx.

Import is all or nothing (catalog_xlsx.import_catalog); a refused file answers 422 with every bad row listed.
Every import is written to the audit trail (auth.audit) with what it changed.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth import audit
from ..auth.decorators import admin_required
from ..catalog.models import Department, ItemMaterial, ItemType, OnlineMode, ServiceItem
from ..catalog.search import pinyin_initials
from ..extensions import db
from ..timeutil import business_today
from ..web.htmx import hx_push_url, is_htmx, render
from .catalog_forms import ItemForm
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
        return _refused(_("文件过大（不超过 5 MB）。"), status=413)
    if not data.startswith(b"PK"):  # an xlsx file is a zip archive
        return _refused(_("文件不是有效的 xlsx 工作簿"))
    result = import_catalog(data)
    if not result.ok:
        return _refused(_("导入未执行：以下各行有误，请修改后重新导入整个文件。"), result)
    audit.record(
        "catalog_import",
        "success",
        current_user._get_current_object(),
        detail=f"items={result.items} materials={result.materials} scopes={result.scopes} file={upload.filename[:80]}",
    )
    db.session.commit()
    flash(
        _(
            "已导入：事项 %(items)s 行，材料 %(materials)s 行，网点范围 %(scopes)s 行。",
            items=result.items,
            materials=result.materials,
            scopes=result.scopes,
        ),
        "success",
    )
    return redirect(url_for("catalog_admin.index"), 303)


# --- one item: add and edit (validated form, audit trail) ---------------------------------------------------------

ITEM_FIELDS = ("name", "statutory_days", "promised_days", "max_visits", "is_instant", "rongque_allowed")
MATERIAL_FLAGS = ("is_required", "is_main", "rongque_allowed")


def _departments() -> list[SelectChoice]:
    return [SelectChoice(d.code, d.name) for d in db.session.scalars(select(Department).order_by(Department.code))]


ITEM_FRAGMENTS = {"item-form": "item_form"}  # htmx: the form swaps itself (422 with its errors, or saved)


def _item_page(
    form: ItemForm, item: ServiceItem | None, status: int = 200, message: str | None = None, saved: str | None = None
) -> Response:
    return render(
        "admin/catalog_item.html", ITEM_FRAGMENTS, form=form, item=item, status=status, message=message, saved=saved
    )


def _saved(item: ServiceItem, text: str) -> Response:
    """After a good save: htmx swaps in the saved form (and the item's own URL); without JS, PRG to the item."""
    if not is_htmx():
        flash(text, "success")
        return redirect(url_for("catalog_admin.item_edit", code=item.code), 303)
    form = ItemForm(formdata=None, obj=item)
    form.department.choices = _departments()
    form.department.data = item.department.code
    form.item_type.data = item.item_type.value
    return hx_push_url(_item_page(form, item, saved=text), url_for("catalog_admin.item_edit", code=item.code))


@bp.route("/items/new", methods=["GET", "POST"])
def item_new():
    form = ItemForm()
    form.department.choices = _departments()
    if request.method == "GET":
        return _item_page(form, None)
    if not form.validate():
        return _item_page(form, None, 422)
    if db.session.scalar(select(ServiceItem.id).where(ServiceItem.code == form.code.data)):
        form.code.errors = [_("该事项编码已存在。")]
        return _item_page(form, None, 422)
    item = ServiceItem(code=form.code.data, online_mode=OnlineMode.OFFLINE, materials=[])
    changes = _apply(form, item)
    db.session.add(item)  # after _apply: its department lookup must not flush a half-filled item
    db.session.flush()
    audit.record("catalog_item_add", "success", current_user._get_current_object(), detail=f"{item.code} {changes}")
    db.session.commit()
    return _saved(item, _("已新增事项 %(code)s。", code=item.code))


def _apply(form: ItemForm, item: ServiceItem) -> list[str]:
    """Copy the form onto the item; the names of the fields that changed (for the audit row)."""
    changes = []
    department = db.session.scalar(select(Department).where(Department.code == form.department.data))
    values = {
        "name": form.name.data.strip(),
        "department_id": department.id,
        "item_type": ItemType(form.item_type.data),
        "is_instant": bool(form.is_instant.data),
        "statutory_days": form.statutory_days.data,
        "promised_days": form.promised_days.data,
        "max_visits": form.max_visits.data,
        "rongque_allowed": bool(form.rongque_allowed.data),
        "rongque_default_days": form.rongque_default_days.data,
        "is_active": bool(form.is_active.data),
    }
    for key, value in values.items():
        if getattr(item, key, None) != value:
            setattr(item, key, value)
            changes.append(key)
    item.name_initials = pinyin_initials(item.name)
    return changes


@bp.route("/items/<code>", methods=["GET", "POST"])
def item_edit(code: str):
    item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == code))
    if item is None:
        abort(404)
    form = ItemForm(obj=item) if request.method == "GET" else ItemForm()
    form.department.choices = _departments()
    if request.method == "GET":
        form.department.data = item.department.code
        form.item_type.data = item.item_type.value
        return _item_page(form, item)
    form.code.data = item.code  # the code is the item's key: never edited here
    if not form.validate():
        return _item_page(form, item, 422)
    changes = _apply(form, item)
    changes += _apply_materials(item)
    audit.record("catalog_item_edit", "success", current_user._get_current_object(), detail=f"{item.code} {changes}")
    db.session.commit()
    return _saved(item, _("已保存。") if changes else _("没有改动。"))


def _apply_materials(item: ServiceItem) -> list[str]:
    """Each material's flags from its checkboxes (``m<id>-<flag>``); a main material is never 容缺-allowed."""
    changes = []
    material: ItemMaterial
    for material in item.materials:
        for flag in MATERIAL_FLAGS:
            value = request.form.get(f"m{material.id}-{flag}") == "y"
            if flag == "rongque_allowed" and request.form.get(f"m{material.id}-is_main") == "y":
                value = False
            if getattr(material, flag) != value:
                setattr(material, flag, value)
                changes.append(f"{material.code}.{flag}")
    return changes
