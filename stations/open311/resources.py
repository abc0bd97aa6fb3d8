"""The spec's resources as plain data (formats.py renders them as XML or JSON).

Field names and their order follow the spec's examples. Service requests carry no personal data: no enterprise,
credit code, applicant, phone or any of the free-text fields a client sent; the ``description`` and ``media_url``
a client sent are shown only to that client (a request carrying the api_key that filed it).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..cases.models import Case
from ..cases.services import closing_time
from ..catalog.labels import MATERIAL_FORM_LABELS, ONLINE_MODE_LABELS
from ..catalog.models import ServiceItem
from ..catalog.search import ALIASES
from ..domain.case_vocabulary import CLOSED_STATUSES, STATUS_LABELS
from ..sites.models import Station
from ..timeutil import BUSINESS_TZ, to_business
from .models import Open311Submission

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"
# When this implementation of the spec last changed (discovery's changeset).
CHANGESET = "2026-01-15T00:00:00+08:00"
FORMATS = ["text/xml", "application/json"]

# Attribute codes (contract.md: station, enterprise_uscc, contact_phone), then one per material.
STATION, USCC, ENTERPRISE_NAME, CONTACT_PHONE = "station", "enterprise_uscc", "enterprise_name", "contact_phone"
MATERIAL_PREFIX = "material_"
PROVIDED, MISSING = "provided", "missing"
# The value that needs nothing else comes first: generic clients fill every list with its first value and send no
# media (issue 18), and such a request must succeed.
MATERIAL_VALUES = {
    MISSING: _l("暂未提供（到驿站或补正时提交）"),
    PROVIDED: _l("已提供（包含在随申请上传的 media 文件中）"),
}
FIRST_MATERIAL_ORDER = 10


def w3c(value: datetime | None) -> str | None:
    """A stored naive-UTC datetime as a W3C datetime in business time, to the second: 2026-01-05T09:30:00+08:00."""
    return to_business(value).replace(microsecond=0).isoformat() if value else None


def expected(due_on: date | None) -> str | None:
    """The due day at closing time (17:00), business time."""
    if due_on is None:
        return None
    return datetime.combine(due_on, closing_time(), tzinfo=BUSINESS_TZ).isoformat()


def is_closed(case: Case) -> bool:
    """closed = the case is final (domain CLOSED_STATUSES: delivered, refused, withdrawn, terminated, recalled)."""
    return case.status in CLOSED_STATUSES


def keywords(item: ServiceItem) -> str:
    """Pinyin initials of the name, then the everyday names (catalog.search.ALIASES) of words in it."""
    words = [item.name_initials] if item.name_initials else []
    words += [everyday for everyday, official in ALIASES.items() if official in item.name]
    return ", ".join(words)


def service_description(item: ServiceItem) -> str:
    mode = str(ONLINE_MODE_LABELS[item.online_mode])
    if item.is_instant:
        return _("即办件，%(mode)s，材料齐全时当场办结。", mode=mode)
    return _("承诺件，%(mode)s，承诺办结时限 %(days)s 个工作日。", mode=mode, days=item.promised_days)


def time_limit_notice(days: int, is_instant: bool) -> str:
    if is_instant:
        return _("即办件：承诺时限 0 个工作日，受理后当场办结。")
    return _("承诺时限 %(days)s 个工作日，自受理之日起计算。", days=days)


def discovery(endpoint_url: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION_URL,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def service(item: ServiceItem) -> dict:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": service_description(item),
        "metadata": True,  # every service has attributes (the station, the credit code, the phone at least)
        "type": "realtime",
        "keywords": keywords(item),
        "group": item.department.name,
    }


def _attribute(code: str, datatype: str, required: bool, order: int, description: str, hint: str | None, values=()):
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": hint,
        "order": order,
        "description": description,
        "values": [{"key": key, "name": name} for key, name in values],
    }


def material_description(material) -> str:
    need = _("必要") if material.is_required else _("选交")
    form = str(MATERIAL_FORM_LABELS.get(material.form, material.form))
    return _(
        "%(name)s（%(need)s,%(form)s %(copies)s 份）", name=material.name, need=need, form=form, copies=material.copies
    )


def service_definition(item: ServiceItem, stations: list[Station]) -> dict:
    attributes = [
        _attribute(
            STATION,
            "singlevaluelist",
            True,
            1,
            _("办理驿站"),
            _("驿站编码；以驿站编码作 jurisdiction_id 时可省略"),
            [(station.code, station.name) for station in stations],
        ),
        _attribute(USCC, "string", True, 2, _("申请企业的统一社会信用代码"), _("18 位，含校验位")),
        _attribute(
            ENTERPRISE_NAME,
            "string",
            False,
            3,
            _("企业名称（该信用代码尚未登记时必填，企业将在驿站核验）"),
            _("不超过 200 字"),
        ),
        _attribute(
            CONTACT_PHONE,
            "string",
            True,
            4,
            _("联系电话（驿站一次性告知补正时联系）"),
            _("5 到 20 位数字，可含 + - 和空格；省略时使用标准字段 phone"),
        ),
    ]
    for order, material in enumerate(item.materials, start=FIRST_MATERIAL_ORDER):
        attributes.append(
            _attribute(
                MATERIAL_PREFIX + material.code,
                "singlevaluelist",
                False,
                order,
                material_description(material),
                _("省略时视为暂未提供"),
                [(key, str(name)) for key, name in MATERIAL_VALUES.items()],
            )
        )
    return {"service_code": item.code, "attributes": attributes}


def filed(case: Case, station: Station, item: ServiceItem) -> list[dict]:
    """POST requests' answer: the case number and what happens next."""
    notice = _("已收件，待%(station)s审核受理。", station=station.name) + time_limit_notice(
        item.promised_days, item.is_instant
    )
    return [{"service_request_id": case.case_no, "service_notice": notice}]


def service_request(case: Case, submission: Open311Submission | None, *, own: bool) -> dict:
    """One case as a service request. ``own``: the request carries the api_key that filed it."""
    station = case.station
    days = case.promised_days if case.promised_days is not None else case.item.promised_days
    return {
        "service_request_id": case.case_no,
        "status": "closed" if is_closed(case) else "open",
        "status_notes": _(STATUS_LABELS[case.status]),
        "service_name": case.item.name,
        "service_code": case.item.code,
        "description": submission.description if own and submission else None,
        "agency_responsible": station.name,
        "service_notice": time_limit_notice(days, case.is_instant),
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": expected(case.due_on),
        "address": station.address or None,
        "address_id": station.code,
        "zipcode": None,
        "lat": station.lat,
        "long": station.lng,
        "media_url": submission.media_url if own and submission else None,
    }
