"""Test helpers (plain functions and fixtures), imported by tests instead of conftest modules."""
