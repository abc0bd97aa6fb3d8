"""The change stamp (stations/web/change_stamp.py) on an engine of its own: which transactions change it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from stations.database import configure_engine_events
from stations.web import change_stamp


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'stamp.db'}")
    configure_engine_events(engine)
    change_stamp.track_writes(engine)
    with engine.begin() as conn:
        change_stamp.ChangeStamp.__table__.create(conn)  # its first row comes with it
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    yield engine
    engine.dispose()


def stamp(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM change_stamps WHERE id = 1")).scalar_one()


def test_the_first_row_exists(engine):
    assert isinstance(stamp(engine), int)


def test_a_committed_write_changes_it_and_a_rolled_back_one_does_not(engine):
    first = stamp(engine)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO notes (body) VALUES ('rolled back')"))
        conn.rollback()
    assert stamp(engine) == first
    with engine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM notes")).scalar()
    assert stamp(engine) == first  # a read commits nothing
    with engine.begin() as conn:
        conn.execute(text("insert into notes (body) values ('kept')"))  # any case, raw SQL
    assert stamp(engine) != first


def test_each_committed_write_gives_a_new_value(engine):
    seen = {stamp(engine)}
    for body in ("a", "b", "c"):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})
        seen.add(stamp(engine))
    assert len(seen) == 4


def test_a_savepoint_released_waits_for_the_commit(engine):
    """In production the stamp is taken at COMMIT only: a savepoint's release (a unique-key race caught in
    counters.py, the job queue...) leaves it, so no writer holds its lock for the rest of a transaction."""
    first = stamp(engine)
    with engine.connect() as conn:
        conn.begin()
        with conn.begin_nested():
            conn.execute(text("INSERT INTO notes (body) VALUES ('inside')"))
        with engine.connect() as other:
            assert other.execute(text("SELECT value FROM change_stamps")).scalar_one() == first
        conn.commit()
    assert stamp(engine) != first


def test_released_savepoint_inside_one_rolled_back_still_changes_it_at_commit(engine):
    """Where a release counts as the commit (the test suite's connections), the stamp set when the inner savepoint
    was released is undone with the outer one, while the write made before both stays; the commit must change
    the stamp again."""
    first = stamp(engine)
    with engine.connect() as conn:
        change_stamp.stamp_at_release(conn)
        conn.begin()
        conn.execute(text("INSERT INTO notes (body) VALUES ('stays')"))
        outer = conn.begin_nested()
        inner = conn.begin_nested()
        inner.commit()  # RELEASE: the stamp changes here, inside the outer savepoint
        outer.rollback()  # ... and is undone here
        conn.commit()
        change_stamp.stamp_at_release(conn, on=False)
    assert stamp(engine) != first
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM notes")).scalars().all() == ["stays"]


def test_writes_while_untracked_leave_it(engine):
    first = stamp(engine)
    with change_stamp.untracked(), engine.begin() as conn:
        conn.execute(text("INSERT INTO notes (body) VALUES ('migrating')"))
    assert stamp(engine) == first


def test_a_missing_row_means_no_stamp(app):
    from stations.extensions import db

    with app.app_context():
        assert change_stamp.current() is not None
        db.session.execute(text("DELETE FROM change_stamps"))
        db.session.flush()
        db.session.commit()
        assert change_stamp.current() is None


def test_a_database_without_the_stamp_goes_on_working(tmp_path):
    """New code started before `flask db upgrade`, or a migration test's old revision: writes commit as before."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    configure_engine_events(engine)
    change_stamp.track_writes(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes (body) VALUES ('before the migration')"))
    with engine.begin() as conn:
        change_stamp.ChangeStamp.__table__.create(conn)
    first = stamp(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes (body) VALUES ('after it')"))
    assert stamp(engine) != first
    engine.dispose()
