"""Open311 GeoReport v2 under /open311/v2: discovery, services, service definitions, requests, tokens.

A machine API: a client is known by its ``api_key`` alone (never the browser session, so no CSRF check either:
the cookie confers nothing here), answered in the format its URL ends with. Every error, unknown paths under
/open311/v2/ included, is the spec's error list in that format (XML when the suffix is neither). Responses are
never cached (web/security.py), so a change made by staff shows in the next GET. See docs/open311.md.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..cases.labels import CASE_ERROR_MESSAGES
from ..cases.services import CaseError
from ..domain.case_flow import CaseFlowError
from ..extensions import csrf, db, limiter
from ..idempotency import idempotent
from ..sites.models import Station
from ..timeutil import utcnow
from ..web.external import public_base
from . import formats, intake, queries, resources, services
from .errors import Open311Error, describe
from .models import ApiKey

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

FMT = "<any(xml, json):fmt>"
DEFAULT_JURISDICTION = "jinghe"
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# --- plumbing: format, jurisdiction, api_key, rate limits ----------------------------------------------------


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt in formats.FORMATS:
        return fmt
    return "json" if request.path.lower().endswith(".json") else "xml"


def _jurisdiction() -> Station | None:
    """None for the whole jurisdiction (absent, empty or ``jinghe``), a station for its code; else 404."""
    raw = intake.text(request.values, "jurisdiction_id", 64)
    if not raw or raw.lower() == current_app.config.get("OPEN311_JURISDICTION_ID", DEFAULT_JURISDICTION):
        return None
    station = queries.jurisdiction_station(raw)
    if station is None:
        raise Open311Error(
            404,
            "jurisdiction_not_found",
            jurisdiction=current_app.config.get("OPEN311_JURISDICTION_ID", DEFAULT_JURISDICTION),
        )
    return station


def _api_key(*, required: bool) -> ApiKey | None:
    """The unrevoked key the request carries. Required (POST): 403 when missing or wrong. Optional: None then."""
    raw = intake.text(request.values, "api_key", 200)
    key = queries.find_key(raw) if raw else None
    if key is not None and key.is_revoked:
        key = None
    if key is None and required:
        raise Open311Error(403, "api_key_invalid" if raw else "api_key_missing")
    return key


def _rate_key() -> str:
    """Limits count per api_key (hashed: the key itself is never kept), per client address without one."""
    raw = request.args.get("api_key") or (request.form.get("api_key") if request.method == "POST" else None)
    if raw:
        return "open311-key:" + queries.hash_key(raw)[:32]
    return "open311-ip:" + (request.remote_addr or "")


def _api_key_caller() -> str | None:
    """Idempotency is per integration key (hashed, as for the limits); a request without one is refused anyway."""
    raw = request.form.get("api_key") or request.args.get("api_key")
    return "open311-key:" + queries.hash_key(raw)[:32] if raw else None


def _read_limit() -> str:
    return current_app.config.get("OPEN311_READ_RATE_LIMIT", "300/minute")


def _write_limit() -> str:
    return current_app.config.get("OPEN311_WRITE_RATE_LIMIT", "60/minute")


read_limit = limiter.shared_limit(_read_limit, scope="open311-read", key_func=_rate_key)


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error) -> Response:
    return formats.error_list(_fmt(), error.status, error.errors)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """Werkzeug's errors in the spec's format: 404, 429 (with Retry-After) and 5xx stay, the rest is a 400."""
    status = error.code or 400
    if status == 404:
        response = formats.error_list(_fmt(), 404, [("resource_not_found", describe("resource_not_found"))])
    elif status == 429:
        response = formats.error_list(_fmt(), 429, [("rate_limited", describe("rate_limited"))])
    elif status == 413:
        mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        response = formats.error_list(_fmt(), 400, [("request_too_large", describe("request_too_large", mb=mb))])
    elif status == 405:
        response = formats.error_list(_fmt(), 400, [("method_not_allowed", describe("method_not_allowed"))])
    elif status >= 500:
        response = formats.error_list(_fmt(), status, [("server_error", describe("server_error"))])
    else:
        response = formats.error_list(_fmt(), 400, [("bad_request", describe("bad_request"))])
    headers = dict(error.get_headers())
    for name in ("Retry-After", "Allow"):
        if name in headers:
            response.headers[name] = headers[name]
    return response


@bp.errorhandler(Exception)
def _fault(error: Exception) -> Response:
    db.session.rollback()
    current_app.logger.exception("Open311: unhandled error")
    return formats.error_list(_fmt(), 500, [("server_error", describe("server_error"))])


# --- resources ------------------------------------------------------------------------------------------------


@bp.route(f"/discovery.{FMT}")
@read_limit
def discovery(fmt: str) -> Response:
    _jurisdiction()
    config = current_app.config
    data = resources.discovery(
        config.get("OPEN311_ENDPOINT_URL") or public_base() + bp.url_prefix,
        config.get("OPEN311_CONTACT") or _("泾河新城政务服务中心。接入与问题反馈请联系系统管理员。"),
        config.get("OPEN311_KEY_SERVICE")
        or _("提交申请需要 API 密钥：由系统管理员在“系统管理 › API 密钥”签发，请向泾河新城政务服务中心申请。"),
    )
    return formats.render(fmt, "discovery", data)


@bp.route(f"/services.{FMT}")
@read_limit
def list_services(fmt: str) -> Response:
    station = _jurisdiction()
    return formats.render(fmt, "services", [resources.service(item) for item in queries.online_services(station)])


@bp.route(f"/services/<service_code>.{FMT}")
@bp.route(f"/service/<service_code>.{FMT}")  # older clients ask in the singular: answered the same (liberal)
@read_limit
def service_definition(service_code: str, fmt: str) -> Response:
    station = _jurisdiction()
    item = queries.service_item(formats.clean_text(service_code), station)
    if item is None:
        raise Open311Error(404, "service_not_found")
    definition = resources.service_definition(item, queries.offering_stations(item, station))
    return formats.render(fmt, "service_definition", definition)


@bp.route(f"/requests.{FMT}", methods=["POST"])
@limiter.limit(_write_limit, key_func=_rate_key)
@idempotent("open311.requests.create", caller=_api_key_caller)
def create_request(fmt: str) -> Response:
    """POST requests: an ONLINE case in RECEIVED at the chosen station (form-encoded, or multipart with media)."""
    key = _api_key(required=True)
    station = _jurisdiction()
    filing = intake.filing(request.form, request.files.get("media"), key, station)
    try:
        filed = services.file_request(filing)
    except (CaseError, CaseFlowError) as error:
        db.session.rollback()
        code = getattr(error, "code", "bad_request")
        message = CASE_ERROR_MESSAGES.get(code)
        raise Open311Error(400, code, str(message) if message else describe("bad_request")) from error
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        services.discard(filed.stored)
        raise
    return formats.render(fmt, "service_requests", resources.filed(filed.case, filing.station, filing.item))


@bp.route(f"/requests.{FMT}")
@read_limit
def list_requests(fmt: str) -> Response:
    station = _jurisdiction()
    own = _own_key()
    filters = intake.request_filters(request.values, station.id if station else None, utcnow())
    rows = queries.request_rows(filters)
    data = [resources.service_request(case, sub, own=_filed_by(own, sub)) for case, sub in rows]
    return formats.render(fmt, "service_requests", data)


@bp.route(f"/requests/<service_request_id>.{FMT}")
@read_limit
def show_request(service_request_id: str, fmt: str) -> Response:
    station = _jurisdiction()
    own = _own_key()
    row = queries.request_row(formats.clean_text(service_request_id), station.id if station else None)
    if row is None:
        raise Open311Error(404, "request_not_found")
    case, submission = row
    data = [resources.service_request(case, submission, own=_filed_by(own, submission))]
    return formats.render(fmt, "service_requests", data)


@bp.route(f"/tokens/<token>.{FMT}")
@read_limit
def token(token: str, fmt: str) -> Response:
    """Every service is ``realtime`` (the case number comes back at once): no token is ever issued."""
    _jurisdiction()
    raise Open311Error(404, "token_not_found")


@bp.route("/", defaults={"rest": ""}, methods=ANY_METHOD)
@bp.route("/<path:rest>", methods=ANY_METHOD)
def unknown(rest: str) -> Response:
    """Anything else under /open311/v2/: 404, or 400 for a known resource asked with the wrong method."""
    allowed = _methods_of(request.path)
    if allowed:
        error = Open311Error(400, "method_not_allowed")
        response = formats.error_list(_fmt(), error.status, error.errors)
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response
    raise Open311Error(404, "resource_not_found")


def _methods_of(path: str) -> set[str]:
    """The methods another Open311 route answers on ``path``."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in ("GET", "POST"):
        try:
            endpoint, _args = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != "open311.unknown":
            allowed.add(method)
    return allowed


def _own_key() -> ApiKey | None:
    """The valid key a read carries, if any (a wrong one is ignored: reads need no key); notes its use."""
    key = _api_key(required=False)
    if key is not None and services.touch_key(key):
        try:
            db.session.commit()
        except SQLAlchemyError:  # best effort (a busy database): the read must not fail for it
            db.session.rollback()
    return key


def _filed_by(key: ApiKey | None, submission) -> bool:
    return key is not None and submission is not None and submission.api_key_id == key.id
