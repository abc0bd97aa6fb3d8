"""Chinese labels (gettext msgids) and small display rules for case pages.

The state machine's own labels (STATUS_LABELS, EVENT_LABELS, ...) live in domain/case_flow.py as plain
msgids; pages translate them with ``_()``. The labels here are the UI's own.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.case_vocabulary import (
    DELIVERY_MODE_CODES,
    EVENT_LABELS,
    GUARD_MESSAGES,
    STATUS_LABELS,
    CaseEvent,
    CaseStatus,
)
from ..domain.deadlines import WarnLevel
from ..domain.deficiency_flow import DEFICIENCY_EVENT_LABELS, DEFICIENCY_STATUS_LABELS, DeficiencyStatus
from ..domain.legal_clock import SPECIAL_KINDS
from .models import NOT_PROVIDED, Channel, MaterialStatus

COLOUR_LABELS = {
    WarnLevel.GREEN.value: _l("正常"),
    WarnLevel.YELLOW.value: _l("预警"),
    WarnLevel.RED.value: _l("超期"),
    WarnLevel.PAUSED.value: _l("暂停计时"),
    WarnLevel.DONE.value: _l("已办结"),
}
# The queue's counters: colours of open cases (DONE is not a colour of open work).
COUNTER_COLOURS = (WarnLevel.RED.value, WarnLevel.YELLOW.value, WarnLevel.GREEN.value, WarnLevel.PAUSED.value)

CHANNEL_LABELS = {
    Channel.WINDOW: _l("中心窗口"),
    Channel.COMPREHENSIVE: _l("全科综合窗口"),
    Channel.STATION: _l("驿站"),
    Channel.TAKEOUT: _l("政务外卖"),
    Channel.ONLINE: _l("网上办理"),
    Channel.XR_INBOUND: _l("跨区收件（我方办理）"),
    Channel.XR_OUTBOUND: _l("我方收件转外区"),
}

MATERIAL_STATUS_LABELS = {
    MaterialStatus.PROVIDED: _l("已提交待核验"),
    MaterialStatus.VERIFIED: _l("已核验"),
    MaterialStatus.MISSING: _l("缺"),
    MaterialStatus.RONGQUE: _l("容缺"),
    MaterialStatus.NEEDS_CORRECTION: _l("待补正"),
}
# Keyed by CaseMaterial.shown_status: an optional material not handed in is not "缺".
SHOWN_MATERIAL_STATUS_LABELS = {status.value: label for status, label in MATERIAL_STATUS_LABELS.items()} | {
    NOT_PROVIDED: _l("未提供"),
}

# Delivery modes (送达方式), stored in Case.delivery_mode; the codes are the domain's (DELIVERY_MODE_CODES).
DELIVERY_MODES = {
    "COUNTER": _l("窗口领取"),
    "POST": _l("邮寄"),
    "ELECTRONIC": _l("电子送达"),
    "ONSITE": _l("送证上门"),
}
assert tuple(DELIVERY_MODES) == DELIVERY_MODE_CODES

# Events a row of the queue can fire with one tap; every other event needs the case page.
ROW_EVENTS = (
    CaseEvent.SIGN_FOR,
    CaseEvent.ACCEPT,
    CaseEvent.START_REVIEW,
    CaseEvent.DECIDE_APPROVE,
    CaseEvent.ISSUE,
    CaseEvent.DELIVER,
    CaseEvent.FORWARD,  # on a row only when exactly one partner handles the item (the row names it)
)
# A decision is final for the applicant: from a list it takes a second tap that can carry a note (issue 19).
CONFIRMED_ROW_EVENTS = frozenset({CaseEvent.DECIDE_APPROVE})

# Events whose form asks for something (the case page shows their fields).
EVENTS_WITH_NOTE = {
    CaseEvent.REQUEST_CORRECTION: _l("一次性告知需补正的全部内容"),
    CaseEvent.DECIDE_APPROVE: _l("办理意见（选填）"),
    CaseEvent.DECIDE_REJECT: _l("不予批准的理由及救济途径（申请复议或提起诉讼）"),
    CaseEvent.WITHDRAW: _l("撤件说明（选填）"),
    CaseEvent.RECALL: _l("撤回说明（选填）"),
    CaseEvent.CORRECTION_DONE: _l("补正情况（选填）"),
}
EVENTS_WITH_REASON = {
    CaseEvent.REFUSE: _l("不予受理的理由"),
    CaseEvent.TERMINATE: _l("终止的理由"),
    CaseEvent.START_SPECIAL: _l("特别程序的事由及所需时间（书面告知申请人）"),
    CaseEvent.EXTEND: _l("延期的理由（告知申请人）"),
}

FLOW_ERROR_MESSAGES = {
    "illegal_transition": _l("该办件当前状态下不能执行此操作，请查看最新状态。"),
    "not_permitted": _l("您不能对该办件执行此操作。"),
}

# The kinds of 特别程序 (domain.legal_clock.SPECIAL_KINDS, stored as they are) shown in the reader's language.
SPECIAL_KIND_LABELS = {
    "听证": _l("听证"),
    "招标": _l("招标"),
    "拍卖": _l("拍卖"),
    "检验": _l("检验"),
    "检测": _l("检测"),
    "检疫": _l("检疫"),
    "鉴定": _l("鉴定"),
    "专家评审": _l("专家评审"),
}

CASE_ERROR_MESSAGES = {
    "item_not_in_scope": _l("该事项不在本驿站的办理范围内。"),
    "not_your_station": _l("只能在本驿站收件。"),
    "not_your_client": _l("该企业未选择您为办事专员，不能代为收件。"),
    "not_your_enterprise": _l("只能以本企业名义申请。"),
    "not_online": _l("该事项不支持网上申请。"),
    "document_not_yours": _l("所选材料不属于该企业或已失效。"),
    "not_suppliable": _l("该材料当前无需补交，请查看最新状态。"),
    "read_only": _l("您只能查看办件，不能办理。"),
    "stale": _l("该办件刚刚已被他人更新。下面是最新内容，请确认后再操作。"),
    "partner_unavailable": _l("所选合作地区暂不能接收该事项的办件，请选择其他地区或稍后再试。"),
    "approver_required": _l("延期须经审批负责人同意，请由部门审批负责人操作。"),
    "special_kind": _l("请选择特别程序的类别。"),
    "no_deadline": _l("该办件没有办理时限，无需延期。"),
    "invalid_id_no": _l("居民身份证号码无效，请核对（18 位，含出生日期和校验位）。"),
    "applicant_name_required": _l("请填写申请人姓名。"),
    "unknown_person": _l("未找到该居民身份证号码的申请人，请先到驿站窗口办理一次。"),
    "not_personal_item": _l("个人只能申请社保、医保、公积金等个人事项。"),
}

UPLOAD_MESSAGES = {
    "too_large": _l("文件超过大小上限（每个文件不超过 %(mb)s MB）。"),
    "empty": _l("文件是空的，请重新拍照或选择文件。"),
    "unsupported_type": _l("只接受 PDF、JPEG、PNG 文件（按文件内容识别，与文件名无关）。"),
    "image_unreadable": _l("图片无法识别，请重新拍照或换一个文件。"),
    "image_too_large": _l("图片像素过大，请降低分辨率后重试。"),
    "infected": _l("文件未通过病毒扫描，已拒收。请用杀毒软件检查本机后重新扫描或拍照上传。"),
    "pdf_active_content": _l(
        "该 PDF 含有脚本、嵌入文件或网页代码，出于安全考虑不予接收。请“打印为 PDF”或重新扫描后上传。"
    ),
    "scan_unavailable": _l("病毒扫描服务暂时不可用，文件未能接收，请稍后再试。"),
}


def upload_message(code: str, max_bytes: int) -> str:
    mb = f"{max_bytes / (1024 * 1024):.3g}"  # 10 MB -> "10"
    message = UPLOAD_MESSAGES.get(code, UPLOAD_MESSAGES["unsupported_type"])
    return str(message) % {"mb": mb} if code == "too_large" else str(message)


def deficiency_tag(status: DeficiencyStatus, supply_deadline: date, warn_on: date, today: date) -> str:
    """The ledger colour of one 容缺 item: the same rule as queries.deficiency_tag_expr, for a loaded row."""
    if status not in (DeficiencyStatus.PENDING, DeficiencyStatus.SUPPLIED):
        return WarnLevel.DONE.value
    if supply_deadline < today:
        return WarnLevel.RED.value
    if warn_on <= today:
        return WarnLevel.YELLOW.value
    return WarnLevel.GREEN.value


def queue_column_labels() -> dict[str, str]:
    """The queue's column names (also each cell's ``data-label`` on a phone), translated once per page."""
    return {
        "no": _("办件编号"),
        "item": _("事项"),
        "enterprise": _("企业"),
        "status": _("状态"),
        "due": _("时限"),
        "clerk": _("专员"),
        "more": _("更多办理"),
    }


def template_labels() -> dict:
    """Everything the case templates look labels up in (passed explicitly: /home renders the queue too).

    ``status_names`` and ``queue_columns`` are translated here, once per page, rather than once per row."""
    return {
        "status_names": {status: _(label) for status, label in STATUS_LABELS.items()},
        "queue_columns": queue_column_labels(),
        "status_labels": STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "guard_messages": GUARD_MESSAGES,
        "deficiency_status_labels": DEFICIENCY_STATUS_LABELS,
        "deficiency_event_labels": DEFICIENCY_EVENT_LABELS,
        "colour_labels": COLOUR_LABELS,
        "counter_colours": COUNTER_COLOURS,
        "channel_labels": CHANNEL_LABELS,
        "material_status_labels": MATERIAL_STATUS_LABELS,
        "shown_material_labels": SHOWN_MATERIAL_STATUS_LABELS,
        "delivery_modes": DELIVERY_MODES,
        "special_kinds": SPECIAL_KINDS,
        "special_kind_labels": SPECIAL_KIND_LABELS,
        "CaseStatus": CaseStatus,
    }
