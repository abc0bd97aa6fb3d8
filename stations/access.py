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
from .domain.meeting_flow import Actor as MeetingActor


def current_clients_of(clerk: User) -> Select:
    """Ids of the enterprises whose current dedicated clerk is ``clerk``."""
    return select(ClerkChoice.enterprise_id).where(ClerkChoice.clerk_id == clerk.id, ClerkChoice.ended_at.is_(None))


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
                    ClerkChoice.ended_at.is_(None),
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


# --- meetings (一键约见): issue 14 ---------------------------------------------------------------------------


def meeting_scope(user: User | None, Meeting) -> ColumnElement[bool]:
    """Meetings ``user`` may see: the enterprise its own; its clerk; the handling station's staff; the park's
    commissioner those of the park's enterprises; the routed department's users; the central office and admin all.

    ``Meeting`` is the model (passed in: the meetings package sits above the features that import this module).
    """
    from .enterprises.models import Enterprise

    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    role = user.role
    if role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if role is Role.STAFF and user.station_id is not None:
        return Meeting.station_id == user.station_id
    if role is Role.CLERK:
        return Meeting.enterprise_id.in_(current_clients_of(user))
    if role is Role.ENTERPRISE and user.enterprise_id is not None:
        return Meeting.enterprise_id == user.enterprise_id
    if role is Role.COMMISSIONER and user.station_id is not None:
        return Meeting.enterprise_id.in_(select(Enterprise.id).where(Enterprise.station_id == user.station_id))
    if role is Role.DEPARTMENT and user.department_id is not None:
        return Meeting.department_id == user.department_id
    return false()


MEETING_ACTORS = {
    Role.ENTERPRISE: MeetingActor.ENTERPRISE,
    Role.CLERK: MeetingActor.CLERK,
    Role.COMMISSIONER: MeetingActor.COMMISSIONER,
    Role.STAFF: MeetingActor.STAFF,
    Role.DEPARTMENT: MeetingActor.DEPARTMENT,
    Role.ADMIN: MeetingActor.ADMIN,
}


def meeting_actor(user: User | None) -> MeetingActor | None:
    """The role in which ``user`` acts on a meeting in its scope; None for the read-only central office."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return MEETING_ACTORS.get(user.role)


def may_request_meeting_for(user: User | None, enterprise_id: int) -> bool:
    """The enterprise itself, its clerk, its park's commissioner, or staff of its station may file a request."""
    from .enterprises.models import Enterprise
    from .extensions import db

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    if user.role is Role.CLERK:
        return enterprise_id in set(db.session.scalars(current_clients_of(user)))
    if user.role in (Role.STAFF, Role.COMMISSIONER):
        station_id = db.session.scalar(select(Enterprise.station_id).where(Enterprise.id == enterprise_id))
        return user.station_id is not None and station_id == user.station_id
    return user.role is Role.ADMIN
