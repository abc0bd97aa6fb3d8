"""Natural persons as applicants (群众, issue 12, item 4), identified by a 居民身份证 number.

The number is checked with python-stdnum (length, birth date, region, check digit), never stored in clear: a person
row keeps it masked for display (``610***********123X``) and a keyed digest to find the same person again. It is never
shown on public pages (/track answers without personal data). A person is an applicant row (Enterprise, kind PERSON,
no credit code), so their cases, clerk choice and documents work as an enterprise's do.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from ..extensions import db
from .models import Enterprise, EnterpriseKind


class InvalidIdNumber(ValueError):
    """Not a valid 居民身份证 number."""


def normalise_id_no(text: str) -> str:
    """The 18-character number, upper-case X; raises InvalidIdNumber when it is not a valid 居民身份证 number."""
    compact = "".join((text or "").split()).upper()
    if len(compact) != 18:
        raise InvalidIdNumber(compact)
    try:
        return ric.validate(compact)
    except ValidationError as error:
        raise InvalidIdNumber(compact) from error


def mask_id_no(number: str) -> str:
    """Region prefix and the last four characters: enough to tell people apart at a counter, not to reuse."""
    return number[:3] + "*" * 11 + number[-4:]


def id_no_digest(number: str) -> str:
    key = (current_app.config.get("ID_DIGEST_KEY") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def find_person(number: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.id_no_digest == id_no_digest(number)))


def register_person(*, name: str, id_no: str, phone: str | None = None, station_id: int | None = None) -> Enterprise:
    """The person with this ID number, created on first sight. Flushes, never commits.

    :raise InvalidIdNumber: the number fails the check.
    """
    number = normalise_id_no(id_no)
    person = find_person(number)
    if person is not None:
        return person
    person = Enterprise(
        name=name.strip()[:200],
        uscc=None,
        kind=EnterpriseKind.PERSON,
        id_no_masked=mask_id_no(number),
        id_no_digest=id_no_digest(number),
        contact_name=name.strip()[:100],
        contact_phone=(phone or "").strip()[:32] or None,
        station_id=station_id,
    )
    db.session.add(person)
    db.session.flush()
    return person
