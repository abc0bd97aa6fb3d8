"""Second factors encrypted at rest under the data key (issue 20): ciphertext in the row, MultiFernet rotation,
the key required in production."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from stations import create_app, datakey
from stations.auth.cli import mfa_rotate_key
from stations.auth.models import MfaFactor
from stations.extensions import db
from tests.security.test_mfa import enrol, user


def stored_secret(user_id: int) -> str:
    return db.session.execute(text("SELECT secret FROM mfa_factors WHERE user_id = :id"), {"id": user_id}).scalar()


def test_the_totp_secret_is_stored_encrypted_and_read_back_in_clear(login_as):
    secret, _codes = enrol(login_as("staff-ll"))
    raw = stored_secret(user("staff-ll").id)
    assert secret not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert datakey.decrypt(raw) == secret
    db.session.expire_all()
    assert db.session.scalar(select(MfaFactor.secret).where(MfaFactor.user_id == user("staff-ll").id)) == secret


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_go(app, login_as, monkeypatch):
    secret, _codes = enrol(login_as("staff-ll"))
    user_id = user("staff-ll").id
    old_key = datakey.keys_of(app)[0].decode()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "DATA_KEY", f"{new_key},{old_key}")
    monkeypatch.setitem(app.extensions, "stations_data_fernet", None)
    datakey.init_app(app)
    result = CliRunner().invoke(mfa_rotate_key, obj=None, standalone_mode=False, catch_exceptions=False)
    assert result.exit_code == 0
    raw = stored_secret(user_id)
    assert Fernet(new_key.encode()).decrypt(raw.encode()).decode() == secret
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(raw.encode())
    monkeypatch.setitem(app.config, "DATA_KEY", new_key)  # the old key dropped: everything still reads
    datakey.init_app(app)
    db.session.expire_all()
    assert db.session.scalar(select(MfaFactor.secret).where(MfaFactor.user_id == user_id)) == secret
    monkeypatch.setitem(app.config, "DATA_KEY", None)
    datakey.init_app(app)  # back to the suite's derived key for the tests after this one (monkeypatch restores)


def test_production_refuses_to_start_without_a_data_key(monkeypatch):
    monkeypatch.setenv("STATIONS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("STATIONS_DATA_KEY", raising=False)
    with pytest.raises(RuntimeError, match="STATIONS_DATA_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(ValueError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DATA_KEY": "not-a-fernet-key"})


def test_the_migration_encrypts_the_secrets_stored_in_clear_and_the_downgrade_decrypts(tmp_path):
    from flask_migrate import downgrade, upgrade

    from tests.helpers.suite import make_test_app

    other = make_test_app(f"sqlite:///{tmp_path / 'migrate.db'}")
    secret_sql = text("SELECT secret FROM mfa_factors")
    with other.app_context():  # on the app's own engine: the suite's session is bound to the suite's database
        upgrade(revision="22bde39fe4b4")  # main before issue 20: secrets in clear
        with db.engine.begin() as connection:
            columns = connection.execute(text("PRAGMA table_info(users)")).all()  # (cid, name, type, notnull, ...)
            values = {"id": 1, "username": "a", "role": "ADMIN", "created_at": "2026-12-05"}
            user = {c[1]: values.get(c[1], "0" if "CHAR" in c[2] else 0) for c in columns if c[3]}
            names, params = ", ".join(user), ", ".join(f":{name}" for name in user)
            connection.execute(text(f"INSERT INTO users ({names}) VALUES ({params})"), user)  # noqa: S608
            user_id = 1
            connection.execute(
                text(
                    "INSERT INTO mfa_factors (user_id, secret, last_step, recovery_hashes, failures, created_at) "
                    "VALUES (:user_id, 'JBSWY3DPEHPK3PXP', 0, '', 0, '2026-12-05')"
                ),
                {"user_id": user_id},
            )
        upgrade()
        with db.engine.connect() as connection:
            raw = connection.execute(secret_sql).scalar()
            assert raw.startswith("gAAAAA") and datakey.decrypt(raw) == "JBSWY3DPEHPK3PXP"
            assert connection.execute(select(MfaFactor.secret)).scalar() == "JBSWY3DPEHPK3PXP"
        downgrade(revision="22bde39fe4b4")
        with db.engine.connect() as connection:
            assert connection.execute(secret_sql).scalar() == "JBSWY3DPEHPK3PXP"
        db.engine.dispose()
