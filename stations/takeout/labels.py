"""Words of the takeout pages and messages for refused writes (Chinese msgids, translated when shown)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..domain.case_vocabulary import N_
from ..domain.takeout_flow import ALTERNATIVE_LABELS, EVENT_LABELS, GUARD_MESSAGES, STATUS_LABELS
from .models import MenuKind

KIND_LABELS = {MenuKind.ITEM: N_("政务服务事项"), MenuKind.POLICY: N_("政策咨询"), MenuKind.CUSTOM: N_("个性化点单")}

ERROR_MESSAGES = {
    "stale_version": N_("该订单已被他人更新，请刷新页面后重试。"),
    "illegal_transition": N_("当前状态下不能进行该操作。"),
    "not_permitted": N_("您无权进行该操作。"),
    "no_line": N_("请至少选择一项服务，或写明需要的个性化服务。"),
    "unknown_line": N_("所选服务不存在或已下架，请重新选择。"),
    "too_many_lines": N_("一次最多选择10项服务。"),
    "custom_too_long": N_("个性化需求不能超过2000字。"),
    "address_required": N_("请填写上门服务的详细地址（不超过200字）。"),
    "address_outside": N_("上门服务只在泾河新城范围内提供，请填写新城内的地址，或选择预约到驿站办理、网上办理。"),
    "contact_required": N_("请填写联系人姓名。"),
    "phone_invalid": N_("请填写正确的联系电话（手机号或带区号的固定电话）。"),
    "team_invalid": N_("上门人员须是本驿站在岗的工作人员。"),
    "level_required": N_("请选择评价等级。"),
    "other_enterprise": N_("该办件不属于下单企业。"),
    "not_on_site": N_("只能在上门服务过程中登记。"),
    "unknown_enterprise": N_("未找到该企业，或您无权代其点单。"),
    "unknown_event": N_("不支持该操作。"),
    "bad_date": N_("日期格式不正确，请按 2026-09-11 的格式填写。"),
    "bad_field": N_("提交的内容格式不正确。"),
    "version_required": N_("请提供订单的版本号 version。"),
    "description_required": N_("请写明发现的问题。"),
    "unknown_item": N_("请选择本订单中的政务服务事项。"),
    "upload_rejected": N_("照片未通过检查：只接受 PDF、PNG、JPEG 文件，且不能超过大小限制。"),
}


def error_message(code: str) -> str:
    message = ERROR_MESSAGES.get(code) or GUARD_MESSAGES.get(code) or N_("提交的内容有误，请检查后重试。")
    return _(message)


def template_labels() -> dict:
    return {
        "status_labels": {k: _(v) for k, v in STATUS_LABELS.items()},
        "event_labels": {k: _(v) for k, v in EVENT_LABELS.items()},
        "alternative_labels": {k: _(v) for k, v in ALTERNATIVE_LABELS.items()},
        "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
    }
