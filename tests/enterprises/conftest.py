"""Helpers for the enterprise's pages: uploads to a temporary root, online items, documents in the store."""

from __future__ import annotations
