"""Fixtures shared with the case tests: ``uploads`` (files go to a temporary directory)."""

from tests.cases.conftest import uploads  # noqa: F401
