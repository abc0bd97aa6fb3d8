"""The administrator's API key forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class IssueKeyForm(FlaskForm):
    name = StringField(
        _l("接入方名称"),
        id="api-key-name",
        filters=[_strip],
        validators=[DataRequired(message=_l("请填写接入方名称。")), Length(max=100)],
        description=_l("例如：泾心助企小程序。密钥只在签发时显示一次。"),
    )
