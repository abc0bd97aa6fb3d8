"""Chinese labels of the appeal enums and error codes (gettext msgids, translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..domain.appeal_flow import Urgency
from .models import Category, LogKind, Nature, SourceChannel

CHANNEL_LABELS = {
    SourceChannel.HOTLINE_12345: _l("12345热线"),
    SourceChannel.HAO_BANGSHOU: _l("镐帮手政企通"),
    SourceChannel.MINIPROGRAM: _l("泾心助企小程序"),
    SourceChannel.LIAISON: _l("助企联络员"),
    SourceChannel.SUPERVISOR_VOLUNTEER: _l("营商环境监督员"),
    SourceChannel.NEW_AREA_ASSIGNED: _l("新区交办"),
    SourceChannel.VISIT: _l("走访"),
    SourceChannel.APPOINTMENT: _l("约见"),
    SourceChannel.TAKEOUT: _l("政务外卖"),
    SourceChannel.CLERK: _l("办事专员"),
    SourceChannel.FALLBACK_WINDOW: _l("办不成事窗口"),
    SourceChannel.PHONE: _l("来电"),
    SourceChannel.PORTAL: _l("企业网上提交"),
    SourceChannel.POLICY_SESSION: _l("政策宣讲"),
    SourceChannel.KEY_PROJECT: _l("重点项目"),
    SourceChannel.OTHER: _l("其他"),
}
# What staff and clerks pick on the tablet form; the enterprise always registers as PORTAL.
DESK_CHANNELS = (
    SourceChannel.PHONE,
    SourceChannel.VISIT,
    SourceChannel.FALLBACK_WINDOW,
    SourceChannel.CLERK,
    SourceChannel.TAKEOUT,
    SourceChannel.LIAISON,
    SourceChannel.SUPERVISOR_VOLUNTEER,
    SourceChannel.NEW_AREA_ASSIGNED,
    SourceChannel.HAO_BANGSHOU,
    SourceChannel.HOTLINE_12345,
    SourceChannel.OTHER,
)
CATEGORY_LABELS = {
    Category.ENTERPRISE_SETUP: _l("企业开办"),
    Category.MARKET_ACCESS: _l("市场准入"),
    Category.GOV_SERVICE: _l("政务服务"),
    Category.SUPERVISION_ENFORCEMENT: _l("监管执法"),
    Category.POLICY_FULFILMENT: _l("政策兑现"),
    Category.SME_ARREARS: _l("欠中小企业账款"),
    Category.OTHER: _l("其他"),
}
NATURE_LABELS = {
    Nature.CONSULT: _l("咨询"),
    Nature.HELP: _l("求助"),
    Nature.COMPLAINT: _l("投诉"),
    Nature.SUGGESTION: _l("建议"),
    Nature.REPORT: _l("举报"),
    Nature.PRAISE: _l("表扬"),
}
URGENCY_LABELS = {Urgency.URGENT: _l("紧急"), Urgency.NORMAL: _l("一般"), Urgency.COMPLEX: _l("复杂")}
LOG_KIND_LABELS = {
    LogKind.VISIT: _l("走访"),
    LogKind.CALL: _l("电话"),
    LogKind.AGENCY: _l("帮办代办"),
    LogKind.POLICY: _l("政策讲解"),
    LogKind.PROBLEM: _l("发现问题"),
}
ERROR_MESSAGES = {
    "description_required": _l("请填写诉求内容。"),
    "description_too_long": _l("诉求内容过长。"),
    "enterprise_required": _l("请选择或填写企业。"),
    "unknown_channel": _l("未知的诉求来源渠道。"),
    "unknown_category": _l("未知的诉求类别。"),
    "unknown_nature": _l("未知的诉求性质。"),
    "unknown_urgency": _l("未知的紧急程度。"),
    "unknown_event": _l("未知的操作。"),
    "unknown_feedback": _l("未知的回访意见。"),
    "unknown_department": _l("未知的承办部门。"),
    "unknown_original": _l("找不到要合并到的原诉求。"),
    "unknown_enterprise": _l("找不到该企业。"),
    "unknown_kind": _l("未知的记录类型。"),
    "unknown_case": _l("找不到该办件。"),
    "due_in_past": _l("期限不能早于今天。"),
    "bad_date": _l("日期格式不正确。"),
    "bad_version": _l("版本号格式不正确。"),
    "bad_value": _l("提交的内容格式不正确。"),
    "text_too_long": _l("填写的内容过长，请精简后重试。"),
    "stale": _l("该诉求已被他人更新，请刷新后重试。"),
    "too_large": _l("附件过大。"),
    "empty": _l("附件为空。"),
    "unsupported_type": _l("附件类型不支持（仅限 PDF、PNG、JPG）。"),
    "image_unreadable": _l("图片无法识别。"),
    "image_too_large": _l("图片尺寸过大。"),
    "illegal_transition": _l("该诉求当前状态下不能进行此操作。"),
    "not_permitted": _l("您无权进行此操作。"),
}
