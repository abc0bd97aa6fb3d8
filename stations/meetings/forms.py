"""The meeting request form and the parsing of an event's fields (page form or API body)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..domain.commitment_clock import MAX_DAYS as MAX_COMMITMENT_DAYS
from ..domain.meeting_flow import KIND_LABELS, MeetingEvent, MeetingKind
from .errors import MeetingError
from .models import MAX_TEXT, MAX_TOPIC
from .services import MAX_PREFERRED, EventInput

MAX_COMMITMENTS = 20


class RequestForm(FlaskForm):
    kind = RadioField(
        _l("约见方式"),
        choices=[SelectChoice(kind.value, _l(label)) for kind, label in KIND_LABELS.items()],
        default=MeetingKind.MEET.value,
        validators=[InputRequired(message=_l("请选择约见方式。"))],
    )
    enterprise_uscc = StringField(
        _l("企业统一社会信用代码（代企业申请时填写）"), validators=[Optional(), Length(max=18)]
    )
    department_id = SelectField(_l("约见部门"), coerce=str, validators=[Optional()])
    official_id = SelectField(_l("约见领导或业务科室"), coerce=str, validators=[Optional()])
    target_leader = StringField(_l("约见领导或业务科室"), validators=[Optional(), Length(max=100)])  # old pages
    topic = StringField(
        _l("约见事由"),
        validators=[InputRequired(message=_l("请填写约见事由。")), Length(max=MAX_TOPIC)],
    )
    description = TextAreaField(_l("具体问题"), validators=[Optional(), Length(max=MAX_TEXT)])
    preferred_dates = StringField(
        _l("希望的日期（可填多个，用空格分隔，如 2026-09-11）"), validators=[Optional(), Length(max=120)]
    )
    attachments = MultipleFileField(_l("附件（PDF 或图片）"))


def parse_dates(text: str) -> list[date]:
    """ISO dates separated by spaces or commas. :raise MeetingError: ``bad_date`` or ``too_many_dates``."""
    parts = [part for part in text.replace(",", " ").replace(",", " ").split() if part]
    if len(parts) > MAX_PREFERRED:
        raise MeetingError("too_many_dates")
    try:
        return [date.fromisoformat(part) for part in parts]
    except ValueError as bad:
        raise MeetingError("bad_date") from bad


def _int(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as bad:
        raise MeetingError("bad_number") from bad
    if not 0 < number < 2**31:
        raise MeetingError("bad_number")
    return number


def _commitments(lines: str) -> list[tuple[str, str, date | int | None]]:
    """One commitment a line: ``text | owner | deadline``; the deadline is a date (YYYY-MM-DD) or a number of
    working days (1-60); owner and deadline optional (no deadline: commitment_clock.DEFAULT_DAYS)."""
    result = []
    for line in lines.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        due: date | int | None = None
        if len(parts) > 2 and parts[2]:
            if parts[2].isdigit():
                due = int(parts[2])
                if not 1 <= due <= MAX_COMMITMENT_DAYS:
                    raise MeetingError("bad_date")
            else:
                try:
                    due = date.fromisoformat(parts[2])
                except ValueError as bad:
                    raise MeetingError("bad_date") from bad
        result.append((parts[0][:500], (parts[1] if len(parts) > 1 else "")[:100], due))
    if len(result) > MAX_COMMITMENTS:
        raise MeetingError("too_many_commitments")
    return result


def event_input(values: Mapping) -> EventInput:
    """The fields of an event from a form or a JSON body; strings only, length-checked."""

    def text(name: str, limit: int) -> str:
        value = values.get(name) or ""
        if not isinstance(value, str) or "\x00" in value:
            raise MeetingError("bad_field")
        if len(value) > limit:
            raise MeetingError("text_too_long")
        return value

    commitments = values.get("commitments") or ""
    if isinstance(commitments, list):
        commitments = "\n".join(str(item) for item in commitments)
    if not isinstance(commitments, str) or len(commitments) > MAX_TEXT:
        raise MeetingError("text_too_long")
    if "\x00" in commitments:
        raise MeetingError("bad_field")
    leader = values.get("target_leader")
    return EventInput(
        reason=text("reason", 500),
        department_id=_int(values.get("department_id")),
        target_leader=text("target_leader", 100) if leader is not None else None,
        official_id=_int(values.get("official_id")),
        slot_id=_int(values.get("slot_id")),
        minutes=text("minutes", MAX_TEXT),
        commitments=_commitments(commitments),
        feedback=text("feedback", MAX_TEXT),
    )


def _event(value) -> MeetingEvent:
    try:
        event = MeetingEvent(str(value or ""))
    except ValueError as unknown:
        raise MeetingError("unknown_event") from unknown
    if event is MeetingEvent.REQUEST:
        raise MeetingError("unknown_event")
    return event


def _version(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return -1
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never matches: answered as stale


def parse_event(values: Mapping) -> tuple[MeetingEvent, int | None, EventInput]:
    """(event, version, input) from a form or a JSON body. :raise MeetingError: on bad input."""
    return _event(values.get("event")), _version(values.get("version")), event_input(values)


def has_nul(values) -> bool:
    """A NUL character anywhere (PostgreSQL refuses it in text: a 400, not a 500)."""
    return any("\x00" in value for value in values if isinstance(value, str))
