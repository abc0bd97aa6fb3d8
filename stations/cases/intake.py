"""Intake (收件): the one checklist and the one trust rule of every way a case comes in.

Five entry points take in a case: the counter's intake page (cases.intake_views), the enterprise's online
application (portal), API v1 (api.cases), Open311 (open311.services) and a partner district's forward
(crossregion.case_link). Each reads its own input format into plain mappings and asks this module for the
channel and the checklist, so a material counts as checked (VERIFIED) by the same rule everywhere:

* the channel comes from who files and the station's kind: the applicant itself (an enterprise user, or an
  integration filing for it) applies ONLINE; at the centre's counters it is the comprehensive window, elsewhere
  a station;
* a document from the enterprise's store counts as checked when its trust level says so (``VERIFIED_TRUST`` in
  access.py: an electronic licence or an original a window has seen); anything else waits for staff (PROVIDED);
* a file uploaded with the application counts as checked only at a counter, where the original is in hand;
  online it waits for staff (PROVIDED);
* "checked" claimed without a document is believed only at a counter; online nothing was handed in (MISSING).

The applicant is an enterprise or a natural person (an Enterprise row of kind PERSON, found by 居民身份证 number:
``person_applicant``); a person applies for the personal items only (``intake_actor``), whoever files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..access import VERIFIED_TRUST
from ..auth.models import Role, User
from ..catalog.models import DepartmentCategory, ServiceItem
from ..domain.case_vocabulary import Actor
from ..enterprises import services as enterprise_services
from ..enterprises.models import Document, Enterprise, EnterpriseKind, TrustLevel
from ..enterprises.persons import InvalidIdNumber, find_person, normalise_id_no, register_person
from ..extensions import db
from ..sites.models import Station, StationKind
from ..uploads.models import StoredFile
from ..uploads.storage import UploadRejected, read_checked, store_bytes
from ..web.params import parse_int
from .labels import CASE_ERROR_MESSAGES, upload_message
from .models import Case, CaseMaterial, Channel, MaterialStatus
from .records import CaseError, MaterialInput

# The items a natural person (群众) applies for: social security, medical insurance, housing fund (issue 12).
PERSONAL_CATEGORIES = (
    DepartmentCategory.SOCIAL_SECURITY,
    DepartmentCategory.MEDICAL_INSURANCE,
    DepartmentCategory.HOUSING_FUND,
)
COUNTER_CHANNELS = frozenset({Channel.WINDOW, Channel.COMPREHENSIVE, Channel.STATION})
CHECKED = "VERIFIED"  # the claim "checked against the original" (a form's 已核验, the API's VERIFIED)


def intake_channel(user: User | None, station: Station) -> Channel:
    """ONLINE when the applicant files itself (``user`` None = an integration filing for it); else the counter's
    channel by the station's kind: the centre's comprehensive window, or a station."""
    if user is None or user.role in (Role.ENTERPRISE, Role.PERSON):
        return Channel.ONLINE
    return Channel.COMPREHENSIVE if station.kind is StationKind.CENTER else Channel.STATION


def is_personal_item(item: ServiceItem) -> bool:
    return item.department is not None and item.department.category in PERSONAL_CATEGORIES


def person_applicant(user: User, id_no: str, *, name: str = "", phone: str = "") -> Enterprise:
    """The person a case is for, by 居民身份证 number (checked with python-stdnum; stored masked + digest only).

    Station staff meet the person at the counter, so they may register one on first sight (a name is needed). A
    dedicated clerk or the person itself only names someone already known: the clerk's client (intake_actor checks
    the choice), or oneself. Flushes, never commits.

    :raise CaseError: ``invalid_id_no`` (bad number), ``applicant_name_required``, ``unknown_person``.
    """
    try:
        number = normalise_id_no(id_no)
    except InvalidIdNumber as error:
        raise CaseError("invalid_id_no") from error
    if user.role is Role.STAFF:
        if not name.strip():
            raise CaseError("applicant_name_required")
        return register_person(name=name, id_no=number, phone=phone, station_id=user.station_id)
    person = find_person(number)
    if person is None:
        raise CaseError("unknown_person")
    return person


def at_counter(channel: Channel) -> bool:
    return channel in COUNTER_CHANNELS


def document_status(document: Document) -> MaterialStatus:
    """The trust rule for a document of the store: checked when its trust level says so, else for staff to check."""
    return MaterialStatus.VERIFIED if document.trust_level in VERIFIED_TRUST else MaterialStatus.PROVIDED


def upload_status(channel: Channel) -> MaterialStatus:
    """A file handed in with the application: checked at a counter (the original is in hand), else PROVIDED."""
    return MaterialStatus.VERIFIED if at_counter(channel) else MaterialStatus.PROVIDED


def claimed_status(claim: str, channel: Channel) -> MaterialStatus:
    """A material declared without a document: "checked" is believed at a counter only; anything else is missing."""
    return MaterialStatus.VERIFIED if claim == CHECKED and at_counter(channel) else MaterialStatus.MISSING


def checklist(item: ServiceItem, channel: Channel, given: Mapping[int, Document | str]) -> list[MaterialInput]:
    """One entry per material of ``item`` (by id): a document (trust rule), a claim (``CHECKED``) or missing."""
    inputs = []
    for material in item.materials:
        value = given.get(material.id)
        if isinstance(value, Document):
            inputs.append(MaterialInput(material.id, document_status(value), value.id))
        else:
            inputs.append(MaterialInput(material.id, claimed_status(value or "", channel)))
    return inputs


def untrusted_document(enterprise_id: int, material_name: str, stored: StoredFile) -> Document:
    """A document for a file that came from outside (an Open311 client, a partner district): trust level C."""
    document = Document(
        enterprise_id=enterprise_id, material_name=material_name[:200], file_id=stored.id, trust_level=TrustLevel.C
    )
    db.session.add(document)
    db.session.flush()
    return document


@dataclass
class FormChecklist:
    """An intake form's materials: the entries, files checked but not stored yet, the choices kept for a 422."""

    inputs: list[MaterialInput] = field(default_factory=list)
    uploads: dict[int, tuple[bytes, str, str, str]] = field(default_factory=dict)  # id -> data, type, file, name
    choices: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def read_form_checklist(
    item: ServiceItem | None,
    channel: Channel,
    form: Mapping[str, str],
    files: Mapping,
    documents: Mapping[int, Document],
    *,
    max_bytes: int,
) -> FormChecklist:
    """Each material of an intake page's form: ``m<id>`` = ``VERIFIED``, ``MISSING`` or ``doc:<document id>``
    (one of ``documents``), and a file ``f<id>`` (checked here, stored once the whole intake is valid).

    At a counter, staff pick a document for the material of its name; online the applicant may offer any of its
    usable documents (staff check it).
    """
    result = FormChecklist()
    if item is None:
        return result
    given: dict[int, Document | str] = {}
    for material in item.materials:
        choice = form.get(f"m{material.id}", "MISSING")
        result.choices[material.id] = choice
        upload = files.get(f"f{material.id}")
        if upload is not None and upload.filename:
            try:
                data, content_type = read_checked(upload)
            except UploadRejected as rejected:
                result.errors[material.id] = upload_message(rejected.code, max_bytes)
                continue
            result.uploads[material.id] = (data, content_type, upload.filename, material.name)
        elif choice.startswith("doc:"):
            document = documents.get(parse_int(choice[4:])) if parse_int(choice[4:]) else None
            if document is None or (at_counter(channel) and document.material_name != material.name):
                result.errors[material.id] = str(CASE_ERROR_MESSAGES["document_not_yours"])
                continue
            given[material.id] = document
        else:
            given[material.id] = choice
    result.inputs = [
        entry
        for entry in checklist(item, channel, given)
        if entry.item_material_id not in result.uploads and entry.item_material_id not in result.errors
    ]
    return result


