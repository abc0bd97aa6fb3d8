"""THE one place that turns a user into what they may see and do with cases (and appeals, below).

Staff see their station's cases; a dedicated clerk the cases of the enterprises that have
chosen it (wherever received); an enterprise user only its own; the central office and the
administrator all of them (the central office read-only). Every case query starts here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from .auth.models import DepartmentDuty, Role, User
from .cases.models import Case
from .clerks.models import ClerkChoice
from .domain.appeal_flow import Actor as AppealActor
from .domain.case_flow import Actor


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


# --- appeals (企业诉求) ------------------------------------------------------------------------------------------


def appeal_scope(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause limiting appeals to what ``user`` may see.

    Enterprise: its own. Staff: their station's. Clerk: their clients' (and their station's). Department users:
    those assigned to their department. Commissioner: their park station's and its enterprises'. Central office and
    administrator: all (the central office read-only).
    """
    from .appeals.models import Appeal
    from .enterprises.models import Enterprise

    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    role = user.role
    if role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if role is Role.ENTERPRISE and user.enterprise_id is not None:
        return Appeal.enterprise_id == user.enterprise_id
    if role is Role.STAFF and user.station_id is not None:
        return Appeal.station_id == user.station_id
    if role is Role.CLERK:
        clients = Appeal.enterprise_id.in_(current_clients_of(user))
        return or_(clients, Appeal.station_id == user.station_id) if user.station_id is not None else clients
    if role is Role.DEPARTMENT and user.department_id is not None:
        return Appeal.department_id == user.department_id
    if role is Role.COMMISSIONER and user.station_id is not None:
        park = select(Enterprise.id).where(Enterprise.station_id == user.station_id)
        return or_(Appeal.station_id == user.station_id, Appeal.enterprise_id.in_(park))
    return false()


def may_see_appeal(user: User | None, appeal) -> bool:
    """The same rule as appeal_scope for a loaded appeal (one small query for the roles that need one)."""
    from .appeals.models import Appeal
    from .extensions import db

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return True
    return db.session.scalar(select(Appeal.id).where(Appeal.id == appeal.id, appeal_scope(user))) is not None


def appeal_actor(user: User | None, appeal, *, in_scope: bool = False) -> AppealActor | None:
    """The role in which ``user`` acts on ``appeal`` in its state machine, or None (read-only: the central office).

    ``in_scope=True`` when the appeal was loaded through appeal_scope already (a queue row): no visibility query.
    """
    if user is None or not (in_scope or may_see_appeal(user, appeal)):
        return None
    role = user.role
    if role is Role.DEPARTMENT:
        if appeal.department_id is None or appeal.department_id != user.department_id:
            return None
        return AppealActor.DEPT_LEADER if user.department_duty is DepartmentDuty.APPROVER else AppealActor.DEPARTMENT
    return {
        Role.ADMIN: AppealActor.SUPERVISOR,
        Role.STAFF: AppealActor.FRONT,
        Role.CLERK: AppealActor.FRONT,
        Role.COMMISSIONER: AppealActor.FRONT,
        Role.ENTERPRISE: AppealActor.ENTERPRISE,
    }.get(role)


def service_log_scope(user: User | None) -> ColumnElement[bool]:
    """Service-log entries: each author their own; the central office and the administrator everyone's."""
    from .appeals.models import ServiceLogEntry

    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return true()
    return ServiceLogEntry.author_id == user.id
