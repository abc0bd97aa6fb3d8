"""Forms of the enterprise's own pages: adding a document to its store."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..timeutil import business_today


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class DocumentForm(FlaskForm):
    """One material for the store: its name (matched against the items' material names), the file, its expiry."""

    material_name = StringField(
        _l("材料名称"),
        id="document-name",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写材料名称，例如“营业执照”。")), Length(max=200)],
        render_kw={"list": "material-names", "autocomplete": "off"},
    )
    file = FileField(
        _l("文件（PDF、JPEG、PNG）"),
        id="document-file",
        validators=[FileRequired(message=_l("请拍照或选择文件。"))],
        render_kw={"accept": "application/pdf,image/*"},
    )
    valid_until = DateField(
        _l("有效期至（选填）"),
        id="document-valid-until",
        validators=[Optional()],
    )

    def validate_valid_until(self, field: DateField) -> None:
        if field.data and field.data < business_today():
            raise ValidationError(_l("有效期已过，请上传有效的材料。"))
