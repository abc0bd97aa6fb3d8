"""Reading Open311 parameters: liberal in form, strict in meaning.

* An empty parameter is an absent one (the spec's "Optional Arguments").
* ``api_key`` and ``jurisdiction_id`` come from the query string or the body.
* ``attribute[code]=value``; a list value (``attribute[code][]=value``) is accepted too, its first value used.
* Free text is stripped of characters XML cannot carry and cut to its column's length; HTML stays text (it is
  escaped wherever it is shown). The spec's optional fields never refuse a request.
* Everything wrong with a POST is reported at once (the spec's error list may hold several errors).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict

from ..cases.labels import upload_message
from ..domain import identifiers
from ..enterprises.queries import by_credit_code
from ..timeutil import BUSINESS_TZ
from ..uploads.storage import UploadRejected, read_checked
from ..web.params import parse_int
from . import queries, resources
from .errors import Open311Error, describe
from .formats import clean_text
from .models import ApiKey
from .queries import RequestFilters
from .services import Filing

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_RANGE_DAYS = 90
MAX_RESULTS = 1000
MAX_IDS = 1000
MAX_CODES = 200
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")  # the web intake form's rule
# The spec's optional POST fields -> the length each is stored with (never a reason to refuse).
EXTRA_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 64,
    "lat": 32,
    "long": 32,
    "address_string": 500,
    "address_id": 100,
    "device_id": 200,
    "account_id": 200,
    "media_url": 2000,
}
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,64})\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def text(values: MultiDict, name: str, limit: int | None = None) -> str:
    """The parameter as clean, stripped text ('' when absent or empty), cut to ``limit``."""
    value = clean_text(values.get(name, "") or "").strip()
    return value[:limit] if limit else value


def attributes(values: MultiDict) -> dict[str, str]:
    """``attribute[code]`` values by code (the first non-empty one for a list)."""
    found: dict[str, str] = {}
    for name in values:
        match = _ATTRIBUTE.match(name)
        if not match:
            continue
        code = match.group(1).strip()
        for value in values.getlist(name):
            value = clean_text(value or "").strip()[:500]
            if value and code not in found:
                found[code] = value
    return found


def person_name(first: str, last: str) -> str:
    """Family name first and no space for Chinese names ("张" + "三"), "First Last" otherwise."""
    if not (first or last):
        return ""
    if _CJK.search(first + last):
        return (last + first)[:100]
    return f"{first} {last}".strip()[:100]


# --- GET requests -------------------------------------------------------------------------------------------


def parse_w3c(value: str, name: str, *, end: bool = False) -> datetime:
    """A W3C datetime (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm[:ss[.s]]TZD``) as naive UTC.

    Liberal: without a time zone, business time (+08:00) is meant; a date alone is its start, or for an end date
    its last second.
    """
    raw = value.strip()
    try:
        if re.fullmatch(r"\d{4}", raw):
            raw += "-01-01"
        elif re.fullmatch(r"\d{4}-\d{2}", raw):
            raw += "-01"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = datetime.strptime(raw, "%Y-%m-%d")
            parsed = datetime.combine(day.date(), time.max if end else time.min).replace(microsecond=0)
        else:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?", raw):
                raise ValueError(raw)
            parsed = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError as error:
        raise Open311Error(400, "invalid_date", name=name) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BUSINESS_TZ)
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _comma_list(value: str, limit: int, length: int) -> list[str]:
    return [part.strip()[:length] for part in value.split(",") if part.strip()][: limit + 1]


def _positive_int(value: str, code: str, maximum: int, **params: object) -> int:
    number = parse_int(value.strip())
    if number is None or not 1 <= number <= maximum:
        raise Open311Error(400, code, **params)
    return number


def request_filters(values: MultiDict, station_id: int | None, now: datetime) -> RequestFilters:
    """GET requests' filters; ``now`` is naive UTC. :raise Open311Error: 400 for any bad value."""
    filters = RequestFilters(station_id=station_id, page_size=MAX_RESULTS)
    if page := text(values, "page", 20):
        filters.page = _positive_int(page, "invalid_page", 1_000_000)
    if page_size := text(values, "page_size", 20):
        filters.page_size = _positive_int(page_size, "invalid_page_size", MAX_RESULTS, max=MAX_RESULTS)
    if ids := text(values, "service_request_id"):
        filters.case_nos = _comma_list(ids, MAX_IDS, 24)
        if len(filters.case_nos) > MAX_IDS:
            raise Open311Error(400, "too_many_ids", max=MAX_IDS)
        return filters  # "This overrides all other arguments."
    if codes := text(values, "service_code"):
        filters.service_codes = _comma_list(codes, MAX_CODES, 40)
    if status := text(values, "status", 100):
        statuses = {part.strip().lower() for part in status.split(",") if part.strip()}
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "invalid_status")
        filters.statuses = frozenset(statuses)
    start_raw, end_raw = text(values, "start_date", 64), text(values, "end_date", 64)
    errors = []
    start = end = None
    for name, raw, is_end in (("start_date", start_raw, False), ("end_date", end_raw, True)):
        if raw:
            try:
                parsed = parse_w3c(raw, name, end=is_end)
            except Open311Error as error:
                errors += error.errors
                continue
            if is_end:
                end = parsed
            else:
                start = parsed
    if errors:
        raise Open311Error.many(400, errors)
    span = timedelta(days=MAX_RANGE_DAYS)
    if start is None and end is None:
        start, end = now - span, None  # the most recent 90 days
    elif start is None:
        start = end - span
    elif end is None:
        end = start + span
    elif end < start:
        raise Open311Error(400, "date_range_reversed")
    elif end - start > span:
        raise Open311Error(400, "date_range_too_long", days=MAX_RANGE_DAYS)
    filters.start, filters.end = start, end
    return filters


