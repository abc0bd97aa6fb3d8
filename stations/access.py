"""THE one place that turns a user into what they may see and do with cases.

Staff see their station's cases; a dedicated clerk the cases of the enterprises that have
chosen it (wherever received); an enterprise user only its own; the central office and the
administrator all of them (the central office read-only). Every case query starts here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true

from .auth.models import Role, User
from .cases.models import Case
from .clerks.models import ClerkChoice
from .domain.case_flow import Actor
from .enterprises.models import TrustLevel

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
    if role is Role.ENTERPRISE and user.enterprise_id is not None:
        return Case.enterprise_id == user.enterprise_id
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
    if role is Role.ENTERPRISE:
        return user.enterprise_id is not None and case.enterprise_id == user.enterprise_id
    if role is Role.CLERK:
        from .extensions import db

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
    }.get(user.role)
