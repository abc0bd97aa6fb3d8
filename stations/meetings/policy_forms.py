"""The form a station uses to put a 政策宣讲 session on the calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError


def _link(form, field) -> None:
    if field.data and not field.data.startswith(("https://", "http://")):
        raise ValidationError(_l("链接须以 https:// 开头。"))


class SessionForm(FlaskForm):
    title = StringField(_l("标题"), validators=[InputRequired(message=_l("请填写标题。")), Length(max=200)])
    theme = StringField(_l("类别（如 人才政策）"), validators=[Optional(), Length(max=50)])
    speakers = StringField(_l("主讲"), validators=[Optional(), Length(max=300)])
    starts_at = DateTimeLocalField(
        _l("开始时间"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(message=_l("请填写开始时间。"))]
    )
    minutes = IntegerField(_l("时长（分钟）"), default=120, validators=[NumberRange(min=15, max=600)])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    live_url = StringField(_l("直播链接"), validators=[Optional(), Length(max=300), _link])
    capacity = IntegerField(_l("名额"), default=30, validators=[InputRequired(), NumberRange(min=1, max=5000)])
    materials = TextAreaField(_l("资料（每行一项）"), validators=[Optional(), Length(max=4000)])
    replay_url = StringField(_l("回放链接"), validators=[Optional(), Length(max=300), _link])


class SessionEditForm(SessionForm):
    """The same fields, plus the version read (a stale edit is a 409)."""

    version = HiddenField()