def file_uploads(
    uploads, *, enterprise: Enterprise, user: User, status: MaterialStatus, stored: list[StoredFile]
) -> list[MaterialInput]:
    """Put each checked upload of an intake form into the enterprise's document store, once.

    ``uploads`` maps an item material id to ``(data, content_type, filename, material_name)``; every file
    written is appended to ``stored`` so that the caller can discard them if the transaction rolls back.
    Returns the checklist entries pointing at the new documents.
    """

    inputs = []
    for material_id, (data, content_type, filename, material_name) in uploads.items():
        stored.append(store_bytes(data, content_type, filename, enterprise_id=enterprise.id, user_id=user.id))
        document = enterprise_services.add_document(enterprise.id, material_name, stored[-1].id, user=user)
        inputs.append(MaterialInput(material_id, status, document.id))
    return inputs


def add_checklist(case: Case, item: ServiceItem, materials: list[MaterialInput]) -> None:
    """One checklist row per material of the item, in the item's order; what was not given is MISSING."""
    given = {m.item_material_id: m for m in materials}
    for order, material in enumerate(item.materials):
        entry = given.get(material.id)
        case.materials.append(
            CaseMaterial(
                item_material_id=material.id,
                status=entry.status if entry else MaterialStatus.MISSING,
                document_id=entry.document_id if entry else None,
                sort_order=order,
            )
        )


def intake_actor(
    user: User | None,
    station: Station,
    enterprise: Enterprise,
    clerk_id: int | None,
    channel: Channel,
    item: ServiceItem,
    *,
    integration: str | None = None,
) -> Actor:
    if enterprise.kind is EnterpriseKind.PERSON and not is_personal_item(item):
        raise CaseError("not_personal_item")  # a person applies for the personal items only
    if user is None:
        if not integration:
            raise CaseError("read_only", 403)
        if channel is not Channel.ONLINE or not item.is_online:
            raise CaseError("not_online")
        return Actor.ENTERPRISE  # an online application, filed for the enterprise by an integration
    if user.role is Role.STAFF:
        if user.station_id != station.id:
            raise CaseError("not_your_station", 403)
        return Actor.STAFF
    if user.role is Role.CLERK:
        # A dedicated clerk takes in for its clients at any station (domain.md §4.9).
        if clerk_id != user.id:
            raise CaseError("not_your_client", 403)
        return Actor.CLERK
    if user.role in (Role.ENTERPRISE, Role.PERSON):
        if user.enterprise_id != enterprise.id:
            raise CaseError("not_your_enterprise", 403)
        if channel is not Channel.ONLINE or not item.is_online:
            raise CaseError("not_online")
        return Actor.ENTERPRISE
    raise CaseError("read_only", 403)
