"""Messages for refused meeting writes (Chinese msgids, translated when shown)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.case_vocabulary import N_
from ..domain.deadlines import WarnLevel
from ..domain.meeting_flow import GUARD_MESSAGES

ERROR_MESSAGES = {
    "stale_version": N_("该约见已被他人更新，请刷新页面后重试。"),
    "slot_taken": N_("该时段刚被预约，请选择其他空闲时段。"),
    "slot_unknown": N_("该时段不存在或已撤回，请选择其他空闲时段。"),
    "illegal_transition": N_("当前状态下不能进行该操作。"),
    "not_permitted": N_("您无权进行该操作。"),
    "topic_required": N_("请填写约见事由（不超过200字）。"),
    "text_too_long": N_("填写的内容过长。"),
    "too_many_dates": N_("希望的日期最多填写5个。"),
    "date_past": N_("希望的日期不能早于今天。"),
    "bad_date": N_("日期格式不正确，请按 2026-09-11 的格式填写。"),
    "bad_number": N_("提交的编号不正确。"),
    "bad_field": N_("提交的内容格式不正确。"),
    "too_many_commitments": N_("承诺事项最多20条。"),
    "unknown_department": N_("请选择有效的部门。"),
    "unknown_enterprise": N_("未找到该企业，或您无权代其申请。"),
    "unknown_event": N_("不支持该操作。"),
    "no_station": N_("尚未设置受理驿站。"),
    "not_a_workday": N_("该日不是工作日，不能发布时段。"),
    "bad_duration": N_("时长须在15到240分钟之间。"),
    "slot_exists": N_("该时段已发布。"),
    "slot_booked": N_("该时段已被预约，不能撤回。"),
    "reason_required": N_("请填写理由"),
    "bad_time": N_("时间格式不正确，请按 09:30 的格式填写。"),
    "bad_weekday": N_("请选择星期几。"),
    "version_required": N_("请提供约见的版本号 version。"),
    "unknown_official": N_("请选择有效的约见对象（该领导或科室不存在或已停用）。"),
    "official_exists": N_("该部门已有同名的领导或科室。"),
    "official_name_required": N_("请填写领导或科室的名称。"),
    "bad_official_name": N_("名称不能超过100字。"),
    "bad_official_kind": N_("请选择类别：部门本身不填名称，领导或科室须填写名称。"),
}


UPLOAD_MESSAGE = N_("附件未通过检查：只接受 PDF、PNG、JPEG 文件，且不能超过大小限制。")


def error_message(code: str) -> str:
    if code.startswith("upload_"):
        return _(UPLOAD_MESSAGE)
    message = ERROR_MESSAGES.get(code) or GUARD_MESSAGES.get(code) or "提交的内容有误，请检查后重试。"
    return _(message)


# 红黄绿 of a commitment (domain/commitment_clock.py).
COMMITMENT_LABELS = {
    WarnLevel.GREEN: _l("按期推进"),
    WarnLevel.YELLOW: _l("即将到期"),
    WarnLevel.RED: _l("已逾期"),
    WarnLevel.DONE: _l("已完成"),
}


# Policy sessions (政策宣讲): refused sign-ups, check-ins, questions and edits, for the pages and API v1.
SESSION_ERROR_MESSAGES = {
    "session_closed": N_("该场宣讲已开始或已取消，不能报名。"),
    "bad_token": N_("二维码无效，或不是本场宣讲的报名。"),
    "not_confirmed": N_("该企业在候补名单上，尚未确认座位。"),
    "question_required": N_("请填写问题（不超过1000字）。"),
    "answer_required": N_("请填写答复。"),
    "not_found": N_("未找到该场宣讲。"),
    "bad_link": N_("链接须以 https:// 开头。"),
    "stale": N_("该场宣讲已被他人修改，请刷新页面后重试。"),
    "capacity_below_confirmed": N_("名额不能少于已确认的报名数。"),
}


def session_error_message(code: str) -> str:
    return _(SESSION_ERROR_MESSAGES.get(code, SESSION_ERROR_MESSAGES["not_found"]))
