"""Fixtures shared with the case tests: ``uploads`` (files go to a temporary directory)."""
