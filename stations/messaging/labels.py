"""Messages for the refusals of messaging.services (gettext msgids), shared by the pages and the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import MAX_BODY

ERROR_MESSAGES = {
    "empty": _l("请输入消息内容。"),
    "too_long": _l("消息不能超过 %(max)d 个字符。"),
    "no_clerk": _l("您还没有选择办事专员，选择后即可留言。"),
    "case_not_yours": _l("所选办件不属于该企业。"),
    "document_not_yours": _l("所选材料不属于该企业或已失效。"),
    "invalid": _l("提交的内容有误，请检查后重试。"),
}


def error_message(code: str) -> str:
    message = str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["invalid"]))
    return message % {"max": MAX_BODY} if code == "too_long" else message
