"""The demo never reaches production (security finding: demo accounts and a derivable federation key).

Three locks:

* ``refuse_in_production`` stops every demo seeder (``seed_demo`` and the demo commands, which are not even
  registered in production);
* ``demo_data_in`` finds what a demo left in a database: an account of contract.md's list that still opens with the
  README's password, or a partner key the demo made (its key id, or the label-derived secret older demos used);
  create_app refuses to start in production while it finds any;
* demo accounts seeded outside the demo (any ENV_NAME but development and testing) must change their password at
  their first sign-in (``must_change_first``).
"""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import inspect, select
from werkzeug.security import check_password_hash

from ..auth.models import User
from ..crossregion.demo_partners import DEMO_KEY_ID
from ..crossregion.models import PartnerKey, PartnerRegion
from ..extensions import db

DEMO_PASSWORD = "Stations@2024"
# Every demo account contract.md names (features add theirs to this list with their demo seeder).
DEMO_USERNAMES = (
    "admin",
    "central",
    "staff-ll",
    "staff-qh",
    "staff-zx",
    "staff-hz",
    "clerk-ll",
    "clerk-qh",
    "ent-gd",
    "ent-qn",
    "dept-rs",
    "dept-kf",
    "comm-ll",
    "person-demo",
    "dept-sc",
    "dept-rs-lead",
)
DEMO_ENVIRONMENTS = frozenset({"development", "testing"})


class DemoRefused(RuntimeError):
    """Demo data asked for (or found) where it must not be."""


def is_production() -> bool:
    return current_app.config.get("ENV_NAME") == "production"


def refuse_in_production() -> None:
    """:raise DemoRefused: in production (STATIONS_ENV=production)."""
    if is_production():
        raise DemoRefused("demo data is never loaded with STATIONS_ENV=production")


def must_change_first() -> bool:
    """Seeded accounts keep the README's password only in the demo itself (development, testing)."""
    return current_app.config.get("ENV_NAME") not in DEMO_ENVIRONMENTS


def _legacy_secret(code: str) -> str:
    # The key older demos derived from a label in the source: anyone could sign as the partner with it.
    return hashlib.sha256(f"stations-demo-federation-key:{code}".encode()).hexdigest()


def demo_data_in() -> list[str]:
    """What a demo left in the database (empty when nothing): ``account <name>`` and ``partner key <id> of <code>``.

    Reads on a connection of its own (start-up code: no session state left behind); tables not created yet hold
    nothing.
    """
    found = []
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if User.__tablename__ in tables:
            rows = conn.execute(select(User.username, User.password_hash).where(User.username.in_(DEMO_USERNAMES)))
            # Only an account that still opens with the demo password is the demo's (a real "admin" is not).
            found += [f"account {name}" for name, hashed in rows if check_password_hash(hashed, DEMO_PASSWORD)]
        if PartnerKey.__tablename__ in tables:
            keys = conn.execute(
                select(PartnerKey.key_id, PartnerKey.secret, PartnerRegion.code)
                .join(PartnerRegion, PartnerRegion.id == PartnerKey.partner_id)
                .order_by(PartnerKey.id)
            )
            for key_id, secret, code in keys:
                if key_id == DEMO_KEY_ID or secret == _legacy_secret(code):
                    found.append(f"partner key {key_id} of {code}")
            for code, shared in conn.execute(select(PartnerRegion.code, PartnerRegion.shared_key)):
                if shared and shared == _legacy_secret(code):
                    found.append(f"partner key (shared) of {code}")
    return found


def refuse_demo_data_at_start(app) -> None:
    """In production, refuse to start while the database holds demo accounts or demo keys.

    :raise DemoRefused: naming what was found (delete the accounts or change their passwords; revoke the keys).
    """
    if app.config.get("ENV_NAME") != "production":
        return
    with app.app_context():
        found = demo_data_in()
    if found:
        raise DemoRefused("production start refused, the database holds demo data: " + ", ".join(found))
