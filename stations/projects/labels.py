"""Chinese labels (msgids) of the key-project pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..cases.labels import COLOUR_LABELS
from ..domain.project_flow import ProcedureEvent, ProcedureStatus

STATUS_LABELS = {
    ProcedureStatus.PLANNED: _l("计划中"),
    ProcedureStatus.IN_PROGRESS: _l("办理中"),
    ProcedureStatus.BLOCKED: _l("受阻"),
    ProcedureStatus.DONE: _l("已办结"),
    ProcedureStatus.CLOSED_OUT: _l("已销号"),
}
EVENT_LABELS = {
    ProcedureEvent.START: _l("开始办理"),
    ProcedureEvent.BLOCK: _l("标记受阻"),
    ProcedureEvent.RESUME: _l("恢复办理"),
    ProcedureEvent.DONE: _l("办结"),
    ProcedureEvent.CLOSE_OUT: _l("销号"),
}
ERROR_MESSAGES = {
    "read_only": _l("您不能对该项目执行此操作。"),
    "not_allowed": _l("该手续当前状态下不能执行此操作，请刷新后重试。"),
    "note_required": _l("请说明受阻原因，它将列入下次调度会议。"),
    "decisions_required": _l("请填写会议决定。"),
    "not_found": _l("没有该手续。"),
    "case_not_found": _l("没有该企业的这个办件。"),
    "not_all_done": _l("还有未办结的手续，不能销号。"),
    "already_closed": _l("该项目已销号。"),
}
COLOUR_FILTERS = ("red", "yellow", "paused", "green", "done")


def template_labels() -> dict:
    return {"status_labels": STATUS_LABELS, "event_labels": EVENT_LABELS, "colour_labels": COLOUR_LABELS}
