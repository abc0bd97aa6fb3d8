"""The case pages' tests share the suite's fixtures (tests/conftest.py); helpers are in tests/helpers/cases.py."""
