"""The administrator's form for one catalogue item: limits, 容缺 eligibility and its materials (issue 12)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..catalog.models import ItemType


class ItemForm(FlaskForm):
    code = StringField(
        _l("事项编码"), validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Z]{2}-[A-Z0-9]+-\d{4}$")]
    )
    name = StringField(_l("事项名称"), validators=[DataRequired(), Length(max=200)])
    department = SelectField(_l("实施部门"), validators=[InputRequired()])
    item_type = SelectField(
        _l("事项类型"), choices=[SelectChoice(t.value, t.value) for t in ItemType], validators=[InputRequired()]
    )
    is_instant = BooleanField(_l("即办件"))
    statutory_days = IntegerField(_l("法定办结时限（工作日）"), validators=[InputRequired(), NumberRange(0, 365)])
    promised_days = IntegerField(_l("承诺办结时限（工作日）"), validators=[InputRequired(), NumberRange(0, 365)])
    max_visits = IntegerField(_l("到现场次数"), validators=[InputRequired(), NumberRange(0, 9)])
    rongque_allowed = BooleanField(_l("列入容缺受理清单"))
    rongque_default_days = IntegerField(_l("容缺补齐期限（工作日，选填）"), validators=[Optional(), NumberRange(1, 60)])
    is_active = BooleanField(_l("在用"), default=True)

    def validate_promised_days(self, field) -> None:
        if self.is_instant.data and field.data:
            raise ValidationError(_l("即办件的承诺时限应为 0。"))
        if self.statutory_days.data and field.data and field.data > self.statutory_days.data:
            raise ValidationError(_l("承诺时限不能超过法定时限。"))
