"""The rating form and the rectification step form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..domain import ratings as rules
from .models import MAX_TEXT


class RatingForm(FlaskForm):
    level = RadioField(
        _l("满意程度"),
        choices=[SelectChoice(level, _l(label)) for level, label in rules.LEVEL_LABELS.items()],
        coerce=int,
        validators=[InputRequired(message=_l("请选择满意程度。"))],
    )
    reasons = SelectMultipleField(
        _l("不满意的原因（可多选）"),
        choices=[SelectChoice(code, _l(label)) for code, label in rules.PRESET_REASONS.items()],
    )
    comment = TextAreaField(
        _l("意见建议（选填）"),
        validators=[Optional(), Length(max=rules.MAX_COMMENT, message=_l("意见建议不能超过 %(max)d 个字符。"))],
    )


class StepForm(FlaskForm):
    """Every field a step may need; which ones a step requires is the service's rule."""

    findings = TextAreaField(_l("回访核实情况"), validators=[Optional(), Length(max=MAX_TEXT)])
    disposition = RadioField(
        _l("整改方式"),
        choices=[
            SelectChoice(rules.Disposition.FIX_NOW.value, _l(rules.DISPOSITION_LABELS[rules.Disposition.FIX_NOW])),
            SelectChoice(rules.Disposition.FIX_LATER.value, _l(rules.DISPOSITION_LABELS[rules.Disposition.FIX_LATER])),
        ],
        validators=[Optional()],
    )
    measures = TextAreaField(_l("整改措施"), validators=[Optional(), Length(max=MAX_TEXT)])
    feedback = TextAreaField(_l("给评价人的反馈"), validators=[Optional(), Length(max=MAX_TEXT)])
    note = TextAreaField(_l("说明（选填）"), validators=[Optional(), Length(max=MAX_TEXT)])
