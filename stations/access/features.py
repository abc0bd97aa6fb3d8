"""The station's other services: who sees and acts on bundle cases, key projects, appeals, meetings and takeout
orders (stations.access, the one place for scopes, re-exports this)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from ..auth.models import DepartmentDuty, Role, User
from ..domain.appeal_flow import Actor as AppealActor
from ..domain.meeting_flow import Actor as MeetingActor
from ..extensions import db
from .cases import case_scope, current_clients_of, may_see  # noqa: F401

# --- 一件事 bundle cases: visible to whoever may see them as a case (same station / enterprise / clerk rules) -----


def bundle_case_scope(user: User | None, station_id, enterprise_id) -> ColumnElement[bool]:
    """The WHERE clause limiting bundle cases to what ``user`` may see: the case rule, on the bundle case's
    ``station_id`` and ``enterprise_id`` columns (passed in: stations/access sits below the features)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if user.role is Role.STAFF and user.station_id is not None:
        return station_id == user.station_id
    if user.role is Role.CLERK:
        return enterprise_id.in_(current_clients_of(user))
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        return enterprise_id == user.enterprise_id
    return false()


def may_see_bundle_case(user: User | None, bundle_case) -> bool:
    """The same rule for a loaded bundle case (it has a case's station_id and enterprise_id)."""
    return may_see(user, bundle_case)


def may_apply_for_bundle(user: User | None) -> bool:
    """Staff at the bundle window, a clerk for its clients, an enterprise online."""
    return user is not None and getattr(user, "is_authenticated", False) and user.role in BUNDLE_APPLY_ROLES


def may_maintain_bundles(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role is Role.ADMIN


BUNDLE_APPLY_ROLES = frozenset({Role.STAFF, Role.CLERK, Role.ENTERPRISE})


# --- key projects (重点项目): the central office and the administrator see all; a commissioner the projects of its
# park (or those it is liaison for); a department user those with a procedure of its department --------------------


def project_scope(user: User | None, station_id, commissioner_id, department_project_ids) -> ColumnElement[bool]:
    """WHERE clause on a project's ``station_id`` / ``commissioner_id`` columns; ``department_project_ids(dept_id)``
    gives a subquery of the projects with a procedure of that department (passed in: access sits below features)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if user.role is Role.COMMISSIONER:
        return (station_id == user.station_id) | (commissioner_id == user.id)
    if user.role is Role.DEPARTMENT and user.department_id is not None:
        return department_project_ids(user.department_id)
    return false()


PROJECT_ROLES = frozenset({Role.ADMIN, Role.CENTRAL, Role.COMMISSIONER, Role.DEPARTMENT})


def may_use_project_board(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role in PROJECT_ROLES


def project_actions_for(user: User | None, project, procedure=None) -> frozenset[str]:
    """What ``user`` may do on a project it can see: procedure events by name, plus "meeting", "visit", "link".

    The commissioner drives its projects (start, block, resume, done, meetings, visits, linking cases); a department
    user marks its own department's procedures done; the central office closes out (销号, the supervisor's act);
    the administrator may do everything.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.role is Role.ADMIN:
        return frozenset({"start", "block", "resume", "done", "close_out", "meeting", "visit", "link"})
    if user.role is Role.CENTRAL:
        return frozenset({"close_out"})
    if user.role is Role.COMMISSIONER and (project.station_id == user.station_id or project.commissioner_id == user.id):
        return frozenset({"start", "block", "resume", "done", "meeting", "visit", "link"})
    if user.role is Role.DEPARTMENT and procedure is not None and procedure.department_id == user.department_id:
        return frozenset({"done"})
    return frozenset()


# --- appeals (企业诉求) ------------------------------------------------------------------------------------------


