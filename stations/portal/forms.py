"""Forms of the enterprise's pages: the online application (the materials are read by the view)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..cases.forms import PHONE
from ..clerks.models import MAX_CHOICE_NOTE


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ApplyForm(FlaskForm):
    """Who applies, with the chosen item and station (hidden or radio, chosen on the page)."""

    item = HiddenField()
    station = StringField()  # radio buttons rendered by the template; checked against the item's stations
    applicant_name = StringField(
        _l("经办人姓名"),
        id="apply-name",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写经办人姓名。")), Length(max=100)],
        render_kw={"autocomplete": "name"},
    )
    applicant_phone = StringField(
        _l("联系电话"),
        id="apply-phone",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写联系电话，驿站会电话联系您。")), PHONE],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    note = TextAreaField(
        _l("备注（选填）"), id="apply-note", filters=[_strip], validators=[Optional(), Length(max=500)]
    )


class ClerkChoiceForm(FlaskForm):
    """Choosing or changing the dedicated clerk: the optional reason is kept with the choice."""

    note = TextAreaField(
        _l("更换原因（选填）"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=MAX_CHOICE_NOTE, message=_l("更换原因请控制在 %(max)d 字以内。"))],
    )
