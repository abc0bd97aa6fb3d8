"""Cases: what a user may see and do with them (stations.access, the one place for scopes, re-exports this).

Staff see their station's cases; a dedicated clerk the cases of the enterprises that have
chosen it (wherever received); an enterprise user only its own; the central office and the
administrator all of them (the central office read-only). Every case query starts here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true

from ..auth.models import DepartmentDuty, Role, User
from ..cases.models import Case
from ..clerks.models import ClerkChoice
from ..domain.case_vocabulary import PARTNER_PENDING_STATUSES, Actor, CaseStatus
from ..enterprises.models import TrustLevel
from ..extensions import db
from ..sites.models import Station
from ..sites.queries import get_station

# Who may see a case's query code (on its page, its receipt and its API record): not the read-only central office.
RECEIPT_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.CLERK, Role.ENTERPRISE, Role.PERSON})
# Who applies for itself online and chooses its dedicated clerk: an enterprise user, or a person (issue 12).
APPLICANT_ROLES = (Role.ENTERPRISE, Role.PERSON)
# Who takes in a personal item for a person: station staff (anyone), a dedicated clerk (its clients: intake_actor).
PERSON_INTAKE_ROLES = (Role.STAFF, Role.CLERK)
# Who may relay an applicant's supplied material to a partner district: the staff side of the intake station.
RELAY_ROLES = frozenset({Role.STAFF, Role.CLERK, Role.ADMIN})

# When the manual cross-region page (crossregion/manual_views.py) has work: a case to send to a partner by post
# (RECEIVED, the source of forward) or a partner's report to record (PARTNER_PENDING_STATUSES).
MANUAL_CHANNEL_STATUSES = frozenset({CaseStatus.RECEIVED}) | PARTNER_PENDING_STATUSES

# Documents that count as checked when reused for a case: an electronic licence (A) or an original a window has
# seen (B). Self-uploaded files (C) wait for staff (cases/intake.py applies this at every entry point).
VERIFIED_TRUST = frozenset({TrustLevel.A, TrustLevel.B})


def current_clients_of(clerk: User) -> Select:
    """Ids of the enterprises whose current dedicated clerk is ``clerk``."""
    return select(ClerkChoice.enterprise_id).where(ClerkChoice.clerk_id == clerk.id, ClerkChoice.is_current)


def case_scope(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause limiting cases to what ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    role = user.role
    if role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if role is Role.STAFF and user.station_id is not None:
        return Case.station_id == user.station_id
    if role is Role.CLERK:
        return Case.enterprise_id.in_(current_clients_of(user))
    if role in (Role.ENTERPRISE, Role.PERSON) and user.enterprise_id is not None:
        return Case.enterprise_id == user.enterprise_id
    if role is Role.DEPARTMENT and user.department_id is not None:
        return Case.department_id == user.department_id  # the cases handed to their department (back office)
    return false()


def cases_visible_to(user: User | None) -> Select:
    """``select(Case)`` already limited to the user's scope; add filters, ordering and loading to it."""
    return select(Case).where(case_scope(user))


def may_see(user: User | None, case: Case) -> bool:
    """The same rule as case_scope, for a case already loaded (no query for most roles)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    role = user.role
    if role in (Role.ADMIN, Role.CENTRAL):
        return True
    if role is Role.STAFF:
        return user.station_id is not None and case.station_id == user.station_id
    if role in (Role.ENTERPRISE, Role.PERSON):
        return user.enterprise_id is not None and case.enterprise_id == user.enterprise_id
    if role is Role.DEPARTMENT:
        return user.department_id is not None and case.department_id == user.department_id
    if role is Role.CLERK:
        return bool(
            db.session.scalar(
                select(ClerkChoice.id).where(
                    ClerkChoice.clerk_id == user.id,
                    ClerkChoice.enterprise_id == case.enterprise_id,
                    ClerkChoice.is_current,
                )
            )
        )
    return False


def actor_for(user: User | None, case: Case) -> Actor | None:
    """The role in which ``user`` may act on ``case`` in the state machine, or None (read-only or no access)."""
    if user is None or not may_see(user, case):
        return None
    return {
        Role.STAFF: Actor.STAFF,
        Role.CLERK: Actor.CLERK,
        Role.ENTERPRISE: Actor.ENTERPRISE,
        Role.ADMIN: Actor.ADMIN,
        Role.DEPARTMENT: Actor.DEPARTMENT,
        Role.PERSON: Actor.ENTERPRISE,  # the applicant, as an enterprise user is
    }.get(user.role)


def may_consent_extension(user: User | None, case: Case) -> bool:
    """延期 needs an approver's consent: an APPROVER of the case's department, or the administrator (supervisor)."""

    if user is None or not may_see(user, case):
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.DEPARTMENT and user.department_duty is DepartmentDuty.APPROVER


def department_queue_scope(user: User | None) -> ColumnElement[bool]:
    """The department queue: the cases handed to the user's department (none for anyone else)."""
    if user is None or user.role is not Role.DEPARTMENT or user.department_id is None:
        return false()
    return Case.department_id == user.department_id


def may_see_query_code(user: User) -> bool:
    """The query code /track asks for: shown to who may print the receipt (RECEIPT_ROLES)."""
    return user.role in RECEIPT_ROLES


def may_relay_supplement(user: User, case: Case) -> bool:
    """Pass the applicant's supplied material on to the partner district: staff side only, acting on the case."""
    return user.role in RELAY_ROLES and actor_for(user, case) is not None


def clients_scope(user: User) -> Select | None:
    """The enterprises an intake may be for: a clerk's current clients; None = any (staff)."""
    return current_clients_of(user) if user.role is Role.CLERK else None


def may_choose_intake_station(user: User) -> bool:
    """A dedicated clerk serves its clients at any active station, so it picks where it takes a case in; staff take
    cases in at their own station only."""
    return user.role is Role.CLERK


def intake_station(user: User, code: str | None) -> Station | None:
    """Where ``user`` takes a case in: staff at their own station; a dedicated clerk at any active station (its
    own by default)."""
    if code and may_choose_intake_station(user):
        return get_station(code)
    return user.station


def may_register_enterprise(user: User) -> bool:
    """A new enterprise is registered from its licence at the counter (at the intake, at the bundle window): by
    station staff only; everyone else picks an enterprise already registered."""
    return user.role is Role.STAFF


def may_use_manual_channel(user: User, case: Case) -> bool:
    """The manual cross-region page and its forms: the staff of the case's station. At any status: once the
    partner's result is recorded, the page still shows the courier number and the dates."""
    return user.role is Role.STAFF and actor_for(user, case) is not None


def offers_manual_channel(user: User, case: Case) -> bool:
    """The case page links to the manual page for who may use it (the page's own guard), while it has work."""
    return case.status in MANUAL_CHANNEL_STATUSES and may_use_manual_channel(user, case)
