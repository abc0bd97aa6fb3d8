"""Gap-free counters for the numbers of cases, appeals and meetings (one row per key, e.g. station and day).

The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite), so two concurrent writers never get the
same number; the first number of a key inserts the row, and a racing insert is retried as an update.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from .extensions import db


def bump_counter(model: type, column: str, keys: dict[str, Any], count: int = 1, *, what: str = "a number") -> int:
    """Add ``count`` to ``model.<column>`` in the row keyed by ``keys`` and return the new last value."""
    counter = getattr(model, column)
    where = [getattr(model, name) == value for name, value in keys.items()]
    for _ in range(3):
        last = db.session.execute(
            update(model).where(*where).values({column: counter + count}).returning(counter)
        ).scalar()
        if last is not None:
            return last
        try:
            with db.session.begin_nested():
                db.session.add(model(**keys, **{column: count}))
            return count
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate {what}")
