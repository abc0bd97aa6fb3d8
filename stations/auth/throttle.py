"""Login throttling by account and source address together (security.md A1/A2, ASVS 5 V6.3.1).

Nothing here can be used to keep someone else out:

- Five failures for one username from one address within ``LOGIN_LOCK_MINUTES`` refuse that username *from
  that address* (429) until they age out. The same username from any other address is not locked.
- Failures for a username from every address together slow each further attempt down (a progressive delay,
  capped), which is what stops a distributed guesser; the right password still signs in after the delay.
- The counts are taken from the audit trail by the *submitted* username, so an unknown name is throttled,
  delayed and locked exactly like a known one: the answers and their timing do not tell which names exist.

A successful login (``auth.login`` ok) or an administrator's unlock (``auth.unlock``) for the username starts
the count again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from .models import AuditEvent

RESET_EVENTS = ("auth.login", "auth.unlock")  # with outcome "ok"


@dataclass(frozen=True)
class Throttle:
    pair_failures: int  # this username from this address
    account_failures: int  # this username from every address

    @property
    def locked(self) -> bool:
        return self.pair_failures >= current_app.config["LOGIN_MAX_FAILURES"]

    @property
    def delay_seconds(self) -> float:
        """No delay for the first few mistakes, then doubling from the base up to the cap."""
        free = current_app.config["LOGIN_FREE_FAILURES"]
        if self.account_failures < free:
            return 0.0
        base = current_app.config["LOGIN_DELAY_BASE_SECONDS"]
        return min(base * 2 ** (self.account_failures - free), current_app.config["LOGIN_DELAY_MAX_SECONDS"])


def username_key(username: str) -> str:
    """The submitted name as the audit trail stores it (known or not)."""
    return username.strip()[:64]


def state(username: str, ip: str | None, now: datetime) -> Throttle:
    key = username_key(username)
    since = now - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    reset = db.session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.username == key,
            AuditEvent.at > since,
            AuditEvent.event.in_(RESET_EVENTS),
            AuditEvent.outcome == "ok",
        )
    )
    failures = (
        select(AuditEvent.ip, func.count(AuditEvent.id))
        .where(
            AuditEvent.event == "auth.login",
            AuditEvent.outcome == "fail",
            AuditEvent.username == key,
            AuditEvent.at > (reset or since),
        )
        .group_by(AuditEvent.ip)
    )
    by_ip = {row_ip: count for row_ip, count in db.session.execute(failures)}
    return Throttle(pair_failures=by_ip.get(ip, 0), account_failures=sum(by_ip.values()))


def pause(seconds: float) -> None:
    """Wait before answering (tests replace this to record the delay)."""
    if seconds > 0:
        time.sleep(seconds)
