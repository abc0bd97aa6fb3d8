"""Forms of the key-project pages: a procedure event's note, a dispatch meeting, a site visit, a case link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class NoteForm(FlaskForm):
    note = TextAreaField(_l("说明"), filters=[_strip], validators=[Optional(), Length(max=2000)])


class MeetingForm(FlaskForm):
    """New time points come as ``planned_<procedure id>`` date inputs next to each procedure."""

    held_on = DateField(_l("会议日期"), id="meeting-date", validators=[InputRequired(message=_l("请填写会议日期。"))])
    decisions = TextAreaField(
        _l("会议决定"),
        id="meeting-decisions",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写会议决定。")), Length(max=2000)],
    )
    owners = StringField(_l("责任人"), id="meeting-owners", filters=[_strip], validators=[Length(max=200)])


class VisitForm(FlaskForm):
    visited_on = DateField(_l("走访日期"), id="visit-date", validators=[InputRequired(message=_l("请填写走访日期。"))])
    note = TextAreaField(
        _l("走访记录"),
        id="visit-note",
        filters=[_strip],
        validators=[InputRequired(message=_l("请填写走访记录。")), Length(max=2000)],
    )


class LinkForm(FlaskForm):
    case_no = StringField(
        _l("办件编号"), filters=[_strip], validators=[InputRequired(message=_l("请填写办件编号。")), Length(max=24)]
    )
