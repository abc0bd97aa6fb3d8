"""What an administrator changes: accounts, station scopes, the calendar.

Every operation writes an audit row naming the administrator and the object. They flush,
never commit: the view owns the transaction.
"""

from __future__ import annotations

from datetime import date

from ..auth import audit
from ..auth import services as auth_services
from ..auth.models import Role, User
from ..calendar import services as calendar_services
from ..calendar.models import WorkCalendarDay
from ..catalog.models import ServiceItem
from ..domain.workdays import weekday_rule
from ..enterprises.models import Enterprise
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem

MAKEUP_NOTE = "调休上班"  # the note chinesecalendar's adapter gives make-up working days


class SelfModificationError(Exception):
    """An administrator tried to change their own role, disable or reset themselves."""


def _assignment(role: Role, station: Station | None, enterprise: Enterprise | None):
    """Only the links a role uses are kept: a station for staff and clerks, an enterprise for enterprise users.

    :raise ValueError: when the role's link is missing.
    """
    if role.works_at_station and station is None:
        raise ValueError("staff and clerks need a station")
    if role is Role.ENTERPRISE and enterprise is None:
        raise ValueError("enterprise users need an enterprise")
    return (station if role.works_at_station else None, enterprise if role is Role.ENTERPRISE else None)


def create_user(
    actor: User,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    station: Station | None = None,
    enterprise: Enterprise | None = None,
) -> User:
    """A new account whose initial password must be changed at first login (ASVS V6.4.1).

    :raise ValueError: when the role's station or enterprise is missing.
    """
    station, enterprise = _assignment(role, station, enterprise)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=auth_services.hash_password(password),
        station_id=station.id if station else None,
        enterprise_id=enterprise.id if enterprise else None,
        must_change_password=True,
        is_enabled=True,
        failed_logins=0,
        session_epoch=0,
    )
    db.session.add(user)
    db.session.flush()
    where = station.code if station else (enterprise.uscc if enterprise else "-")
    audit.record("admin.user_create", "ok", user=actor, detail=f"user={username} role={role.value} at={where}")
    return user


def update_user(
    actor: User,
    user: User,
    *,
    display_name: str,
    role: Role,
    is_enabled: bool,
    station: Station | None = None,
    enterprise: Enterprise | None = None,
) -> list[str]:
    """Change name, role, station/enterprise and whether the account may log in; returns what changed.

    Disabling ends every session of the user at once.
    :raise SelfModificationError: when ``actor`` changes their own role or disables themselves.
    :raise ValueError: when the role's station or enterprise is missing.
    """
    if actor.id == user.id and (role is not user.role or not is_enabled):
        raise SelfModificationError("an administrator cannot change their own role or disable themselves")
    station, enterprise = _assignment(role, station, enterprise)
    changes = []
    if display_name != user.display_name:
        changes.append("display_name")
        user.display_name = display_name
    if role is not user.role:
        changes.append(f"role:{user.role.value}->{role.value}")
        user.role = role
    new_station_id = station.id if station else None
    if new_station_id != user.station_id:
        changes.append(f"station:{user.station.code if user.station else '-'}->{station.code if station else '-'}")
        user.station_id = new_station_id
        user.station = station
    new_enterprise_id = enterprise.id if enterprise else None
    if new_enterprise_id != user.enterprise_id:
        changes.append(f"enterprise:{enterprise.uscc if enterprise else '-'}")
        user.enterprise_id = new_enterprise_id
        user.enterprise = enterprise
    if is_enabled != user.is_enabled:
        changes.append("enabled" if is_enabled else "disabled")
        user.is_enabled = is_enabled
        if not is_enabled:
            auth_services.end_all_sessions(user)
    db.session.flush()
    if changes:
        audit.record("admin.user_update", "ok", user=actor, detail=f"user={user.username} " + " ".join(changes))
    return changes


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a temporary password that the user must change at the next login; ends the user's sessions.

    :raise SelfModificationError: for the actor's own account (use the password page, which asks for the current one).
    """
    if actor.id == user.id:
        raise SelfModificationError("use the account page to change your own password")
    auth_services.set_password(user, password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    audit.record("admin.password_reset", "ok", user=actor, detail=f"user={user.username}")
    audit.record("auth.unlock", "ok", user=user, detail=f"by={actor.username}")  # restarts the login throttle


def unlock_user(actor: User, user: User) -> None:
    """Lift a lockout after failed logins (security.md A2)."""
    user.locked_until = None
    user.failed_logins = 0
    db.session.flush()
    audit.record("admin.user_unlock", "ok", user=actor, detail=f"user={user.username}")
    audit.record("auth.unlock", "ok", user=user, detail=f"by={actor.username}")  # restarts the login throttle


def disable_user(actor: User, user: User) -> None:
    """The account can no longer log in and every open session of it ends now.

    :raise SelfModificationError: for the actor's own account.
    """
    if actor.id == user.id:
        raise SelfModificationError("an administrator cannot disable themselves")
    user.is_enabled = False
    auth_services.end_all_sessions(user)
    audit.record("admin.user_disable", "ok", user=actor, detail=f"user={user.username}")


def add_scope_item(actor: User, station: Station, item: ServiceItem, mode: ScopeMode) -> StationItem:
    """Put an item into a station's scope (the caller has checked it is not there yet)."""
    row = StationItem(station_id=station.id, item_id=item.id, mode=mode)
    row.station = station
    row.item = item
    db.session.add(row)
    db.session.flush()
    audit.record("admin.scope_add", "ok", user=actor, detail=f"station={station.code} item={item.code} mode={mode}")
    return row


def remove_scope_item(actor: User, row: StationItem) -> None:
    detail = f"station={row.station.code} item={row.item.code}"
    db.session.delete(row)
    db.session.flush()
    audit.record("admin.scope_remove", "ok", user=actor, detail=detail)


def set_scope_mode(actor: User, row: StationItem, mode: ScopeMode) -> StationItem:
    old = row.mode
    row.mode = mode
    db.session.flush()
    if old is not mode:
        audit.record(
            "admin.scope_mode",
            "ok",
            user=actor,
            detail=f"station={row.station.code} item={row.item.code} {old}->{mode}",
        )
    return row


def load_calendar_year(actor: User, year: int) -> int:
    """Copy one year from the chinesecalendar package into the table; returns the rows written.

    :raise ValueError: when the package has no data for the year.
    """
    written = calendar_services.load_year(year)
    audit.record("admin.calendar_load", "ok", user=actor, detail=f"year={year} rows={written}")
    return written


def set_calendar_day(actor: User, day: date, is_workday: bool, note: str | None) -> WorkCalendarDay:
    row = calendar_services.set_day(day, is_workday, note)
    audit.record(
        "admin.calendar_day", "ok", user=actor, detail=f"day={day.isoformat()} {'work' if is_workday else 'off'}"
    )
    return row


def toggle_calendar_day(actor: User, day: date) -> WorkCalendarDay:
    """Flip a day between working day and day off.

    A day missing from the table flips from what the Monday–Friday rule says. A weekend day made a
    working day is noted "调休上班"; a note that no longer fits is dropped.
    """
    row = db.session.get(WorkCalendarDay, day)
    was_workday = row.is_workday if row is not None else weekday_rule(day)
    note = None
    if not was_workday and not weekday_rule(day):
        note = MAKEUP_NOTE
    return set_calendar_day(actor, day, not was_workday, note)
