"""The demo can never reach production (seed-demo refused, no start on demo data, random keys, first sign-in)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from stations.auth.models import Role, User
from stations.auth.services import hash_password
from stations.crossregion.models import AgreementKind, PartnerKey, PartnerRegion
from stations.demo import DEMO_PASSWORD, seed_demo
from stations.demo.guard import DemoRefused, demo_data_in
from stations.extensions import db
from stations.timeutil import utcnow
from tests import dbutil
from tests.helpers.suite import make_test_app


@pytest.fixture(autouse=True)
def own_session(monkeypatch):
    """These apps have databases of their own: not the per-test transaction's connection to the suite's."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    yield
    db.session.remove()


DATA_KEY = "q3Jc0a7qkYb0ZkQ3m6R8m2n5xW0s9Vt1u4Lh7Pp2fE8="  # production needs a data key (issue 20)


def _app(tmp_path, env: str, name: str = "guard.db"):
    return make_test_app(f"sqlite:///{tmp_path / name}", ENV_NAME=env, DATA_KEY=DATA_KEY)


def _invoke(app, *args: str):
    """Run a command of ``app`` in its own context (the suite's app context is pushed around every test)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _empty_database(tmp_path, name: str = "guard.db") -> str:
    app = _app(tmp_path, "testing", name)
    with app.app_context():
        db.create_all()
        db.session.commit()
        db.engine.dispose()
    return name


def test_seed_demo_does_not_exist_and_refuses_in_production(tmp_path):
    name = _empty_database(tmp_path)
    app = _app(tmp_path, "production", name)
    result = _invoke(app, "seed-demo")
    assert result.exit_code != 0 and "No such command" in result.output
    with app.app_context():
        with pytest.raises(DemoRefused):
            seed_demo(cases=False)
        assert db.session.scalar(select(User.id)) is None
        db.engine.dispose()


def test_the_command_itself_refuses_production_too(tmp_path, monkeypatch):
    from stations.demo.cli import seed_demo_command

    name = _empty_database(tmp_path)
    app = _app(tmp_path, "production", name)
    app.cli.add_command(seed_demo_command)  # as if registered by mistake
    result = _invoke(app, "seed-demo")
    assert result.exit_code == 1 and "STATIONS_ENV=production" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None
        db.engine.dispose()


def test_a_production_start_refuses_the_demo_database(app):
    """The session's database is a demo database: demo accounts and GL's demo key."""
    with pytest.raises(DemoRefused) as refused:
        make_test_app(dbutil.test_database_url(), ENV_NAME="production", DATA_KEY=DATA_KEY)
    assert "account admin" in str(refused.value) and "partner key demo-1 of GL" in str(refused.value)


def test_a_production_start_refuses_each_kind_of_demo_data_until_it_is_gone(tmp_path):
    name = _empty_database(tmp_path)
    dev = _app(tmp_path, "testing", name)
    with dev.app_context():
        admin = User(
            username="admin", display_name="管理员", role=Role.ADMIN, password_hash=hash_password(DEMO_PASSWORD)
        )
        db.session.add(admin)
        db.session.commit()
        admin_id = admin.id
    with pytest.raises(DemoRefused, match="account admin"):
        _app(tmp_path, "production", name)
    with dev.app_context():
        db.session.get(User, admin_id).password_hash = hash_password("A-real-Pa55word")
        partner = PartnerRegion(code="GL", name="西安市高陵区", agreement_kind=AgreementKind.CROSS_REGION)
        db.session.add(partner)
        db.session.commit()
    _app(tmp_path, "production", name)  # a real admin and a partner without keys: starts
    legacy = hashlib.sha256(b"stations-demo-federation-key:GL").hexdigest()
    now = utcnow()
    with dev.app_context():
        partner = db.session.scalar(select(PartnerRegion))
        db.session.add(
            PartnerKey(
                partner_id=partner.id,
                key_id="k2026",
                secret=legacy,
                not_before=now - timedelta(days=1),
                not_after=now + timedelta(days=1),
                created_at=now,
            )
        )
        db.session.commit()
        assert demo_data_in() == ["partner key k2026 of GL"]
        db.engine.dispose()
    with pytest.raises(DemoRefused, match="partner key k2026 of GL"):
        _app(tmp_path, "production", name)


def test_demo_keys_are_random_per_database(tmp_path):
    secrets = []
    for name in ("a.db", "b.db"):
        app = _app(tmp_path, "development", name)
        result = _invoke(app, "crossregion", "init-demo-db")
        assert result.exit_code == 0, result.output
        with app.app_context():
            secrets.append(db.session.scalar(select(PartnerKey.secret).where(PartnerKey.key_id == "demo-1")))
            users = db.session.scalars(select(User)).all()
            assert users and not any(u.must_change_password for u in users)  # the demo itself: README password
            db.engine.dispose()
    assert secrets[0] != secrets[1] and hashlib.sha256(b"stations-demo-federation-key:GL").hexdigest() not in secrets


def test_seeded_accounts_must_change_their_password_outside_the_demo(tmp_path):
    app = _app(tmp_path, "staging", "staging.db")
    result = _invoke(app, "crossregion", "init-demo-db")
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert users and all(u.must_change_password for u in users)
        db.engine.dispose()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "staff-ll", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 303 and "/account/password" in response.headers["Location"]
