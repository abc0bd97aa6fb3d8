"""Helpers for the rating tests: a delivered case of ent-gd at LL, and a bad rating of it."""

from __future__ import annotations
