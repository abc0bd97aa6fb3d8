"""Helpers for the rating tests: a delivered case at LL, and a bad rating of it."""

from __future__ import annotations