def appeal_scope(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause limiting appeals to what ``user`` may see.

    Enterprise: its own. Staff: their station's. Clerk: their clients' (and their station's). Department users:
    those assigned to their department. Commissioner: their park station's and its enterprises'. Central office and
    administrator: all (the central office read-only).
    """
    from ..appeals.models import Appeal
    from ..enterprises.models import Enterprise

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
    from ..appeals.models import Appeal
    from ..extensions import db

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return True
    return db.session.scalar(select(Appeal.id).where(Appeal.id == appeal.id, appeal_scope(user))) is not None


# The role in which each desk acts on any appeal it sees; a department acts only on those assigned to it
# (appeal_actor), the central office on none.
APPEAL_DESK_ACTORS: dict[Role, AppealActor] = {
    Role.ADMIN: AppealActor.SUPERVISOR,
    Role.STAFF: AppealActor.FRONT,
    Role.CLERK: AppealActor.FRONT,
    Role.COMMISSIONER: AppealActor.FRONT,
    Role.ENTERPRISE: AppealActor.ENTERPRISE,
}
# Every desk may register (appeal_flow's register row: front office, enterprise, supervisor).
APPEAL_REGISTER_ROLES = frozenset(APPEAL_DESK_ACTORS)
APPEAL_SUPERVISOR_ROLES = frozenset(r for r, a in APPEAL_DESK_ACTORS.items() if a is AppealActor.SUPERVISOR)
# 服务台账: who serves enterprises in person writes one (service_log_scope: each author reads their own).
SERVICE_LOG_AUTHOR_ROLES = frozenset({Role.COMMISSIONER, Role.CLERK, Role.STAFF})


def _signed_in_as(user: User | None, roles: frozenset[Role]) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in roles)


def may_register_appeal(user: User | None) -> bool:
    """登记诉求 (an enterprise: 提出诉求). The guard of appeals.new / create takes the same roles."""
    return _signed_in_as(user, APPEAL_REGISTER_ROLES)


def files_own_appeal(user: User | None) -> bool:
    """The enterprise desk files for itself, online; every other desk registers for an enterprise it names, with
    the channel the appeal came in by."""
    return may_register_appeal(user) and APPEAL_DESK_ACTORS[user.role] is AppealActor.ENTERPRISE


def may_supervise_appeals(user: User | None) -> bool:
    """The supervisor's desk: the 交办 queue and the 12345 import (whose guard takes the same roles)."""
    return _signed_in_as(user, APPEAL_SUPERVISOR_ROLES)


def may_keep_service_log(user: User | None) -> bool:
    """Write the 服务台账 (the guard of servicelog.day / create takes the same roles)."""
    return _signed_in_as(user, SERVICE_LOG_AUTHOR_ROLES)


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
    return APPEAL_DESK_ACTORS.get(role)


def service_log_scope(user: User | None) -> ColumnElement[bool]:
    """Service-log entries: each author their own; the central office and the administrator everyone's."""
    from ..appeals.models import ServiceLogEntry

    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return true()
    return ServiceLogEntry.author_id == user.id


# --- meetings (一键约见): issue 14 ---------------------------------------------------------------------------


def meeting_scope(user: User | None, Meeting) -> ColumnElement[bool]:
    """Meetings ``user`` may see: the enterprise its own; its clerk; the handling station's staff; the park's
    commissioner those of the park's enterprises; the routed department's users; the central office and admin all.

    ``Meeting`` is the model (passed in: the meetings package sits above the features that import this module).
    """
    from ..enterprises.models import Enterprise

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


# Who may file a meeting request (一键约见) at all, from the pages or API v1; may_request_meeting_for then checks the
# enterprise it is for.
MEETING_REQUEST_ROLES = frozenset({Role.ENTERPRISE, Role.CLERK, Role.COMMISSIONER, Role.STAFF, Role.ADMIN})


def may_request_meeting_for(user: User | None, enterprise_id: int) -> bool:
    """The enterprise itself, its clerk, its park's commissioner, or staff of its station may file a request."""
    from ..enterprises.models import Enterprise
    from ..extensions import db

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


def may_maintain_officials(user: User | None) -> bool:
    """Add, rename and deactivate the officials an enterprise can book: the administrator only."""
    return user is not None and getattr(user, "is_authenticated", False) and user.role is Role.ADMIN


# 政策宣讲: enterprises sign up, show their QR code at the door and ask questions.
SESSION_ATTENDEE_ROLES = frozenset({Role.ENTERPRISE})


def may_attend_session(user: User | None) -> bool:
    """Sign up for a policy session, cancel, show the QR code, ask (the guards of those routes take the same roles)."""
    return _signed_in_as(user, SESSION_ATTENDEE_ROLES)


def may_run_session(user: User | None, session) -> bool:
    """Answer a policy session's questions or raise them as appeals: the administrator, or staff of the hosting
    station (any station's staff for a district-wide session, one with no host station)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.STAFF and (session.station_id is None or session.station_id == user.station_id)


def may_see_session_roster(user: User | None, session) -> bool:
    """A policy session's sign-up list and every enterprise's questions: who runs it, and the central office (which
    watches every station, read-only). Staff of another station see a station's session as a visitor does."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role is Role.CENTRAL or may_run_session(user, session)


# --- 政务外卖 orders: issue 15 ------------------------------------------------------------------------------------


def takeout_scope(user: User | None, Order, TeamMember) -> ColumnElement[bool]:
    """Orders ``user`` may see: the enterprise its own; its clerk; the owning station's staff; whoever is on the
    order's team; the central office and admin all. ``Order``/``TeamMember`` are the models (passed in: the
    takeout package sits above the features that import this module)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    role = user.role
    if role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if role is Role.STAFF:
        on_team = Order.id.in_(select(TeamMember.order_id).where(TeamMember.user_id == user.id))
        return or_(Order.station_id == user.station_id, on_team) if user.station_id is not None else on_team
    if role is Role.CLERK:
        on_team = Order.id.in_(select(TeamMember.order_id).where(TeamMember.user_id == user.id))
        return or_(Order.enterprise_id.in_(current_clients_of(user)), on_team)
    if role is Role.ENTERPRISE and user.enterprise_id is not None:
        return Order.enterprise_id == user.enterprise_id
    return false()


# Who may place a takeout order (政务外卖), from the pages or API v1: the enterprise itself, or staff, its clerk or
# the administrator on its behalf (the central office reads only). takeout_actor then checks the enterprise.
TAKEOUT_ORDER_ROLES = frozenset({Role.ENTERPRISE, Role.CLERK, Role.STAFF, Role.ADMIN})


def takeout_actor(user: User | None, *, order=None, event=None, enterprise_id=None, station_id=None):
    """The role in which ``user`` acts on an order (or, without one, orders for ``enterprise_id``); None if none.

    A staff member on the order's team acts as TEAM for the on-site events (check-in, finish) and as STAFF for
    the rest when the order is their station's. The central office is read-only.
    """
    from ..domain.takeout_flow import TEAM_EVENTS
    from ..domain.takeout_flow import Actor as TakeoutActor

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    enterprise_id = order.enterprise_id if order is not None else enterprise_id
    station_id = order.station_id if order is not None else station_id
    role = user.role
    if role is Role.ADMIN:
        return TakeoutActor.ADMIN
    if role is Role.ENTERPRISE:
        return TakeoutActor.ENTERPRISE if user.enterprise_id == enterprise_id else None
    on_team = order is not None and any(m.user_id == user.id for m in order.team)
    if role in (Role.STAFF, Role.CLERK) and event in TEAM_EVENTS and on_team:
        return TakeoutActor.TEAM
    if role is Role.CLERK:
        clients = set(db.session.scalars(current_clients_of(user)))
        return TakeoutActor.CLERK if enterprise_id in clients else None
    if role is Role.STAFF:
        return TakeoutActor.STAFF if user.station_id is not None and user.station_id == station_id else None
    return None
