"""Helpers for the meeting tests: tokens, free slots, a meeting walked to a given status through the services."""

from __future__ import annotations
