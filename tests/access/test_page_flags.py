"""The role predicates pages read as flags (stations/access/features.py), one row per role, and the proof that each
agrees with the guard of the route its button or link leads to: the guard takes the predicate's own role set."""

from __future__ import annotations

import pytest
from flask import Flask

from stations.access import (
    files_own_appeal,
    may_attend_session,
    may_keep_service_log,
    may_register_appeal,
    may_supervise_appeals,
)
from stations.auth.models import Role, User

R = Role

# role -> (registers an appeal, files its own, supervises, keeps the service log, attends policy sessions)
TABLE = {
    R.ADMIN: (True, False, True, False, False),  # the supervisor: 交办, the 12345 import; registers as supervisor
    R.CENTRAL: (False, False, False, False, False),  # read-only everywhere
    R.STAFF: (True, False, False, True, False),  # the front office at a station's desk
    R.CLERK: (True, False, False, True, False),  # for its clients
    R.COMMISSIONER: (True, False, False, True, False),  # for its park's enterprises
    R.DEPARTMENT: (False, False, False, False, False),  # acts only on appeals assigned to it
    R.ENTERPRISE: (True, True, False, False, True),  # files its own online; signs up, shows its QR code, asks
    R.PERSON: (False, False, False, False, False),
}
PREDICATES = (may_register_appeal, files_own_appeal, may_supervise_appeals, may_keep_service_log, may_attend_session)


def _user(role: Role) -> User:
    return User(username=f"flag-{role.value.lower()}", role=role, is_enabled=True)


def test_every_role_has_a_row():
    assert set(TABLE) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_predicates_by_role(role):
    user = _user(role)
    assert tuple(predicate(user) for predicate in PREDICATES) == TABLE[role]


@pytest.mark.parametrize("predicate", PREDICATES)
def test_nobody_signed_in_may_nothing(predicate):
    assert predicate(None) is False
    disabled = User(username="flag-disabled", role=Role.STAFF, is_enabled=False)  # not authenticated
    assert predicate(disabled) is False


# predicate -> the routes whose guard decides the same (the page shows the button or link on the predicate)
GUARDED = [
    (may_register_appeal, "appeals.new"),
    (may_register_appeal, "appeals.create"),
    (may_supervise_appeals, "appeals.import_12345"),
    (may_keep_service_log, "servicelog.day"),
    (may_keep_service_log, "servicelog.create"),
    (may_attend_session, "policy_sessions.signup"),
    (may_attend_session, "policy_sessions.cancel"),
    (may_attend_session, "policy_sessions.qr"),
    (may_attend_session, "policy_sessions.ask"),
]


@pytest.mark.parametrize(("predicate", "endpoint"), GUARDED, ids=[e for _, e in GUARDED])
def test_the_flag_and_the_guard_cannot_disagree(app: Flask, predicate, endpoint):
    guard = app.view_functions[endpoint].allowed_roles
    assert {role for role in Role if predicate(_user(role))} == guard
