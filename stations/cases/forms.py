"""Forms of the case pages: intake (收件), registering an enterprise, firing an event, supplying a 容缺 item.

The materials checklist of the intake form depends on the item, so its fields (``m<id>`` radio, ``f<id>`` file) are
read by the view; the fixed fields are here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..web.forms import CreditCode

PHONE = Regexp(r"^[0-9+\- ]{5,20}$", message=_l("电话号码格式不正确。"))
MAX_NOTE = 2000


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class IntakeForm(FlaskForm):
    """Who is at the counter, plus the chosen station, enterprise and item (hidden, chosen on the page)."""

    station = HiddenField()
    enterprise = HiddenField()
    item = HiddenField()
    applicant_name = StringField(
        _l("经办人或代理人姓名"),
        id="applicant-name",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写经办人或代理人姓名。")), Length(max=100)],
        render_kw={"autocomplete": "name"},
    )
    applicant_phone = StringField(
        _l("联系电话"),
        id="applicant-phone",
        filters=[_strip],
        validators=[Optional(), PHONE],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    is_agent = BooleanField(_l("代为办理（持授权委托书）"), id="applicant-is-agent")
    note = TextAreaField(_l("备注"), id="intake-note", filters=[_strip], validators=[Optional(), Length(max=500)])
    # 跨区通办: empty = handled here; else the code of the partner district that decides (checked by the view).
    xr_partner = StringField(filters=[_strip], validators=[Optional(), Length(max=16)])
    # 收件并受理 (issue 19): the submit button that also accepts, and the 容缺承诺书 that acceptance may need.
    accept_now = BooleanField()
    commitment_signed = BooleanField(_l("申请人已签署容缺承诺书"), id="intake-commitment")


class EnterpriseForm(FlaskForm):
    """A new enterprise, typed from its business licence at the counter."""

    name = StringField(
        _l("企业名称"),
        id="new-enterprise-name",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写企业名称。")), Length(max=200)],
    )
    uscc = StringField(
        _l("统一社会信用代码"),
        id="new-enterprise-uscc",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写统一社会信用代码。")), CreditCode()],
        render_kw={"maxlength": 24, "autocapitalize": "characters", "spellcheck": "false"},
    )
    contact_name = StringField(
        _l("联系人"), id="new-enterprise-contact", filters=[_strip], validators=[Optional(), Length(max=100)]
    )
    contact_phone = StringField(
        _l("联系电话"),
        id="new-enterprise-phone",
        filters=[_strip],
        validators=[Optional(), PHONE],
        render_kw={"inputmode": "tel"},
    )


class EventForm(Form):
    """The fields any event form may post; which ones matter depends on the event (checked by the view)."""

    version = IntegerField(validators=[InputRequired()])
    note = TextAreaField(filters=[_strip], validators=[Optional(), Length(max=MAX_NOTE)])
    reason = TextAreaField(filters=[_strip], validators=[Optional(), Length(max=MAX_NOTE)])
    commitment_signed = BooleanField()
    delivery_mode = StringField(filters=[_strip])
    partner_code = StringField(filters=[_strip], validators=[Optional(), Length(max=16)])  # forward: to whom
    special_kind = StringField(filters=[_strip], validators=[Optional(), Length(max=16)])  # start_special: 类别
    verified_material_ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()


class SupplyForm(Form):
    """Supplying a 容缺 item: a file (camera or file) or a document from the enterprise's store."""

    document_id = IntegerField(validators=[Optional()])
    next = HiddenField()
