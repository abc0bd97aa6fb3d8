"""What a query would do: the last statement some work sent, and SQLite's plan for it (tests of index choice)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from stations.extensions import db


def last_statement(work: Callable[[], object]) -> tuple[str, object]:
    """Run ``work`` and return the last SQL statement it sent, with its parameters."""
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return statements[-1]


def sqlite_plan(statement: str, parameters) -> str:
    """EXPLAIN QUERY PLAN of a statement, its steps joined (SQLite keeps no statistics: the plan does not depend on
    the data)."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    return " ".join(row[-1] for row in rows)
