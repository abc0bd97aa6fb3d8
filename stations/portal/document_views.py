"""The document store (材料只交一次): upload, archive and download the enterprise's own documents."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth.decorators import enterprise_required
from ..auth.models import User
from ..cases.labels import upload_message
from ..domain.documents import VALIDITY_LABELS, Validity, validity
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.forms import DocumentForm
from ..enterprises.models import Document
from ..extensions import db
from ..timeutil import business_today
from ..uploads.storage import UploadRejected, send_stored, store, upload_root
from ..web.error_summary import form_entries
from ..web.htmx import render
from .enterprise_common import TRUST_LABELS, own_enterprise, signed_in_user

# --- the document store (材料只交一次) ---------------------------------------------------------------------------


@dataclass
class DocumentRow:
    document: Document
    validity: Validity

    @property
    def validity_label(self) -> str:
        return _(VALIDITY_LABELS[self.validity])


def _documents_page(user: User, form: DocumentForm, *, status: int = 200) -> Response:
    enterprise = own_enterprise(user)
    archived = request.args.get("archived") == "1"
    today = business_today()
    rows = [
        DocumentRow(d, validity(d.valid_until, today))
        for d in enterprise_queries.documents_of(enterprise.id, archived=archived)
    ]
    return render(
        "enterprises/documents.html",
        status=status,
        user=user,
        enterprise=enterprise,
        rows=rows,
        archived=archived,
        form=form,
        error_entries=form_entries(form),
        names=enterprise_queries.material_names(enterprise.id),
        trust_labels=TRUST_LABELS,
        upload_mb=max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    )


@enterprise_required
def documents():
    return _documents_page(signed_in_user(), DocumentForm(formdata=None))


@enterprise_required
def document_upload():
    """Add a material to the store once; any later case reuses it."""
    user = signed_in_user()
    enterprise = own_enterprise(user)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _documents_page(user, form, status=422)
    try:
        stored = store(form.file.data, enterprise_id=enterprise.id, user_id=user.id)
    except UploadRejected as rejected:
        form.file.errors = [upload_message(rejected.code, current_app.config["UPLOAD_MAX_BYTES"])]
        return _documents_page(user, form, status=422)
    enterprise_services.add_document(
        enterprise.id, form.material_name.data, stored.id, user=user, valid_until=form.valid_until.data
    )
    db.session.commit()
    flash(_("“%(name)s”已存入材料库，办理其他事项时可直接选用。", name=form.material_name.data), "success")
    return redirect(url_for("enterprises.documents"), 303)


def _own_document(user: User, document_id: int) -> Document:
    document = enterprise_queries.document_of(own_enterprise(user).id, document_id)
    if document is None:
        abort(404)
    return document


@enterprise_required
def document_archive(document_id: int):
    """Stop offering a document (superseded, or no longer valid); the cases that used it keep it."""
    user = signed_in_user()
    document = _own_document(user, document_id)
    enterprise_services.archive_document(document)
    db.session.commit()
    flash(_("“%(name)s”已归档，不再供新的办件选用。", name=document.material_name), "success")
    return redirect(url_for("enterprises.documents"), 303)


@enterprise_required
def document_file(document_id: int):
    """The file of one of the enterprise's own documents (another enterprise's: 404)."""
    document = _own_document(signed_in_user(), document_id)
    if not (upload_root() / document.file.storage_name).is_file():
        abort(404)
    return send_stored(document.file)
