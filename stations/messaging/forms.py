"""The message form: text, and optionally a case and a document from the enterprise's store."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .models import MAX_BODY


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("消息内容"),
        validators=[
            DataRequired(message=_l("请输入消息内容。")),
            Length(max=MAX_BODY, message=_l("消息不能超过 %(max)d 个字符。")),
        ],
    )
    # Choices are the enterprise's latest cases and valid documents, set by the view.
    case_no = SelectField(_l("关联办件（选填）"), choices=[SelectChoice("", "")], default="", validate_choice=True)
    document_id = SelectField(
        _l("附件：从企业材料库选择（选填）"), choices=[SelectChoice("", "")], default="", validate_choice=True
    )
