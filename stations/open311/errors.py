"""Open311 errors: a stable machine ``code`` and a Chinese description (English through the catalogue).

The spec lets the body's ``code`` differ from the HTTP status "so that more specific and unique error code
identifiers can be used"; the HTTP status stays the spec's: 404 for what does not exist, 403 for a missing or
wrong api_key, 400 for everything else (429 for the rate limit, 500 for a fault of ours).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # 403
    "api_key_missing": _l("缺少 api_key：提交申请需要系统管理员签发的 API 密钥。"),
    "api_key_invalid": _l("api_key 无效或已被吊销。"),
    # 404
    "jurisdiction_not_found": _l("未找到该辖区：jurisdiction_id 可以是 %(jurisdiction)s 或驿站编码。"),
    "service_not_found": _l("未找到该事项，或该事项不支持网上申请。"),
    "request_not_found": _l("未找到该办件。"),
    "token_not_found": _l("未找到该 token：本系统提交后立即返回办件编号，不发放 token。"),
    "resource_not_found": _l("未找到该资源。"),
    # 400
    "method_not_allowed": _l("该资源不支持此请求方式。"),
    "service_code_missing": _l("缺少 service_code。"),
    "attribute_required": _l("缺少必填属性 attribute[%(attribute)s]。"),
    "attribute_invalid": _l("属性 attribute[%(attribute)s] 的取值无效。"),
    "station_mismatch": _l("attribute[station] 与 jurisdiction_id 指定的驿站不一致。"),
    "item_not_in_scope": _l("该事项不在所选驿站的办理范围内。"),
    "not_online": _l("该事项不支持网上申请。"),
    "invalid_uscc": _l("统一社会信用代码无效，请核对（18位，含校验位）。"),
    "enterprise_name_required": _l("该统一社会信用代码尚未登记，请同时填写 attribute[enterprise_name]（企业名称）。"),
    "invalid_phone": _l("联系电话格式不正确。"),
    "description_too_long": _l("description 不能超过 %(max)s 个字符。"),
    "media_required": _l("标记为“已提供”的材料需要随申请上传 media 文件。"),
    "request_too_large": _l("请求内容过大：media 文件不能超过 %(mb)s MB。"),
    "invalid_date": _l("%(name)s 不是有效的 W3C 日期时间，例如 2026-01-01T00:00:00+08:00。"),
    "date_range_too_long": _l("start_date 与 end_date 相隔不能超过 %(days)s 天。"),
    "date_range_reversed": _l("end_date 不能早于 start_date。"),
    "invalid_status": _l("status 只能是 open 或 closed（可用逗号分隔）。"),
    "invalid_page": _l("page 必须是正整数。"),
    "invalid_page_size": _l("page_size 必须是 1 到 %(max)s 之间的整数。"),
    "too_many_ids": _l("一次最多查询 %(max)s 个办件编号。"),
    "bad_request": _l("请求有误，请检查后重试。"),
    # others
    "rate_limited": _l("请求过于频繁，请稍后再试。"),
    "server_error": _l("系统繁忙，请稍后再试。"),
}


def describe(code: str, **params: object) -> str:
    """The description of ``code`` in the current locale, with its parameters filled in."""
    text = str(MESSAGES.get(code, MESSAGES["bad_request"]))
    return text % params if params else text


class Open311Error(Exception):
    """An answer in the spec's error format. ``errors`` is ``[(code, description), ...]`` (one or more)."""

    def __init__(self, status: int, code: str, description: str | None = None, **params: object):
        super().__init__(code)
        self.status = status
        self.errors = [(code, description or describe(code, **params))]

    @classmethod
    def many(cls, status: int, errors: list[tuple[str, str]]) -> Open311Error:
        error = cls(status, errors[0][0], errors[0][1])
        error.errors = list(errors)
        return error
