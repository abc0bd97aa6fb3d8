"""The order form (WTForms): what an enterprise, its clerk or station staff fill in to order a visit.

The form checks shapes and lengths only; what makes an order acceptable (a menu line or a custom request, an
address inside the new city, a callable phone) is the core's rule (services.place_order), whose refusals are
shown at the field they concern.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

# The core's refusal code -> the form field that shows it.
FIELD_OF_ERROR = {
    "no_line": "lines",
    "unknown_line": "lines",
    "too_many_lines": "lines",
    "custom_too_long": "custom_request",
    "address_required": "address",
    "address_outside": "address",
    "contact_required": "contact_name",
    "phone_invalid": "contact_phone",
    "unknown_enterprise": "enterprise_uscc",
    "not_permitted": "enterprise_uscc",
}


class OrderForm(FlaskForm):
    enterprise_uscc = StringField(
        _l("企业统一社会信用代码（代企业点单时填写）"), validators=[Optional(), Length(max=18)]
    )
    lines = SelectMultipleField(_l("服务项目"), choices=[], validate_choice=False)
    custom_request = TextAreaField(
        _l("个性化需求（菜单里没有的服务，写在这里）"), validators=[Optional(), Length(max=2000)]
    )
    address = StringField(_l("上门地址"), validators=[DataRequired(_l("请填写上门服务的详细地址。")), Length(max=200)])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("请填写联系人姓名。")), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话。")), Length(max=20)])
    preferred_windows = StringField(
        _l("希望上门的时间（选填，如：工作日上午）"), validators=[Optional(), Length(max=120)]
    )
