"""UI messages of the rating and rectification pages (gettext msgids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..domain import ratings as rules
from ..domain.deadlines import WarnLevel

ERROR_MESSAGES = {
    "not_found": _l("未找到该办件。"),
    "not_delivered": _l("办件送达后才能评价。"),
    "already_rated": _l("该办件已经评价过，评价提交后不能修改。"),
    "invalid_level": _l("请选择满意程度。"),
    "invalid_reason": _l("请从列出的原因中选择。"),
    "comment_too_long": _l("意见建议不能超过 %(n)s 个字符。"),
    "read_only": _l("您只能查看该整改，不能办理。"),
    "findings_required": _l("请填写回访核实的情况。"),
    "disposition_required": _l("请选择整改方式。"),
    "feedback_required": _l("请填写给评价人的反馈。"),
    "measures_required": _l("请填写整改措施。"),
    "text_too_long": _l("填写的内容过长，请精简后重试。"),
    "illegal_transition": _l("该整改当前状态下不能执行此操作，请查看最新状态。"),
    "not_permitted": _l("您不能对该整改执行此操作。"),
    "invalid_reaction": _l("请选择您对整改结果的评价。"),
}

TAG_LABELS = {
    WarnLevel.GREEN.value: _l("正常"),
    WarnLevel.YELLOW.value: _l("预警"),
    WarnLevel.RED.value: _l("超期"),
    WarnLevel.DONE.value: _l("已反馈"),
}


def error_message(code: str) -> str:
    message = ERROR_MESSAGES.get(code, ERROR_MESSAGES["text_too_long"])
    return str(message) % {"n": rules.MAX_COMMENT} if code == "comment_too_long" else str(message)


def template_labels() -> dict:
    return {
        "level_labels": rules.LEVEL_LABELS,
        "reason_labels": rules.PRESET_REASONS,
        "status_labels": rules.STATUS_LABELS,
        "event_labels": rules.EVENT_LABELS,
        "reaction_labels": rules.REACTION_LABELS,
        "disposition_labels": rules.DISPOSITION_LABELS,
        "tag_labels": TAG_LABELS,
    }
