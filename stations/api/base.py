"""What every /api/v1 handler shares: ``ApiError`` (raised to answer a JSON error), ``json_response``, and the
readers of a JSON body and of the page parameter (liberal in what they take, strict in what they answer)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_babel import gettext as _

from ..web.params import parse_int

MAX_PAGE = 100_000


class ApiError(Exception):
    """Raised inside a route to answer a JSON error (status, code, message)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(data: Any, status: int = 200) -> Response:
    """JSON in the contract's key order, Chinese kept readable (UTF-8, not \\u escapes)."""
    body = current_app.json.dumps(data, ensure_ascii=False, sort_keys=False)
    return current_app.response_class(body + "\n", status=status, mimetype="application/json")


def json_body(allowed: set[str]) -> dict[str, Any]:
    """The request's JSON object; 400 when it is not one, 422 naming any field outside ``allowed``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", _("请求体必须是 JSON 对象。"))
    unknown = sorted(key for key in body if key not in allowed)
    if unknown:
        raise ApiError(422, "unknown_field", _("不支持的字段：%(fields)s", fields=", ".join(unknown)[:200]))
    return body


def page_arg() -> int:
    """``?page=`` (1 when absent); 400 unless a whole number from 1 to 100,000."""
    raw = request.args.get("page", "1").strip() or "1"
    page = parse_int(raw) or 0  # ASCII digits only: "²".isdigit() is true, and int("²") fails
    if not 1 <= page <= MAX_PAGE:
        raise ApiError(400, "invalid_parameter", _("参数 %(name)s 无效。", name="page"))
    return page


MAX_TEXT = 2000  # a free-text field of a JSON body, unless the field says otherwise


def invalid_field(name: str) -> ApiError:
    """The 422 of every API v1 field that is missing or not in the expected form."""
    return ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field=name))


def body_str(body: dict, name: str, limit: int) -> str:
    """A text field of ``body`` ("" when absent or null); 422 when not text, too long or holding a NUL."""
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise invalid_field(name)
    return value


def body_text(body: dict[str, Any], name: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str:
    """A text field of ``body``, stripped ("" when absent and not ``required``); 422 when not text, too long, or
    blank while required."""
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise invalid_field(name)
    return value.strip()
