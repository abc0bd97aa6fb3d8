"""Helpers for the federation tests: a partner with a key, signed requests through the test client."""

from __future__ import annotations
