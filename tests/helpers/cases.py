"""Test helpers for cases (moved out of tests/cases/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from stations.cases import services
from stations.cases.models import MaterialStatus
from stations.cases.services import EventInput
from stations.domain.case_vocabulary import CaseEvent
from stations.enterprises import services as enterprise_services
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.suite import csrf_token_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def token(client) -> str:
    return csrf_token_from(client, "/account/password")


def post_event(client, case, event: str, *, version: int | None = None, headers=None, **data):
    form = {"csrf_token": token(client), "version": case.version if version is None else version, **data}
    return client.post(f"/cases/{case.case_no}/events/{event}", data=form, headers=headers or {})


def text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    """The page's words without tags (for "does not show" checks)."""
    return re.sub(r"<[^>]+>", " ", html)


def utc(text: str) -> datetime:
    """A naive UTC datetime from Beijing wall-clock text (UTC+8)."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


def fire(case, event: CaseEvent, by: str = "staff-ll", now: datetime | None = None, **data):
    services.apply_event(case, event, f.user(by), version=case.version, data=EventInput(**data), now=now)
    return case


def accepted_case(**kwargs):
    case = f.make_case(**kwargs)
    return fire(case, CaseEvent.ACCEPT)


def overdue_case(**kwargs):
    """A case in review whose deadline passed long ago: RED today."""
    case = f.make_case(now=utc("2025-03-03 09:00"), **kwargs)
    fire(case, CaseEvent.ACCEPT, by=kwargs.get("by", "staff-ll"), now=utc("2025-03-03 09:05"))
    return fire(case, CaseEvent.START_REVIEW, by=kwargs.get("by", "staff-ll"), now=utc("2025-03-03 09:10"))


def rongque_case(**kwargs):
    """Accepted under 容缺 with its minor materials missing: PENDING ledger rows."""
    case = f.make_case(rongque=True, materials="missing_minor", **kwargs)
    return fire(case, CaseEvent.ACCEPT_WITH_DEFICIENCY, by=kwargs.get("by", "staff-ll"), commitment_signed=True)


def case_with_file(filename: str = "营业执照.pdf", data: bytes = PDF, **kwargs):
    """A received case whose first material is a stored PDF in the enterprise's document store (a new client's
    when ``enterprise`` is not given)."""
    staff = f.user(kwargs.get("by", "staff-ll"))
    item = f.item(station_code=kwargs.get("station_code", "LL"), instant=False)
    enterprise = kwargs.get("enterprise") or f.make_client().enterprise
    stored = store_bytes(data, "application/pdf", filename, enterprise_id=enterprise.id, user_id=staff.id)
    material = item.materials[0]
    document = enterprise_services.add_document(enterprise.id, material.name, stored.id, user=staff)
    inputs = [services.MaterialInput(m.id, MaterialStatus.VERIFIED) for m in item.materials[1:] if m.is_required]
    inputs.append(services.MaterialInput(material.id, MaterialStatus.VERIFIED, document.id))
    case = services.receive_case(
        user=staff,
        station=f.station(kwargs.get("station_code", "LL")),
        item=item,
        enterprise=enterprise,
        channel=services.Channel.STATION,
        applicant_name="韩梅梅",
        applicant_phone="13800001234",
        materials=inputs,
    )
    return case, stored
