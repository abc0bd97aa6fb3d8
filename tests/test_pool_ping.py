"""A pooled connection is pinged before use only after lying idle (stations/database.py ``ping_when_idle``), and a
dead one is replaced there, so the request never sees it. Run on the suite's database (SQLite, or PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from stations.database import ping_when_idle
from tests import dbutil


@pytest.fixture
def engine(tmp_path):
    url = dbutil.test_database_url()
    engine = create_engine(url if not url.startswith("sqlite") else f"sqlite:///{tmp_path / 'ping.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch) -> list[int]:
    sent: list[int] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        sent.append(id(dbapi_connection))
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    return sent


def backend_of(conn) -> object:
    """Which server-side session (PostgreSQL) or DBAPI connection (SQLite) the pooled connection is."""
    if conn.dialect.name == "postgresql":
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return conn.connection.dbapi_connection  # held by the test, so no new connection can take its place


def kill_idle(engine, backend) -> None:
    """Make a connection lying in the pool dead, as a database restart would."""
    if engine.dialect.name == "postgresql":
        killer = create_engine(engine.url, poolclass=NullPool)  # not through the pool, which holds the victim
        with killer.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
        killer.dispose()
    else:
        backend.close()


def test_a_connection_given_back_a_moment_ago_is_used_without_a_ping(engine, pings):
    ping_when_idle(engine, idle_seconds=60)
    for _ in range(3):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced_before_use(engine, pings):
    ping_when_idle(engine, idle_seconds=0)  # every checked-in connection counts as idle
    with engine.connect() as conn:
        first = backend_of(conn)
    with engine.connect() as conn:  # alive: pinged, and the same connection is used
        assert backend_of(conn) == first
    assert len(pings) == 1
    kill_idle(engine, first)
    with engine.connect() as conn:  # dead: the ping finds it and the pool connects afresh
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert backend_of(conn) != first
    assert len(pings) == 2
