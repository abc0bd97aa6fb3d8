"""The domain tests are pure: no app, no database.

Overrides the suite-wide autouse ``_transaction`` fixture (tests/conftest.py), which would otherwise build the app and
open a database transaction for every one of the thousands of table rows here.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """No database here."""
