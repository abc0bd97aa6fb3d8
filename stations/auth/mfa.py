"""Two-factor sign-in with TOTP (RFC 6238, pyotp) and one-time recovery codes (security.md A9, issue 20).

Required for administrators and the central office when MFA_REQUIRED is on (always in production); any other user
may enrol. A code's time step must be later than the last accepted one, so a code is never accepted twice; five
wrong codes lock the account as five wrong passwords do. Recovery codes are kept as sha256 digests only (they are
random, 40 bits each, so a plain digest is enough) and each works once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from . import audit
from .models import MfaFactor, User

ISSUER = "泾河新城政务服务驿站"
RECOVERY_CODES = 10
MAX_FAILURES = 5
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper


def required(user: User) -> bool:
    return bool(current_app.config.get("MFA_REQUIRED")) and user.role.is_privileged


def factor_of(user: User) -> MfaFactor | None:
    return db.session.scalar(select(MfaFactor).where(MfaFactor.user_id == user.id))


def enrolled(user: User) -> bool:
    factor = factor_of(user)
    return factor is not None and factor.confirmed_at is not None


def needed_at_login(user: User) -> bool:
    return required(user) or enrolled(user)


def new_secret() -> str:
    """A secret to show for enrolment; nothing is stored until the user proves they scanned it."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def _new_recovery_codes(factor: MfaFactor) -> list[str]:
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(8)) for _ in range(RECOVERY_CODES)]
    factor.recovery_hashes = " ".join(_digest(code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one either side for clock drift) whose code this is, or None."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=drift * totp.interval)
        if secrets.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def confirm_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """The recovery codes (shown once) when ``code`` proves the user holds ``secret``, else None. Flushes."""
    step = _matching_step(secret, code.strip()) if code.strip().isdigit() else None
    if step is None or enrolled(user):
        audit.record("auth.mfa_enrol", "fail", user=user)
        return None
    factor = factor_of(user) or MfaFactor(user_id=user.id)
    factor.secret, factor.confirmed_at, factor.last_step, factor.failures = secret, utcnow(), step, 0
    db.session.add(factor)
    codes = _new_recovery_codes(factor)
    audit.record("auth.mfa_enrol", "ok", user=user)
    db.session.flush()
    return codes


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str = ""  # "wrong", "replayed", "locked"; "recovery" when a recovery code was used


def verify(user: User, code: str) -> Check:
    """Check a sign-in code (TOTP or recovery). Flushes the factor's state and an audit row; the caller commits."""
    factor = factor_of(user)
    if factor is None or factor.confirmed_at is None:
        return Check(False, "wrong")
    code = code.strip()
    step = _matching_step(factor.secret, code) if code.isdigit() else None
    if step is not None and step <= factor.last_step:
        audit.record("auth.mfa", "fail", user=user, detail="replayed")
        return Check(False, "replayed")
    if step is not None:
        factor.last_step, factor.failures = step, 0
        audit.record("auth.mfa", "ok", user=user)
        return Check(True)
    hashes = factor.recovery_hashes.split()
    if _digest(code) in hashes:
        hashes.remove(_digest(code))
        factor.recovery_hashes, factor.failures = " ".join(hashes), 0
        audit.record("auth.mfa", "ok", user=user, detail=f"recovery code, {len(hashes)} left")
        return Check(True, "recovery")
    factor.failures += 1
    if factor.failures >= MAX_FAILURES:
        user.locked_until = utcnow() + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.session_epoch += 1  # the half-signed-in session ends with the lock
        factor.failures = 0
        audit.record("auth.mfa", "locked", user=user)
        return Check(False, "locked")
    audit.record("auth.mfa", "fail", user=user)
    return Check(False, "wrong")


def reset(user: User, by: User) -> None:
    """An administrator removes ``user``'s second factor (a lost phone); the user enrols again at next sign-in."""
    factor = factor_of(user)
    if factor is not None:
        db.session.delete(factor)
    user.session_epoch += 1
    audit.record("auth.mfa_reset", "ok", user=by, detail=f"for {user.username}")
    db.session.flush()
