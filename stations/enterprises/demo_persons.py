"""Demo data for persons as applicants (issue 12): `person-demo`, a fictional 群众 living near LL."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import Role, User
from ..auth.services import hash_password
from ..extensions import db
from .persons import register_person

# Fictional: a well-formed number (valid region, birth date and check digit) that belongs to nobody we know of.
DEMO_PERSON_ID_NO = "610425199001011232"
DEMO_PERSON_NAME = "李华(虚构)"


def seed_person_demo(password: str, station_id: int | None) -> None:
    """The person and their account, once. Flushes."""
    if db.session.scalar(select(User.id).where(User.username == "person-demo")):
        return
    person = register_person(name=DEMO_PERSON_NAME, id_no=DEMO_PERSON_ID_NO, phone="13900000001", station_id=station_id)
    db.session.add(
        User(
            username="person-demo",
            display_name=DEMO_PERSON_NAME,
            role=Role.PERSON,
            password_hash=hash_password(password),
            enterprise_id=person.id,
        )
    )
    db.session.flush()
