"""`flask db upgrade` on an empty database, then `flask db check`: the models and migrations agree.

Run by `make test` (on TEST_DATABASE_URL when set, else a temporary SQLite file).
"""

from __future__ import annotations

import sys

from flask_migrate import check, upgrade

from tests.dbutil import reset_database, test_database_url
from tests.helpers.suite import make_test_app


def main() -> int:
    url = test_database_url("_migrations")
    reset_database(url)
    app = make_test_app(url)
    with app.app_context():
        upgrade()
        check()  # raises (exit status 1) when autogenerate finds a difference
    print(f"migrations upgrade cleanly and match the models ({url.split(':')[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
