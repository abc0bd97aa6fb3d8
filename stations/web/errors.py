"""Error pages: a full page for a browser, a #flash message fragment for htmx, JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from ..database import is_transient
from ..extensions import db
from .htmx import add_vary, hx_retarget, is_htmx


def _messages() -> dict[int, str]:
    return {
        400: _("请求有误，请刷新页面后重试。"),
        401: _("请先登录。"),
        403: _("您没有权限执行此操作。"),
        404: _("未找到该页面或记录。"),
        405: _("不支持该请求方式。"),
        409: _("该记录已被他人修改，请查看最新内容后再操作。"),
        413: _("上传的文件过大。"),
        415: _("不支持该文件类型。"),
        422: _("提交的内容有误，请检查后重试。"),
        429: _("操作过于频繁，请稍后再试。"),
        500: _("系统繁忙，请稍后再试。"),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    if wants_json():
        response = jsonify({"error": {"code": code or str(status), "message": message}})
        response.status_code = status
        return response
    if is_htmx():
        body = render_template("errors/_flash.html", message=message, status=status)
        response = hx_retarget(add_vary(_make(body, status)), "#flash")
        return response
    return add_vary(_make(render_template("errors/error.html", message=message, status=status), status))


def _make(body: str, status: int):
    from flask import make_response

    return make_response(body, status)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, _("页面已过期或请求来源无效，请刷新后重试。"), "csrf")

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page; never echo the host.
        return app.response_class("Bad Request: untrusted host\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 429:
            app.logger.warning("rate limit refused %s %s: %s", request.method, request.path, error.description)
        description = getattr(error, "stations_message", None)
        return error_response(status, description)

    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError):
        if not is_transient(error):
            raise error  # a real bug: the InternalServerError path below (or the traceback under DEBUG/TESTING)
        # The database stayed busy beyond the busy timeout: ask the client to retry.
        db.session.rollback()
        app.logger.warning("Database busy, answered 503: %s", error)
        response = error_response(503, _("系统繁忙，请稍后再试。"), "busy")
        response.headers["Retry-After"] = "2"
        return response

    # On InternalServerError, not Exception: Flask hands an unhandled exception to this handler (as
    # ``original_exception``) only when it does not propagate it, so DEBUG and TESTING show the real traceback.
    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        db.session.rollback()
        app.logger.error("Unhandled error", exc_info=error.original_exception or error)
        return error_response(500)
