"""The signed-in user's row as of a change stamp, kept per worker for pages served again (issue 21).

A reused page (web/render_cache.py) costs one statement: the signed-in user with the change stamp. The round trip
is the database's; what SQLAlchemy's ORM does with the row, 19 columns made into a User, cost as much again
(0.23 ms of a reused `/api/v1/cases`' 1.6 ms on PostgreSQL). While the stamp is the same, nothing in the database
has changed (web/change_stamp.py), so neither has the user's row: a worker keeps a detached copy of each row it
loads, under the stamp it was read with, and a reused page with the same stamp reads the stamp alone and merges
that copy into its session without a query.

What the row decides is decided afresh on every request from the copy: the session epoch (logout elsewhere, a new
password), whether the account is enabled, the password's age. Each of those changes by a committed write, which
changes the stamp, and the next request loads the row again.

A copy is kept under the stamp read *before* (or with) its row, never after: the row is at least as new as the
stamp it is kept under, the same safe side as the kept pages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached

from .models import User

_COLUMNS = tuple(attribute.key for attribute in inspect(User).column_attrs)


class UserSnapshots:
    """A bounded least-recently-used map: user id -> (stamp, detached copy of the row read under it)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._copies: OrderedDict[int, tuple[int, User]] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def knows(self, user_id: int) -> bool:
        """Whether a copy of this user's row is kept, under any stamp: worth reading the stamp alone first."""
        return user_id in self._copies

    def get(self, user_id: int, stamp: int) -> User | None:
        """The copy kept under exactly this stamp (never to be changed: merge it into a session)."""
        with self._lock:
            kept = self._copies.get(user_id)
            if kept is None or kept[0] != stamp:
                return None
            self._copies.move_to_end(user_id)
            return kept[1]

    def put(self, stamp: int, user: User) -> None:
        """Keep a detached copy of ``user``'s columns, as loaded in a session, under ``stamp``."""
        copy = User(**{key: getattr(user, key) for key in _COLUMNS})
        make_transient_to_detached(copy)  # as if loaded: no pending changes, the relationships not loaded
        with self._lock:
            self._copies[user.id] = (stamp, copy)
            self._copies.move_to_end(user.id)
            while len(self._copies) > self.capacity:
                self._copies.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()

    def __len__(self) -> int:
        return len(self._copies)
