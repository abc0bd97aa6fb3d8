"""Chinese labels (msgids) of the bundle pages and the messages for the services' refusals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..cases.labels import CASE_ERROR_MESSAGES, COLOUR_LABELS
from ..domain.bundles import BundleStatus, ChildState

STATUS_LABELS = {
    BundleStatus.IN_PROGRESS: _l("办理中"),
    BundleStatus.CONCLUDED: _l("已办结"),
    BundleStatus.FAILED: _l("未能办结"),
}
STEP_LABELS = {
    ChildState.WAITING: _l("等待前置事项办结"),
    ChildState.OPEN: _l("办理中"),
    ChildState.CONCLUDED: _l("已办结"),
    ChildState.FAILED: _l("未通过或已终止"),
}
ERROR_MESSAGES = {
    "cycle": _l("成员事项的前置关系形成了循环，无法保存。"),
    "unknown_dependency": _l("前置序号指向了不存在的成员事项。"),
    "duplicate_seq": _l("成员事项的序号重复。"),
    "duplicate_item": _l("同一事项在套餐中出现了两次。"),
    "no_members": _l("请至少填写一个成员事项。"),
    "code_taken": _l("该套餐编码已被使用。"),
    "bundle_inactive": _l("该套餐已停用。"),
    "not_online": _l("该套餐（或其中的事项）不支持网上申请，请到驿站一件事专窗办理。"),
    "member_not_offered": _l("本驿站不受理该套餐的成员事项：%(detail)s。请到政务服务中心办理。"),
    "read_only": _l("您的账号不能申请一件事。"),
    "unknown_enterprise": _l("没有该统一社会信用代码的企业；新企业请同时填写企业名称。"),
    # For who may not register one (a clerk): the name field is not theirs to fill.
    "unregistered_enterprise": _l("没有该统一社会信用代码的企业。新企业请先由驿站工作人员登记，再申请一件事。"),
    "invalid_uscc": _l("统一社会信用代码无效，请核对（18位，含校验位）。"),
    "no_station": _l("您的账号没有所属驿站，不能收件。"),
    "member_not_online": _l("成员事项“%(detail)s”不能网上申请，该套餐不能设为可网办。"),
    "partner_unavailable": _l("合作地区 %(detail)s 不办理该成员事项。"),
}


def error_message(code: str, detail: str = "") -> str:
    message = ERROR_MESSAGES.get(code) or CASE_ERROR_MESSAGES.get(code)
    if message is None:
        return str(_l("提交的内容有误，请检查后重试。"))
    return str(message) % {"detail": detail} if "%(detail)s" in str(message) else str(message)


def template_labels() -> dict:
    return {"status_labels": STATUS_LABELS, "step_labels": STEP_LABELS, "colour_labels": COLOUR_LABELS}