# --- POST requests ------------------------------------------------------------------------------------------


def filing(values: MultiDict, media: FileStorage | None, key: ApiKey, jurisdiction) -> Filing:
    """A checked POST requests. :raise Open311Error: 400/404 with every problem found."""
    code = text(values, "service_code", 40)
    if not code:
        raise Open311Error(400, "service_code_missing")
    item = queries.service_item(code)
    if item is None:
        raise Open311Error(404, "service_not_found")
    given = attributes(values)
    errors: list[tuple[str, str]] = []

    def problem(error_code: str, **params: object) -> None:
        errors.append((error_code, describe(error_code, **params)))

    # The station: the attribute, or the station named as jurisdiction.
    station = None
    station_code = given.get(resources.STATION, "").upper()
    if jurisdiction is not None and station_code and station_code != jurisdiction.code:
        problem("station_mismatch")
    station_code = station_code or (jurisdiction.code if jurisdiction is not None else "")
    if not station_code:
        problem("attribute_required", attribute=resources.STATION)
    elif (station := queries.jurisdiction_station(station_code)) is None:
        problem("attribute_invalid", attribute=resources.STATION)
    elif not queries.offering_stations(item, station):
        problem("item_not_in_scope")

    # The enterprise: a valid credit code; a new one needs a name.
    uscc = identifiers.normalise(given.get(resources.USCC, ""))[:24]
    enterprise = None
    enterprise_name = clean_text(given.get(resources.ENTERPRISE_NAME, "")).strip()[:200]
    if not uscc:
        problem("attribute_required", attribute=resources.USCC)
    elif not identifiers.is_valid_uscc(uscc):
        problem("invalid_uscc")
    elif (enterprise := by_credit_code(uscc)) is None and not enterprise_name:
        problem("enterprise_name_required")

    # The phone the station calls: the attribute, or (liberal) the standard field `phone` when it is one.
    extras = {name: text(values, name, limit) or None for name, limit in EXTRA_FIELDS.items()}
    phone = given.get(resources.CONTACT_PHONE, "")
    if not phone and extras["phone"] and PHONE.match(extras["phone"]):
        phone = extras["phone"]
    if not phone:
        problem("attribute_required", attribute=resources.CONTACT_PHONE)
    elif not PHONE.match(phone):
        problem("invalid_phone")

    # Materials: provided (in the media file) or missing.
    provided = set()
    for material in item.materials:
        value = given.get(resources.MATERIAL_PREFIX + material.code, resources.MISSING).lower()
        if value not in resources.MATERIAL_VALUES:
            problem("attribute_invalid", attribute=resources.MATERIAL_PREFIX + material.code)
        elif value == resources.PROVIDED:
            provided.add(material.id)

    description = clean_text(values.get("description", "") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        problem("description_too_long", max=MAX_DESCRIPTION)

    checked_media = None
    if media is not None and media.filename:  # an empty file input (no file chosen) is no media
        max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
        try:
            data, content_type = read_checked(media)
        except UploadRejected as rejected:
            errors.append(("media_" + rejected.code, upload_message(rejected.code, max_bytes)))
        else:
            checked_media = (data, content_type, media.filename)
    if provided and checked_media is None and not any(code.startswith("media_") for code, _ in errors):
        problem("media_required")

    if errors:
        raise Open311Error.many(400, errors)
    applicant = person_name(extras["first_name"] or "", extras["last_name"] or "")
    return Filing(
        key=key,
        item=item,
        station=station,
        uscc=uscc,
        enterprise=enterprise,
        enterprise_name=enterprise_name,
        contact_phone=phone,
        applicant_name=applicant,
        provided_material_ids=provided,
        media=checked_media,
        description=description,
        extras=extras,
        attributes=given,
    )
